/* What the firmware and its eBPF programs agree on: the context of each hook, the kv keys the
 * programs write and the packet layout. Included by the C firmware and by the programs (clang
 * -target bpf), so it holds only fixed-width types. */
#ifndef FW_ABI_H
#define FW_ABI_H

#include <stdint.h>

/* Scheduler hook: called at every context switch. */
struct sched_ctx {
    uint32_t prev_thread;
    uint32_t next_thread;
    uint32_t now_ms;
};

#define FW_THREADS 4u
/* kv keys of the scheduler tenant: key = thread id counts switches into that thread; the policy
 * version also counts (prev, next) pairs under FW_KEY_PAIR. */
#define FW_KEY_PAIR(prev, next) (0x100u + (prev) * 16u + (next))
#define FW_POLICY_MIN_THREAD 2u /* the policy counts switches into application threads only */
#define FW_POLICY_LOG_EVERY 20u /* ... and logs every 20th one */

/* Packet hook: the context is a packet, an 8-byte header then `length` bytes of payload. */
struct pkt_hdr {
    uint8_t proto;
    uint8_t ttl;
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t length; /* payload bytes */
};

#define PROTO_ICMP 1u
#define PROTO_TCP 6u
#define PROTO_UDP 17u
#define PROTO_GRE 47u
#define FW_PAYLOAD_MAX 64u
#define FW_BLOCKED_PORT 23u /* telnet */
/* payload signature that gets a packet dropped */
#define FW_SIG0 0xdeu
#define FW_SIG1 0xadu
#define FW_SIG2 0xbeu
#define FW_SIG3 0xefu

/* kv keys of the network tenant: packets per verdict reason. */
#define FW_REASON_ALLOW 0u
#define FW_REASON_MALFORMED 1u
#define FW_REASON_PROTO 2u
#define FW_REASON_PORT 3u
#define FW_REASON_PATTERN 4u
#define FW_REASONS 5u

#endif
