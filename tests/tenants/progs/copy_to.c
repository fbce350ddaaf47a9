/* Attack through a helper: copy 8 bytes of its stack to an address it does not own. */
#include "probe.h"
PROGRAM
{
    uint64_t v = c->value;
    mbpf_memcpy((void *)(uintptr_t)c->target, &v, 8);
    return 0;
}
