/* Byte order conversions of context words (bswap / be / le). */
#include "vector.h"
VECTOR(byteswap)
{
    uint64_t acc = 0;
    for (uint64_t i = 0; i + 8 <= len; i += 8) {
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v |= (uint64_t)ctx[i + k] << (8 * k);
        acc ^= __builtin_bswap64(v);
        acc += __builtin_bswap32((uint32_t)v);
        acc += __builtin_bswap16((uint16_t)(v >> 16));
    }
    return acc;
}
