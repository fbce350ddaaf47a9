/* Binary search: the buffer is read as 32-bit words, made sorted by a running sum, then 128 keys
 * derived from the data are looked up; returns the sum of the found indices. */
#include "kernel.h"

KERNEL(bsearch)
{
    uint32_t *a = (uint32_t *)buf;
    uint32_t n = (uint32_t)(len / 4);
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        acc += (a[i] & 0xffff) + 1;
        a[i] = acc;
    }
    uint64_t found = 0;
    for (uint32_t q = 0; q < 128 && n; q++) {
        uint32_t key = a[(q * 37u) % n] + (q & 1);
        uint32_t lo = 0, hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (a[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        found += lo;
    }
    return found;
}
