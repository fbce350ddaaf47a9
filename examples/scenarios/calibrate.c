/* Scenario 3: global data and a local call. Raw ADC samples (12-bit, little-endian 16-bit words)
 * become temperatures in tenths of a degree through a calibration table in .rodata, interpolated
 * by a function of its own; a counter in .data counts the runs of the loaded program. Returns the
 * run count above the mean temperature. */
#include "mcubpf/bpf_helpers.h"

#define MAX_SAMPLES 32

/* Temperature (0.1 degree) at raw readings 0, 512, ..., 4096. */
static const uint16_t calib[9] = {0, 105, 198, 284, 364, 440, 514, 588, 664};

uint32_t runs = 100; /* initialised: lives in .data (kept between runs) */

static __attribute__((noinline)) uint32_t to_tenths(uint32_t raw)
{
    if (raw > 4095)
        raw = 4095;
    uint32_t i = raw >> 9, frac = raw & 511;
    return calib[i] + (((uint32_t)calib[i + 1] - calib[i]) * frac >> 9);
}

SEC("adc") uint64_t calibrate(const uint8_t *samples, uint64_t len)
{
    uint64_t n = len / 2;
    if (n == 0)
        return 0;
    if (n > MAX_SAMPLES)
        n = MAX_SAMPLES;
    uint32_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += to_tenths((uint32_t)samples[2 * i] | (uint32_t)samples[2 * i + 1] << 8);
    runs++;
    return (uint64_t)runs << 32 | sum / (uint32_t)n;
}
