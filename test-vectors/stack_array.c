/* A histogram on the stack, indexed by data. */
#include "vector.h"
VECTOR(stack_array)
{
    uint32_t hist[16];
    for (int i = 0; i < 16; i++)
        hist[i] = 0;
    for (uint64_t i = 0; i < len; i++)
        hist[ctx[i] >> 4]++;
    uint64_t r = 0;
    for (int i = 0; i < 16; i++)
        r = r * 3 + hist[i];
    return r;
}
