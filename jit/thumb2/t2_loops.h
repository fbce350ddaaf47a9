/* Thumb-2 side of loop versioning (jit/mid/mid_loops.h): the test before a versioned loop that
 * decides between its fast copy (no guards, budget charged once) and the original. */
#ifndef MCUBPF_T2_LOOPS_H
#define MCUBPF_T2_LOOPS_H

#include <stdint.h>

#include "jit/jit_core.h"
#include "jit/mid/mid_loops.h"

/* Where the code keeps the eBPF registers: loc[half] is the native register of each half
 * (mid.h's half numbering) or -1 for the block slot; budget_reg holds the budget counter or is
 * -1 (the block's word). hz is the middle end's width state at the loop head. */
typedef struct t2_loop_regs {
    const int8_t *loc;
    int budget_reg;
    uint32_t hz;
    int r10_free; /* r10 is not the frame pointer: the live stack ends at the block's frame top */
} t2_loop_regs;

/* Emit the test before loop l: it branches to native offset `slow` (the original loop) unless
 * every access of l's groups stays in its region for as many iterations as the counter allows,
 * that count is below 2^ML_MAX_COUNT_LOG2 and, with ML_PRECHARGE, the budget covers the taken
 * back edges, which it then charges. Otherwise it falls through (into the fast copy; a rotated
 * loop's caller then branches to the fast copy's entry). A rotated loop's test runs at its entry,
 * with the values the loop is entered with. Uses r0-r3,
 * r12, lr. The size depends only on l and rg, so both passes agree. */
void t2_loop_test(jit_ctx *c, const ml_loop *l, const t2_loop_regs *rg, uint32_t slow,
                  int short_branches);

#endif
