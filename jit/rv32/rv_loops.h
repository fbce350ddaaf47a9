/* RV32 side of loop versioning (jit/mid/mid_loops.h): the test before a versioned loop that
 * decides between its fast copy (no guards, budget charged once) and the original. */
#ifndef MCUBPF_RV_LOOPS_H
#define MCUBPF_RV_LOOPS_H

#include <stdint.h>

#include "jit/jit_core.h"
#include "jit/mid/mid_loops.h"

/* Where the code keeps the eBPF registers: lo[r] / hi[r] are the native registers of the halves
 * of r (fixed for the whole program), budget the budget counter's. hz is the middle end's width
 * state at the loop's entry: an upper half known zero is read as x0 (its register may be stale). */
typedef struct rv_loop_regs {
    const int8_t *lo, *hi;
    int budget;
    uint32_t hz;
} rv_loop_regs;

/* Emit the test before loop l: it jumps to native offset `slow` (the original loop) unless
 * every access of l's groups stays in its region for as many iterations as the counter allows,
 * that count is below 2^ML_MAX_COUNT_LOG2, the narrow induction variables keep to their
 * contract (mid_loops.h: no carry out of the lower half, the upper half zero for l->hz_fast) and,
 * with ML_PRECHARGE, the budget covers the taken back edges, which it then charges; it then sets
 * the upper halves of l->hz_fast that rg->hz knows zero to 0. Otherwise it falls through into
 * the fast copy (a rotated loop's caller then jumps to the fast copy's entry). A rotated loop's
 * test runs at its entry, with the values the loop is entered with (rg->hz: the width state
 * there). Uses t0-t3
 * and ra. Every branch to `slow` is the long form (an inverted branch over a jal: the same one
 * instruction on the path that passes), so the size depends only on l and rg and both passes
 * agree. */
void rv_loop_test(jit_ctx *c, const ml_loop *l, const rv_loop_regs *rg, uint32_t slow);

#endif
