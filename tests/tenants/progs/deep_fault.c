/* A fault inside a local call when c->value is nonzero (a read at c->target, which the caller
 * makes an address the program does not own), a normal run through the same call otherwise:
 * what a fault leaves in the run state (call depth, status words) must not reach the next run
 * of the same slot. r0 = c->key + 2 when nothing faults. */
#include "probe.h"

static __attribute__((noinline)) uint64_t deeper(struct probe *c)
{
    if (c->value)
        return *(volatile uint64_t *)(uintptr_t)c->target;
    return c->key + 1u;
}

SEC("tenant") PROGRAM
{
    return deeper(c) + 1u;
}
