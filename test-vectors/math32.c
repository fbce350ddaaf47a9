/* 32-bit arithmetic as clang's alu32 output uses it: wraparound, division, signed shifts. */
#include "vector.h"
VECTOR(math32)
{
    (void)ctx;
    uint32_t a = 0x12345678u + (uint32_t)len, b = 0x9abcdef0u;
    int32_t s = -1000000;
    for (uint32_t i = 1; i < 64; i++) {
        a = a * 1664525u + 1013904223u;
        b ^= a >> (i & 31);
        b += a / (i + 1);
        b -= a % (i * 3 + 1);
        s = (s >> 2) + (int32_t)(a & 0xffff) - (int32_t)i * 1000;
    }
    return (uint64_t)a << 32 ^ b ^ (uint32_t)s;
}
