/* Constants kept in registers (docs/thumb2.md, "Constants in registers"): an immediate the
 * lowering would build in a scratch register at every use (movw/movt, mov.w) is, when it is used
 * in loops, loaded once at the entry into a callee-saved register no half uses. */
#ifndef MCUBPF_T2_CONSTS_H
#define MCUBPF_T2_CONSTS_H

#include <stdint.h>

#include "jit/jit_core.h"
#include "jit/mid/mid.h"

#define T2_MAX_CONSTS 6

typedef struct t2_consts {
    uint32_t value[T2_MAX_CONSTS];
    uint32_t weight[T2_MAX_CONSTS]; /* instructions saved, weighted by 8^depth, less the load */
    int n;
} t2_consts;

/* Instructions load_imm takes for v. */
int t2_imm_cost(uint32_t v);

/* The 32-bit immediate instruction in builds in a register when lowered (the lowering reads it
 * through t2_const_reg there), or 0 when it has none or takes it in the instruction itself. */
int t2_imm_operand(const mbpf_insn *in, uint32_t hz_in, uint32_t live_out, uint32_t *v);

/* The candidates: values of such immediates, in order of first use, weighted by their uses;
 * only values whose uses save more than the load at the entry are kept. */
void t2_find_consts(const jit_ctx *c, const mid_info *m, t2_consts *k);

#endif
