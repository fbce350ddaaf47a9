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

/* Translated code as the run glue calls it: the block prepared for the program, the call's
 * context (r1; 0 when there is none) and its length (r2; the context region's length too;
 * without a context the code takes it as 0, whatever r2 holds) in, the status out. The budget is read by the code that spends it, through
 * the block (budget_at). The prologue stores in the block only what the program needs of them
 * (mcubpf/jit.h). */
typedef uint32_t (*mbpf_jit_fn)(mbpf_jit_block *b, uint32_t ctx, uint32_t ctx_len);

/* The callable entry of code at code + entry_off on the target this build executes (with the
 * interworking bit on Thumb); NULL on builds that execute no code (the host). Per target. */
mbpf_jit_fn mbpf_jit_entry(const void *code, uint32_t entry_off);

/* Once per program and tenant: everything in b that does not depend on the call, from the
 * inputs of x (prog, stack, helpers), but budget_at, which the caller points at the budget
 * runs read (the runtime: the tenant's). x must stay where it is while b is used. */
void mbpf_jit_block_prepare(mbpf_jit_block *b, mbpf_exec *x);

#if defined(__GNUC__)
#define MBPF_JIT_INLINE static inline __attribute__((always_inline))
#else
#define MBPF_JIT_INLINE static inline
#endif

/* The budget word code starts with (computed by its prologue): the budget's low word; unlimited (0) and budgets of 2^32 or
 * more: all ones (more than a run can spend on these targets). */
MBPF_JIT_INLINE uint32_t mbpf_jit_budget_word(uint64_t budget)
{
    return (budget >> 32) || !budget ? 0xffffffffu : (uint32_t)budget;
}

/* A run of the code fn with b prepared for x (x->budget == budget, x->status == MBPF_OK,
 * b->status == 0, b->depth_left at its start value, as mbpf_jit_block_prepare or the end of the
 * previous run left them: mbpf_jit_block_end restores them after a fault). The exec is left as
 * it is: the routines the code calls fill it from the block the first time they need it in the
 * run, so a run that calls none writes nothing there. Inline: with mbpf_jit_block_end this is
 * all a run of translated or AOT code does. */
MBPF_JIT_INLINE uint32_t mbpf_jit_block_call(mbpf_jit_fn fn, mbpf_jit_block *b, uint32_t ctx,
                                             uint32_t ctx_len)
{
    return fn(b, ctx, ctx_len);
}

/* After the code returned `status`: MBPF_OK, or a helper's early stop (then MBPF_OK too), or a
 * fault (x->status, x->fault; x->r0 = 0). r0 is the block's (b->r0_lo, b->r0_hi) on MBPF_OK;
 * x->budget_left is left as the last helper call left it. Restores what the next start
 * expects, except x->status, which holds the fault for the caller. */
mbpf_status mbpf_jit_block_end(mbpf_jit_block *b, mbpf_exec *x, uint32_t status);

/* A single call (mbpf_jit_run, emulators): fill prepares b for x (x->status set to MBPF_OK)
 * and x for the run; the code is then called with x's context (mbpf_jit_fill_call) and finish
 * ends the run and brings x->budget_left up to date. */
void mbpf_jit_block_fill(mbpf_jit_block *b, mbpf_exec *x);
MBPF_JIT_INLINE uint32_t mbpf_jit_fill_call(mbpf_jit_fn fn, mbpf_jit_block *b, const mbpf_exec *x)
{
    return fn(b, (uint32_t)(uintptr_t)x->ctx, x->ctx_len);
}
mbpf_status mbpf_jit_block_finish(mbpf_jit_block *b, mbpf_exec *x, uint32_t status);

#endif
