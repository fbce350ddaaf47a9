/* In-place sort of the first 32 bytes of the context, then a weighted sum. */
#include "vector.h"
VECTOR(bubble)
{
    uint64_t n = len < 32 ? len : 32;
    for (uint64_t i = 0; i + 1 < n; i++)
        for (uint64_t j = 0; j + 1 < n - i; j++)
            if (ctx[j] > ctx[j + 1]) {
                uint8_t t = ctx[j];
                ctx[j] = ctx[j + 1];
                ctx[j + 1] = t;
            }
    uint64_t s = 0;
    for (uint64_t i = 0; i < n; i++)
        s += ctx[i] * (i + 1);
    return s;
}
