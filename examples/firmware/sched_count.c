/* Scheduler probe, version 1 (after the Femto-Containers thread counter): at every context
 * switch, count one more switch into the next thread, in the tenant's kv store (key = thread id). */
#include "examples/firmware/fw_abi.h"
#include "mcubpf/bpf_helpers.h"

SEC("sched") uint64_t sched_count(const struct sched_ctx *ctx, uint64_t len)
{
    (void)len;
    uint32_t next = ctx->next_thread;
    uint64_t n = 0;
    mbpf_kv_fetch(next, &n); /* an absent key reads as 0 */
    mbpf_kv_store(next, n + 1);
    return 0;
}
