/* Multi-byte reads written load by load (docs/thumb2.md, "Fused reads"): clang writes a
 * little- or big-endian read it cannot prove aligned as byte (or halfword) loads from one base,
 * shifted into place and or-ed together, often interleaved with unrelated work. On ARMv7-M a word load
 * may be unaligned, so such a read is one ldrh, ldr or two ldr (then rev16 or rev for a
 * big-endian one) when every byte it reads is proven or checked before it. */
#ifndef MCUBPF_T2_READS_H
#define MCUBPF_T2_READS_H

#include <stdint.h>

#include "jit/jit_core.h"

#define T2_READ_MAX_LOADS 8
#define T2_READ_WINDOW 48 /* instructions, so that the read's own fit one 64-bit mask */

typedef struct t2_read {
    uint32_t first;   /* the window is [first, last]; first is the first load */
    uint32_t last;    /* the read's last instruction (its value complete in dst) */
    uint32_t emit;    /* where the fused load goes (the base and dst hold there, see below) */
    uint64_t own;     /* bit i: instruction first + i is the read's own (emits nothing else) */
    int dst;          /* the register holding the value after last */
    int base;         /* the base register of every load (not written in the window) */
    int16_t off;      /* the value is the `width` bytes at base + off, little-endian */
    int big;          /* ...or big-endian */
    uint32_t width;   /* 2, 4 or 8 */
    uint32_t n_loads;
    uint32_t load[T2_READ_MAX_LOADS]; /* the loads' pcs, in order (the first is first) */
} t2_read;

/* Does a read start with the load at pc? Its own instructions are plain loads from the base,
 * shifts left by whole bytes, ors of disjoint byte lanes and copies, the bytes in one order; the
 * others in the window (ALU, LDDW, loads the verifier proved) neither read a register holding
 * part of the read nor write the base. Every loaded byte ends up in dst, no join lands in the
 * window, and every register the read itself wrote last is dead after it but dst. The fused
 * load goes to `emit`, the later of the last load and the start of dst's run of the read's own
 * values: from there to last, no other instruction touches dst and the halves it loads stay
 * live (nothing borrows their registers), and from the last load to emit the base stays live.
 * Below 8 bytes the upper half, zero, is written at last. The longest such read is taken. */
int t2_match_read(const jit_ctx *c, const mid_info *m, uint32_t pc, t2_read *r);

#endif
