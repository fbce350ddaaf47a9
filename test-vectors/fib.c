/* Iterative Fibonacci modulo a prime, no context. */
#include "vector.h"
VECTOR(fib)
{
    (void)ctx;
    uint64_t a = 0, b = 1;
    for (int i = 0; i < 90 + (int)(len & 1); i++) {
        uint64_t t = (a + b) % 1000000007ull;
        a = b;
        b = t;
    }
    return a;
}
