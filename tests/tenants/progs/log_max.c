/* Logs three maximal 64-bit numbers: the most formatting work per budget unit of the log helper
 * (budget measurement, tests/tenants/measure-budget). */
#include "probe.h"
PROGRAM
{
    (void)c;
    return (uint64_t)MBPF_LOG("%u%u%u", ~0ull, ~0ull, ~0ull);
}
