/* Attack: write 8 bytes at an address the program does not own. */
#include "probe.h"
PROGRAM
{
    *(volatile uint64_t *)(uintptr_t)c->target = c->value;
    return 0;
}
