/* Integer square root (bit-by-bit method) of every 32-bit word, summed. */
#include "kernel.h"

KERNEL(isqrt)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i + 4 <= len; i += 4) {
        uint32_t x = rd32(buf + i);
        uint32_t res = 0, bit = 1u << 30;
        while (bit > x)
            bit >>= 2;
        while (bit) {
            if (x >= res + bit) {
                x -= res + bit;
                res = (res >> 1) + bit;
            } else {
                res >>= 1;
            }
            bit >>= 2;
        }
        total += res;
    }
    return total;
}
