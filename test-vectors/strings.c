/* String constants in .rodata.str1.1, compared and hashed. */
#include "vector.h"
static const char *const words[] = {"alpha", "beta", "gamma", "delta"};
VECTOR(strings)
{
    (void)ctx;
    uint64_t h = 5381;
    for (int w = 0; w < 4; w++)
        for (const char *p = words[w]; *p; p++)
            h = h * 33 + (uint8_t)*p;
    return h + len;
}
