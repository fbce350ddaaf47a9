/* Sum of the context bytes with a length check in the loop. */
#include "vector.h"
VECTOR(sum_bytes)
{
    uint64_t s = 0;
    for (uint64_t i = 0; i < len; i++)
        s += ctx[i];
    return s;
}
