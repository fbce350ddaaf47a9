/* 64-bit arithmetic: multiply, unsigned divide/modulo, signed shifts, rotates (clang 14 has no
 * signed 64-bit division for BPF before -mcpu=v4). */
#include "vector.h"
VECTOR(math64)
{
    (void)ctx;
    uint64_t x = 0x9e3779b97f4a7c15ull ^ len;
    int64_t sx = -123456789012345ll;
    uint64_t acc = 0;
    for (int i = 1; i < 40; i++) {
        x = x * 0xff51afd7ed558ccdull + (uint64_t)i;
        acc += x / (uint64_t)(i * 7 + 1);
        acc ^= x % (uint64_t)(i + 3);
        acc += (uint64_t)(sx >> (i & 31));
        acc += (uint64_t)(sx < 0 ? -sx : sx) % (uint64_t)(i + 5);
        acc = (acc << (i & 63)) | (acc >> ((64 - i) & 63));
        sx = (sx >> 1) ^ (int64_t)x;
    }
    return acc;
}
