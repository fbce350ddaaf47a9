/* 8x8 int32 matrix multiply C = A * B with A and B read from the buffer; returns a checksum. */
#include "kernel.h"

#define N 8

KERNEL(matmul)
{
    if (len < 2 * N * N * 4)
        return 0;
    const int32_t *a = (const int32_t *)buf;
    const int32_t *b = (const int32_t *)(buf + N * N * 4);
    uint64_t sum = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int32_t c = 0;
            for (int k = 0; k < N; k++)
                c += (a[i * N + k] >> 16) * (b[k * N + j] >> 16);
            sum = sum * 31 + (uint32_t)c;
        }
    }
    return sum;
}
