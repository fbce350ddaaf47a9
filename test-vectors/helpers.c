/* Helper calls: isqrt, memfrob on the context, strcmp on stack strings. */
#include "vector.h"
VECTOR(helpers)
{
    uint64_t g = 0x102030405ull;
    uint64_t s = helper_isqrt(1000000 + len);
    char a[8] = "abcdef", b[8] = "abcxef";
    int64_t c = helper_strcmp(a, b);
    uint64_t before = len ? ctx[0] : 0;
    if (len >= 8)
        helper_memfrob(ctx, 8);
    uint64_t after = len ? ctx[0] : 0;
    return g ^ (s << 40) ^ (uint64_t)c ^ (before << 8) ^ after;
}
