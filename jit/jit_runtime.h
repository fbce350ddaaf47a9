/* Glue between mbpf_exec and the block translated code runs with (jit/jit_runtime.c). */
#ifndef MCUBPF_JIT_RUNTIME_H
#define MCUBPF_JIT_RUNTIME_H

#include "mcubpf/jit.h"

/* Interrupt masking around atomics: per target, no-ops where there is nothing to mask. */
typedef uint32_t mbpf_jit_irq_state;
mbpf_jit_irq_state mbpf_jit_irq_save(void);
void mbpf_jit_irq_restore(mbpf_jit_irq_state s);

/* Helper trampoline (block fn_helper), its pc argument: bits 0..15 the eBPF pc; for callx, bit 31
 * set and bits 16..19 the eBPF register holding the id, whose block slot the code has written
 * (the trampoline then reads all 64 bits of the id). */
#define MBPF_JIT_CALLX 0x80000000u
#define MBPF_JIT_CALLX_REG(r) ((uint32_t)(r) << 16)

void mbpf_jit_block_fill(mbpf_jit_block *b, mbpf_exec *x);
/* Copy the outcome back into x; status is what the code returned. */
mbpf_status mbpf_jit_block_finish(mbpf_jit_block *b, mbpf_exec *x, uint32_t status);

#endif
