/* Attack: never returns unless the host changes the context (it cannot during a run). */
#include "probe.h"
PROGRAM
{
    uint64_t n = 0;
    while (*(volatile uint64_t *)&c->value != 0x5eed)
        n++;
    return n;
}
