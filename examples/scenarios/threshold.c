/* Scenario 1: a sensor-threshold hook. The firmware calls it with the channel to watch and its
 * alarm limit; it reads the sensor, counts readings over the limit in the tenant's key/value
 * store (so the count survives between runs and program updates), logs each alarm and returns
 * the count. */
#include "mcubpf/bpf_helpers.h"

struct threshold_ctx {
    uint32_t channel;
    int32_t limit;
};

#define KEY_OVER 1 /* readings over the limit so far */
#define KEY_LAST 2 /* the last reading */

SEC("sensor") uint64_t threshold(struct threshold_ctx *ctx, uint64_t len)
{
    if (len < sizeof *ctx)
        return 0;
    int64_t v = mbpf_sensor_read(ctx->channel);
    if (v == MBPF_SENSOR_ERROR) {
        MBPF_LOG("sensor %u cannot be read", ctx->channel, 0, 0);
        return 0;
    }
    uint64_t over = 0;
    mbpf_kv_fetch(KEY_OVER, &over); /* absent: over stays 0 */
    if (v > ctx->limit) {
        over++;
        mbpf_kv_store(KEY_OVER, over);
        MBPF_LOG("sensor %u: %d over the limit %d", ctx->channel, v, ctx->limit);
    }
    mbpf_kv_store(KEY_LAST, (uint64_t)v);
    return over;
}
