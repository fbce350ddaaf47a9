/* A sensor-sample filter as a tenant would deploy it: the context is a frame of 16-bit samples;
 * the program drops outliers (farther from the mean than twice the mean absolute deviation), and returns
 * the mean of the kept samples in the low 32 bits and the number of dropped ones above. */
#include "mcubpf/bpf_helpers.h"

SEC("filter") uint64_t sample_filter(uint8_t *frame, uint64_t len)
{
    uint64_t n = len / 2;
    if (n == 0 || n > 256)
        return 0;
    uint32_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += (uint32_t)frame[2 * i] | (uint32_t)frame[2 * i + 1] << 8;
    uint32_t mean = sum / (uint32_t)n;
    uint32_t dev = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)frame[2 * i] | (uint32_t)frame[2 * i + 1] << 8;
        dev += v > mean ? v - mean : mean - v;
    }
    uint32_t limit = 2 * (dev / (uint32_t)n) + 1;
    uint32_t kept = 0, kept_sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)frame[2 * i] | (uint32_t)frame[2 * i + 1] << 8;
        uint32_t d = v > mean ? v - mean : mean - v;
        if (d <= limit) {
            kept++;
            kept_sum += v;
        }
    }
    uint64_t dropped = n - kept;
    return dropped << 32 | (kept ? kept_sum / kept : 0);
}
