/* Running a program from the host tools: on an emulated device (QEMU), and the fault line both
 * the host and the boards print. */
#ifndef MCUBPF_AOT_TARGET_RUN_H
#define MCUBPF_AOT_TARGET_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "aot/loader.h"
#include "aot/profile_args.h"
#include "mcubpf/runtime.h"
#include "mcubpf/vm.h"
#include "platform/bundle.h"

/* Exit status of bpfrun when an emulated run gives no result in time. */
#define MBPF_EXIT_TIMEOUT 4

typedef struct mbpf_run_request {
    const char *target;  /* thumb2, rv32imc */
    const char *engine;  /* interp, jit, aot */
    const mbpf_tool_profile *profile; /* conformance set: the engine runs the bytecode directly */
    const mbpf_program *prog;         /* the program (NULL when image is given) */
    const mbpf_loaded *loaded;        /* what it was loaded from, for source lines (or NULL) */
    const uint8_t *image;             /* runtime mode: an AOT image to load as it is */
    size_t image_len;
    const uint8_t *mem;
    size_t mem_len;
    uint64_t budget;
    int stats;
    unsigned timeout_s;
    mbpf_kv_entry *kv; /* runtime mode: the store before the run, updated after it */
    uint32_t *n_kv;
    uint32_t kv_cap;
    const mbpf_bundle_setting *settings;
    uint32_t n_settings;
} mbpf_run_request;

/* Runs the request under QEMU and prints bpfrun's output contract itself. Returns the process
 * exit code (0 ok, 2 rejected, 3 fault, 4 timeout, 1 usage/internal). */
int mbpf_target_run(const mbpf_run_request *r);

/* "bpfrun: fault: <status> at insn N (<disasm>): ctx+27, 1 byte (the region is 16 bytes)" on
 * stderr. p may be NULL (AOT image: no bytecode to disassemble); rgn NULL when unknown. */
void mbpf_print_fault(const mbpf_tool_profile *tp, const mbpf_program *p, mbpf_status st,
                      uint32_t pc, uint64_t addr, uint32_t size, const char *rgn, int64_t off,
                      int64_t rgn_len);

#endif
