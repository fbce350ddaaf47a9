/* Signed and unsigned comparisons on mixed values (JSGT/JSLT/JGT/JLT in 32 and 64 bits). */
#include "vector.h"
VECTOR(signed_cmp)
{
    uint64_t r = 0;
    for (uint64_t i = 0; i < len; i++) {
        int8_t s = (int8_t)ctx[i];
        int32_t w = (int32_t)(s * 1000);
        if (s < -50) r += 1;
        if (s > 50) r += 2;
        if ((uint8_t)s > 200) r += 4;
        if (w < -20000) r += 8;
        if ((int64_t)w * 100000 > 100000000ll) r += 16;
        r = r * 3;
    }
    return r;
}
