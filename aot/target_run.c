/* Placeholder until the QEMU runners exist: emulated targets are reported as unavailable. */
#include <stdio.h>

#include "aot/target_run.h"

int mbpf_target_run(const char *target, const char *engine, const mbpf_program *p,
                    const uint8_t *mem, size_t mem_len, uint64_t budget, int stats)
{
    (void)p; (void)mem; (void)mem_len; (void)budget; (void)stats;
    fprintf(stderr, "bpfrun: target %s (engine %s) is not available in this build\n", target, engine);
    return 1;
}
