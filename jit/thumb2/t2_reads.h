/* Multi-byte reads written load by load (docs/thumb2.md, "Fused reads"): clang writes a
 * little-endian read it cannot prove aligned as byte (or halfword) loads from one base, shifted
 * into place and or-ed together. On ARMv7-M a word load may be unaligned, so such a window is
 * one ldrh, ldr or two ldr when every byte it reads is proven or checked before it. */
#ifndef MCUBPF_T2_READS_H
#define MCUBPF_T2_READS_H

#include <stdint.h>

#include "jit/jit_core.h"

#define T2_READ_MAX_LOADS 8

typedef struct t2_read {
    uint32_t last;   /* the window is [pc, last] */
    int dst;         /* the register holding the value after it */
    int base;        /* the base register of every load (not written in the window) */
    int16_t off;     /* the value is the `width` bytes at base + off, little-endian */
    uint32_t width;  /* 2, 4 or 8 */
    uint32_t n_loads;
    uint32_t load[T2_READ_MAX_LOADS]; /* the loads' pcs, in order (the first is pc) */
} t2_read;

/* Does the window starting with the load at pc compute such a read? Only when every instruction
 * in it takes part (plain loads from the base, shifts left by whole bytes, ors of disjoint byte
 * lanes at the same address, copies), every loaded byte ends up in dst, no join lands inside,
 * and every other register it writes is dead after it. The longest such window is taken. */
int t2_match_read(const jit_ctx *c, const mid_info *m, uint32_t pc, t2_read *r);

#endif
