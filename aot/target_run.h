/* Running a program on an emulated device (QEMU) from the host tools. */
#ifndef MCUBPF_AOT_TARGET_RUN_H
#define MCUBPF_AOT_TARGET_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/vm.h"

/* Runs p on an emulated target under QEMU and prints the bpfrun output contract itself.
 * Returns the process exit code (0 ok, 2 rejected, 3 fault, 1 usage/internal). */
int mbpf_target_run(const char *target, const char *engine, const mbpf_program *p,
                    const uint8_t *mem, size_t mem_len, uint64_t budget, int stats);

#endif
