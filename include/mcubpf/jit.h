/* Translator entry points (on-device JIT and host AOT share them). Freestanding C99, no malloc.
 * The contract between the target-independent core (jit/) and the backends (jit/thumb2, jit/rv32)
 * is written down in jit/README.md. */
#ifndef MCUBPF_JIT_H
#define MCUBPF_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

typedef enum mbpf_target {
    MBPF_TARGET_NONE = 0,
    MBPF_TARGET_THUMB2 = 1,  /* ARMv7E-M Thumb-2 (Cortex-M3/M4/M7) */
    MBPF_TARGET_RV32IMC = 2, /* RV32IMC */
} mbpf_target;

/* Return codes of mbpf_jit_translate (0 = success). */
#define MBPF_JIT_OK 0
#define MBPF_JIT_ERR_NOSPACE (-1)     /* code buffer too small (runtime falls back to the interpreter) */
#define MBPF_JIT_ERR_WORK (-2)        /* work arena too small */
#define MBPF_JIT_ERR_UNSUPPORTED (-3) /* an instruction this backend cannot translate */
#define MBPF_JIT_ERR_TARGET (-4)      /* target not built in */

typedef struct mbpf_jit_opts {
    uint32_t flags; /* reserved, 0 */
} mbpf_jit_opts;

typedef struct mbpf_jit_result {
    uint32_t code_len;  /* bytes written */
    uint32_t entry_off; /* entry point offset in the code buffer */
    uint32_t err_pc;    /* instruction the error is about */
    const char *err;    /* static message, NULL on success */
} mbpf_jit_result;

/* Work arena bytes mbpf_jit_translate needs for a program of n_insns instructions. */
size_t mbpf_jit_work_size(uint32_t n_insns);

/* Translate verified program p (facts from mbpf_verify) for target t into code[0..code_cap).
 * Deterministic: same input and options give the same bytes on host and device. */
int mbpf_jit_translate(mbpf_target t, const mbpf_program *p, const mbpf_fact *facts,
                       const mbpf_jit_opts *opts, uint8_t *code, uint32_t code_cap, void *work,
                       size_t work_size, mbpf_jit_result *res);

/* Device side: run translated code at `code` (entry at entry_off) with the inputs of x; fills
 * x->r0, x->status and x->fault like mbpf_interp_run. Only for the target the firmware runs on;
 * the caller has made the code executable (barriers done by mbpf_jit_sync_code). */
mbpf_status mbpf_jit_run(mbpf_exec *x, const void *code, uint32_t entry_off);

/* Make freshly written code at [code, code+len) visible to instruction fetch (DSB/ISB on ARMv7-M,
 * fence.i on RISC-V). */
void mbpf_jit_sync_code(const void *code, uint32_t len);

#endif
