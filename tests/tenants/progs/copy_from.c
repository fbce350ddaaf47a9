/* Attack through a helper: copy 8 bytes from an address it does not own onto its stack. */
#include "probe.h"
PROGRAM
{
    uint64_t v = 0;
    mbpf_memcpy(&v, (const void *)(uintptr_t)c->target, 8);
    return v;
}
