/* Population count of every 64-bit word (SWAR method), summed. */
#include "kernel.h"

KERNEL(popcount)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i + 8 <= len; i += 8) {
        uint64_t x = rd64(buf + i);
        x = x - ((x >> 1) & 0x5555555555555555ull);
        x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
        x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
        total += (x * 0x0101010101010101ull) >> 56;
    }
    return total;
}
