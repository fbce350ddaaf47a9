/* Two global functions in .text and no program section: which one is the program is ambiguous,
 * and the loader must say so rather than run the first. */
#include <stdint.h>

uint64_t first(uint64_t *ctx, uint64_t len)
{
    return len ? ctx[0] : 1;
}

uint64_t second(uint64_t *ctx, uint64_t len)
{
    return len ? ctx[0] + 1 : 2;
}
