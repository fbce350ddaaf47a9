/* Fletcher-32 over 16-bit little-endian words, with the usual deferred modulo (359 words). */
#include "kernel.h"

KERNEL(fletcher32)
{
    uint32_t a = 0xffff, b = 0xffff;
    uint64_t words = len / 2;
    uint64_t i = 0;
    while (words) {
        uint64_t block = words > 359 ? 359 : words;
        words -= block;
        for (uint64_t k = 0; k < block; k++, i += 2) {
            a += (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8;
            b += a;
        }
        a = (a & 0xffff) + (a >> 16);
        b = (b & 0xffff) + (b >> 16);
    }
    a = (a & 0xffff) + (a >> 16);
    b = (b & 0xffff) + (b >> 16);
    return (uint64_t)(b << 16 | a);
}
