/* Bubble sort of the first 64 32-bit words of the buffer, in place; returns a position-weighted
 * checksum of the sorted array. */
#include "kernel.h"

KERNEL(bubblesort)
{
    uint32_t *a = (uint32_t *)buf;
    uint32_t n = len / 4 < 64 ? (uint32_t)(len / 4) : 64;
    for (uint32_t i = 0; i + 1 < n; i++) {
        for (uint32_t j = 0; j + 1 < n - i; j++) {
            uint32_t x = a[j], y = a[j + 1];
            if (x > y) {
                a[j] = y;
                a[j + 1] = x;
            }
        }
    }
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += (uint64_t)a[i] * (i + 1);
    return sum;
}
