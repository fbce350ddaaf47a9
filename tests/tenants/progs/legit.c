/* Well-behaved: counts its own runs in its data and reports the count. */
#include "probe.h"
static uint64_t runs;
PROGRAM
{
    (void)c;
    return ++runs;
}
