/* The same hooks in native C, for the build without the runtime (-DNO_RUNTIME): what the eBPF
 * programs compute, written directly into the firmware. */
#ifndef FW_NATIVE_H
#define FW_NATIVE_H

#include <stdint.h>

#include "examples/firmware/fw_abi.h"

typedef struct native_kv_entry {
    uint32_t ns; /* 0 free, else tenant id + 1 (as the runtime's kv) */
    uint32_t key;
    uint64_t value;
} native_kv_entry;

#define NATIVE_KV_CAP 32u
extern native_kv_entry arena_kv[NATIVE_KV_CAP]; /* the runtime build's kv store, same size */

void native_sched_count(uint32_t tenant, const struct sched_ctx *c);
void native_sched_policy(uint32_t tenant, const struct sched_ctx *c);
uint64_t native_packet_filter(uint32_t tenant, const uint8_t *pkt, uint32_t len);

#endif
