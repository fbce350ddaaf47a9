/* SipHash-2-4 of the buffer with a fixed key: 64-bit add/rotate/xor work. */
#include "kernel.h"

HELPER uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

#define SIPROUND                                                                                  \
    do {                                                                                          \
        v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);                             \
        v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                                                  \
        v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                                                  \
        v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);                             \
    } while (0)

KERNEL(siphash)
{
    const uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
    uint64_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m = rd64(buf + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = len << 56;
    for (uint64_t k = 0; i + k < len; k++)
        b |= (uint64_t)buf[i + k] << (8 * k);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}
