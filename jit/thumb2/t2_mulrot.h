/* A multiply followed by a rotate, as clang writes rotl(x * K, k) in 32 bits: it folds the
 * left shift into a second multiply by K << k (docs/thumb2.md, "Multiply and rotate"):
 *   mov32 t, x; mul32 t, K << k; mul32 x, K; rsh32 x, 32 - k; or32 x, t
 * with t dead after the or and no jump into the window. It computes x = ror(x * K, 32 - k)
 * (upper half 0), one multiply and one rotate. */
#ifndef MCUBPF_T2_MULROT_H
#define MCUBPF_T2_MULROT_H

#include <stdint.h>

#include "jit/jit_core.h"
#include "jit/mid/mid.h"

#define T2_MULROT_LEN 5u

typedef struct t2_mulrot {
    uint8_t x;     /* the register multiplied and rotated in place */
    uint8_t right; /* rotate-right amount, 1 .. 31 */
    uint32_t k;    /* the factor */
} t2_mulrot;

/* Does such a window start at pc? Returns 1 and fills r, else 0. */
int t2_match_mulrot(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                    t2_mulrot *r);

#endif
