/* The program the signing checks load: sums the first bytes of its context with a table from
 * .rodata and counts its runs in .data, so that a loaded copy shows it runs as built. */
#include <stdint.h>

static const uint8_t weights[4] = {1, 2, 3, 4};
static uint64_t runs;

__attribute__((section("prog"), used)) uint64_t weighted_sum(const uint8_t *ctx, uint64_t len)
{
    uint64_t sum = ++runs * 1000;
    for (uint64_t i = 0; i < 4 && i < len; i++)
        sum += (uint64_t)ctx[i] * weights[i];
    return sum;
}
