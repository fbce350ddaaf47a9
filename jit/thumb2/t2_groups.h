/* Guarded loads of one base checked once (docs/thumb2.md, "Load groups"): in straight-line code,
 * the loads from an unchanged base register into one region, as clang writes a multi-byte
 * little-endian read byte by byte, are checked together at the first of them. */
#ifndef MCUBPF_T2_GROUPS_H
#define MCUBPF_T2_GROUPS_H

#include <stdint.h>

#include "jit/jit_core.h"

#define T2_GROUP_SPAN 255u /* the bytes one check covers (an 8-bit immediate) */

typedef struct t2_group {
    uint32_t leader;  /* pc of the first load, which checks the group */
    uint32_t last;    /* pc of the last member; 0: no group */
    int base;         /* the eBPF base register */
    uint8_t region;   /* the region the verifier attributed every member to */
    int32_t min_off;  /* lowest offset of a member */
    uint32_t span;    /* bytes from base + min_off to the end of the highest access */
} t2_group;

/* The group the guarded load at pc leads: g->last = 0 unless at least one later load joins it.
 * Between the leader and its last member there is no join, jump, call, exit, store, atomic or
 * other access that may fault, and the base is not written before the last member; so if the
 * interpreter faults in the window, it faults at a member, and checking the members in order
 * at the leader finds the same fault (loads change nothing else the fault leaves visible). */
void t2_group_scan(const jit_ctx *c, uint32_t pc, t2_group *g);

/* Is instruction i (leader < i <= last) a member of g (checked at the leader)? */
int t2_group_member(const jit_ctx *c, const t2_group *g, uint32_t i);

#endif
