/* FNV-1a, 32-bit and 64-bit variants over the buffer, folded into one result. */
#include "kernel.h"

KERNEL(fnv1a)
{
    uint32_t h32 = 2166136261u;
    uint64_t h64 = 14695981039346656037ull;
    for (uint64_t i = 0; i < len; i++) {
        h32 = (h32 ^ buf[i]) * 16777619u;
        h64 = (h64 ^ buf[i]) * 1099511628211ull;
    }
    return h64 ^ h32;
}
