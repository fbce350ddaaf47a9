/* Scheduler probe, version 2, hot-swapped in at run time: counts only switches into application
 * threads (id >= FW_POLICY_MIN_THREAD), per thread and per (prev, next) pair, and logs every
 * FW_POLICY_LOG_EVERY-th counted switch. `counted` lives in the program's data region: it is kept
 * between runs and starts from 0 when the program is (re)loaded. */
#include "examples/firmware/fw_abi.h"
#include "mcubpf/bpf_helpers.h"

static uint32_t counted;

static void bump(uint32_t key)
{
    uint64_t n = 0;
    mbpf_kv_fetch(key, &n);
    mbpf_kv_store(key, n + 1);
}

SEC("sched") uint64_t sched_policy(const struct sched_ctx *ctx, uint64_t len)
{
    (void)len;
    uint32_t prev = ctx->prev_thread, next = ctx->next_thread;
    if (next < FW_POLICY_MIN_THREAD || next >= FW_THREADS || prev >= FW_THREADS)
        return 0;
    bump(next);
    bump(FW_KEY_PAIR(prev, next));
    if (++counted % FW_POLICY_LOG_EVERY == 0)
        MBPF_LOG("sched_policy: %u switches counted, last %u->%u", counted, prev, next);
    return 1;
}
