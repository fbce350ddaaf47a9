/* Fletcher-16 over the whole buffer (the Femto-Containers / uBPF papers' benchmark family). */
#include "kernel.h"

KERNEL(fletcher16)
{
    uint32_t a = 0, b = 0;
    for (uint64_t i = 0; i < len; i++) {
        a = (a + buf[i]) % 255;
        b = (b + a) % 255;
    }
    return (b << 8) | a;
}
