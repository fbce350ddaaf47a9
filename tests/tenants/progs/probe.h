/* Context every tenant-isolation program gets: an address to aim at (another tenant's memory,
 * the firmware's), a value and a kv key. */
#ifndef TESTS_TENANTS_PROBE_H
#define TESTS_TENANTS_PROBE_H

#include <stdint.h>

#include "mcubpf/bpf_helpers.h"

struct probe {
    uint64_t target;
    uint64_t value;
    uint32_t key;
    uint32_t pad;
};

#define PROGRAM uint64_t prog(struct probe *c)

#endif
