/* Idioms over short windows of verified eBPF that a backend lowers as one operation. Target
 * independent: the matcher says what a window computes; the backend chooses the instructions. */
#ifndef MCUBPF_JIT_MID_IDIOMS_H
#define MCUBPF_JIT_MID_IDIOMS_H

#include "jit/mid/mid.h"

/* A rotate written with shifts and an or (what clang emits for (x << k) | (x >> (W - k))):
 *   mov t1, x; sh1 t1, k1; [mov t2, x;] sh2 t2, k2; or d, e   with {d, e} = {t1, t2},
 * sh1 and sh2 a left and a logical right shift, k1 + k2 = W (32 or 64), t2 = x without the
 * second mov, e dead after the or, no jump into the window. The window computes
 * d = rotate_right(x, right) and leaves x as it was (or dead). */
typedef struct mid_rotate {
    uint8_t len;   /* instructions in the window (4 or 5) */
    uint8_t wide;  /* 1: 64-bit rotate of x; 0: 32-bit rotate of its lower half, upper half 0 */
    uint8_t src;   /* x */
    uint8_t dst;   /* d */
    uint8_t right; /* rotate-right amount, 1 .. W - 1 */
} mid_rotate;

/* Does a rotate window start at pc? Returns 1 and fills r, else 0. */
int mid_match_rotate(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                     mid_rotate *r);

/* A 32-bit remainder by a constant written as x - (x / k) * k (what clang emits for x % k):
 *   mov32 t, x; div32 t, k; mul32 t, k; sub32 x, t   with k != 0 (unsigned division), t dead
 * after the sub, no jump into the window. The window computes x = (uint32_t)x % k (upper half
 * 0). */
typedef struct mid_umod {
    uint8_t len; /* instructions in the window (4) */
    uint8_t x;
    uint32_t k;
} mid_umod;

/* Does a remainder window start at pc? Returns 1 and fills r, else 0. */
int mid_match_umod(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                   mid_umod *r);

#endif
