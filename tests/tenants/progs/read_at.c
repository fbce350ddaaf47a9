/* Attack: read 8 bytes at an address the program does not own. */
#include "probe.h"
PROGRAM
{
    return *(volatile uint64_t *)(uintptr_t)c->target;
}
