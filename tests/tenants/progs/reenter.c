/* Calls the firmware's test helper 10, which tries to load, replace, unload and run programs
 * from inside this run (all must be refused), then returns what that helper returned. */
#include "probe.h"
MBPF_HELPER_FN(uint64_t, reenter, 10, void);
PROGRAM
{
    (void)c;
    return reenter();
}
