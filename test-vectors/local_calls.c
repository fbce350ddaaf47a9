/* bpf-to-bpf calls, nested three deep, with arguments and stack use in each frame. */
#include "vector.h"
NOINLINE uint64_t leaf(uint64_t a, uint64_t b)
{
    volatile uint64_t buf[4];
    for (int i = 0; i < 4; i++)
        buf[i] = a * (uint64_t)i + b;
    return buf[0] ^ buf[1] ^ buf[2] ^ buf[3];
}
NOINLINE uint64_t middle(uint64_t a)
{
    return leaf(a, a >> 3) + leaf(a + 1, 7);
}
NOINLINE uint64_t top(const uint8_t *p, uint64_t n)
{
    uint64_t acc = 0;
    for (uint64_t i = 0; i < n && i < 16; i++)
        acc += middle(p[i]);
    return acc;
}
VECTOR(local_calls)
{
    return top(ctx, len);
}
