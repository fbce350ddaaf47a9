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

/* Translated code as the run glue calls it: the block in, the status out. */
typedef uint32_t (*mbpf_jit_fn)(mbpf_jit_block *b);

/* The callable entry of code at code + entry_off on the target this build executes (with the
 * interworking bit on Thumb); NULL on builds that execute no code (the host). Per target. */
mbpf_jit_fn mbpf_jit_entry(const void *code, uint32_t entry_off);

/* Once per program and tenant: everything in b that does not depend on the call, from the
 * inputs of x (prog, stack, budget, helpers). x must stay where it is while b is used. */
void mbpf_jit_block_prepare(mbpf_jit_block *b, mbpf_exec *x);

/* One run of fn with b prepared for x: sets the call's context (x->ctx, x->ctx_len) and the
 * budget in b, calls the code and fills x->r0, x->status and x->fault. */
mbpf_status mbpf_jit_block_run(mbpf_jit_block *b, mbpf_exec *x, mbpf_jit_fn fn);

#endif
