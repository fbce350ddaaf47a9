/* xorshift64* PRNG: seeded from the first 8 bytes, 1000 steps, returns the sum of outputs. */
#include "kernel.h"

KERNEL(xorshift)
{
    if (len < 8)
        return 0;
    uint64_t x = rd64(buf) | 1;
    uint64_t sum = 0;
    for (int i = 0; i < 1000; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        sum += x * 0x2545f4914f6cdd1dull;
    }
    return sum;
}
