/* Native versions of sched_count.c, sched_policy.c and packet_filter.c (see native.h). */
#include "examples/firmware/native.h"

#include <stdio.h>

#define KV_CAP NATIVE_KV_CAP
native_kv_entry arena_kv[KV_CAP];

static void bump(uint32_t tenant, uint32_t key)
{
    native_kv_entry *free_slot = 0;
    for (uint32_t i = 0; i < KV_CAP; i++) {
        native_kv_entry *e = &arena_kv[i];
        if (e->ns == tenant + 1u && e->key == key) {
            e->value++;
            return;
        }
        if (!e->ns && !free_slot)
            free_slot = e;
    }
    if (free_slot) {
        free_slot->ns = tenant + 1u;
        free_slot->key = key;
        free_slot->value = 1;
    }
}

void native_sched_count(uint32_t tenant, const struct sched_ctx *c)
{
    bump(tenant, c->next_thread);
}

void native_sched_policy(uint32_t tenant, const struct sched_ctx *c)
{
    static uint32_t counted;
    uint32_t prev = c->prev_thread, next = c->next_thread;
    if (next < FW_POLICY_MIN_THREAD || next >= FW_THREADS || prev >= FW_THREADS)
        return;
    bump(tenant, next);
    bump(tenant, FW_KEY_PAIR(prev, next));
    if (++counted % FW_POLICY_LOG_EVERY == 0)
        printf("  [log] sched_policy: %lu switches counted, last %lu->%lu\n", (unsigned long)counted,
               (unsigned long)prev, (unsigned long)next);
}

static uint64_t verdict(uint32_t tenant, uint32_t reason)
{
    bump(tenant, reason);
    return reason == FW_REASON_ALLOW;
}

uint64_t native_packet_filter(uint32_t tenant, const uint8_t *pkt, uint32_t len)
{
    const struct pkt_hdr *h = (const struct pkt_hdr *)(const void *)pkt;
    if (len < sizeof *h)
        return verdict(tenant, FW_REASON_MALFORMED);
    uint32_t plen = h->length;
    if (plen > FW_PAYLOAD_MAX || plen != len - sizeof *h)
        return verdict(tenant, FW_REASON_MALFORMED);
    if (h->proto != PROTO_TCP && h->proto != PROTO_UDP)
        return verdict(tenant, FW_REASON_PROTO);
    if (h->dst_port == FW_BLOCKED_PORT)
        return verdict(tenant, FW_REASON_PORT);
    const uint8_t *p = pkt + sizeof *h;
    for (uint32_t i = 0; i + 4 <= plen; i++)
        if (p[i] == FW_SIG0 && p[i + 1] == FW_SIG1 && p[i + 2] == FW_SIG2 && p[i + 3] == FW_SIG3)
            return verdict(tenant, FW_REASON_PATTERN);
    return verdict(tenant, FW_REASON_ALLOW);
}
