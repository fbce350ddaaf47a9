/* Middle end: counted loops, their induction variables and the accesses affine in them, for
 * loop versioning (guards checked once before the loop, the budget charged once per entry).
 *
 * A loop here is the instruction range [head, latch] closed by a conditional back edge at
 * `latch`, entered only at `head` (its preheader is every edge into head from outside), with no
 * jump inside the range other than exits and the back edge, and no call or exit instruction. Its
 * counter `ctr` changes by a constant step exactly once per iteration and is compared with a
 * loop-invariant bound at the latch, so the number of taken back edges of one entry can be
 * computed from the values at the preheader (`ml_loop` says how). Every other register whose
 * only definition in the loop adds a constant is an induction variable too; an access whose
 * address is the sum of up to two loop-entry values (invariants or induction variables) plus a
 * constant belongs to a group, and a group's accesses over the whole loop lie in one range that
 * one check before the loop can test.
 *
 * A rotated loop (ML_ROTATED, the shape clang gives a loop whose test sits at the top) is entered
 * at `entry` inside [head, latch], never at head: [head, test] is straight line, updates the
 * counter and ends in its test, whose continuing side is `entry` and whose other side leaves (at
 * once or through one `ja`); [entry, latch] may branch forward inside the loop and jumps back to
 * head from any point (every such jump is a back edge of the loop, `latch` is the last one).
 * Counted from the values at `entry`, the loop takes one back edge more than the count of a loop
 * entered at head with the same values, and runs its accesses in that many iterations.
 *
 * Target independent, freestanding, deterministic; the result lives in the caller's work area. */
#ifndef MCUBPF_JIT_MID_LOOPS_H
#define MCUBPF_JIT_MID_LOOPS_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"
#include "jit/mid/mid.h"

#define ML_MAX_LOOPS 8  /* loops versioned per program (the first ones in program order) */
#define ML_MAX_GROUPS 4 /* distinct access ranges checked per loop */
#define ML_MAX_STEP 2048 /* |step| of an induction variable an access range may use */
#define ML_MAX_OFF 4095  /* |constant| part of an address */
#define ML_MAX_TARGETS 4 /* instructions inside a loop that its own jumps land on (rotated loops) */
#define ML_MAX_COUNT_LOG2 20 /* the fast copy runs when the loop takes fewer than 2^20 back edges */
#define ML_MAX_NARROW 4  /* 64-bit induction variables per loop the fast copy updates in 32 bits */

/* Exit test at the latch, normalised to "continue while ctr TEST bound". */
enum { ML_LT, ML_LE, ML_GT, ML_GE, ML_NE };

/* ml_loop.flags */
#define ML_HOIST 1     /* every guarded access in the loop is in a group: the fast copy has none */
#define ML_PRECHARGE 2 /* budgeted back edge and no other exit: the fast copy charges the taken
                        * back edges of the entry once, at the preheader */
#define ML_WIDE 4      /* the test compares 64-bit values (ML_NE, or ML_LT / ML_GT unsigned);
                        * else the lower halves, unsigned */
#define ML_ROTATED 8   /* entered at `entry` > head (see above): one back edge more than the count */

typedef struct ml_group {
    int8_t a, b;     /* eBPF registers whose values at loop entry add up to the base; b < 0: none */
    uint8_t region;  /* MBPF_RGN_* of the accesses (all in the same region and direction) */
    uint8_t write;
    int32_t step;    /* change of the base per iteration */
    int32_t lo, hi;  /* over one iteration: lowest address - base, end of the highest - base */
    uint8_t align;   /* every access (not proven aligned) lies at a multiple of its size when
                      * the base is a multiple of align (1: any base); 0: not so */
} ml_group;

/* A narrow induction variable: a 64-bit one (r += step in 64 bits, its only definition in the
 * loop) whose upper half the fast copy needs, and updates in 32 bits (see ml_loop.narrow). */
typedef struct ml_iv {
    int8_t r;
    int32_t step;
} ml_iv;

typedef struct ml_loop {
    uint32_t head, latch;
    uint32_t entry;    /* where every edge from outside enters: head, or inside with ML_ROTATED */
    int8_t ctr;        /* counter register */
    int8_t bound;      /* register it is compared with, or -1: bound_imm */
    uint8_t test;      /* ML_LT .. ML_NE */
    uint8_t flags;     /* ML_HOIST | ML_PRECHARGE | ML_WIDE */
    int32_t bound_imm; /* the immediate (sign-extended to 64 bits for ML_WIDE) */
    int32_t step;      /* counter step: +-1, or a power of two for ML_NE */
    uint8_t n_groups;
    uint8_t guards;    /* guarded access sites the fast copy runs without a guard */
    ml_group g[ML_MAX_GROUPS];
    uint32_t dead;     /* halves (mid.h bits) the fast copy need not compute: read there only by
                        * the accesses its test checks (their base's upper half), and dead at
                        * every exit of the loop. The fast copy takes them out of every live set
                        * of mid_info. */
    /* Narrow induction variables. The contract of the test before the fast copy, for each:
     * its lower half plus (count + 1) * step stays in [0, 2^32) (no carry or borrow over the at
     * most count + 1 updates of one entry), so its upper half is the same all through the fast
     * copy, whose updates (mid_loop_narrow_update) write the lower half alone. For those in
     * hz_fast the upper half is also zero: the test sets its home to 0 when the middle end knows
     * it zero at the entry (the home may be stale), else checks that the home holds 0; the fast
     * copy then reads it as known zero throughout. */
    uint8_t n_narrow;
    ml_iv narrow[ML_MAX_NARROW];
    uint16_t hz_fast;  /* registers (bit r) of narrow induction variables zero in the fast copy:
                        * known zero at the entry, or expected zero whenever the fast copy can
                        * run (a base of its own group, a counter counting up, a growing
                        * offset: checking it costs no fast runs) with that half read in the
                        * fast copy other than by the update (else knowing it buys nothing) */
    uint8_t n_targets; /* ML_ROTATED: instructions in (head, latch] that jumps inside the loop */
    uint32_t target[ML_MAX_TARGETS]; /* land on, entry first (the fast copy needs their labels) */
} ml_loop;

typedef struct mid_loops {
    uint32_t n;
    ml_loop loop[ML_MAX_LOOPS];
} mid_loops;

/* Work bytes mid_loops_analyse needs (a fixed amount). */
size_t mid_loops_work_size(void);

/* Find the versionable loops of p (facts from the verifier, m from mid_analyse). The result is
 * carved from work (mid_loops_work_size() bytes, 4-aligned) and returned; NULL when work is too
 * small. Every loop it returns has ML_HOIST with at least one group, or ML_PRECHARGE. Only
 * loops entered at their head: see mid_loops_find for the others. */
const mid_loops *mid_loops_analyse(const mbpf_program *p, const mbpf_fact *facts,
                                   const mid_info *m, void *work, size_t size);

/* shapes for mid_loops_find, beyond the loops entered at their head */
#define ML_SHAPE_ROTATED 1 /* rotated loops (ML_ROTATED): the backend handles their entry */

/* mid_loops_analyse that also returns the loops of the given shapes. */
const mid_loops *mid_loops_find(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                                void *work, size_t size, unsigned shapes);

/* The versioned loop whose head / latch is pc, or NULL. */
const ml_loop *mid_loop_at_head(const mid_loops *ls, uint32_t pc);
const ml_loop *mid_loop_at_latch(const mid_loops *ls, uint32_t pc);

/* Is pc a back edge of l (a jump inside l to its head)? */
int mid_loop_back_edge(const ml_loop *l, const mbpf_program *p, uint32_t pc);

/* The versioned loop whose range [head, latch] holds pc, or NULL (versioned loops never nest). */
const ml_loop *mid_loop_around(const mid_loops *ls, uint32_t pc);

/* Is the access with fact f, inside loop l, checked by one of l's groups? (The fast copy then
 * treats it as proven.) */
int mid_loop_hoisted(const ml_loop *l, const mbpf_fact *f); /* f: mem as mid_access_check gives it */

/* Does every group of l have an align (ml_group)? Then a test that sends a base that is not a
 * multiple of its group's align to the original loop lets the fast copy take every access it
 * checks as aligned. */
int mid_loop_aligned(const ml_loop *l);

/* May the fast copy of l, whose width state at `in` is hz (mid_info's with l->hz_fast added),
 * write only the lower half at `in`? Yes for the update of a narrow induction variable whose
 * upper half's home holds its value there: in hz_fast (the test set it), or not known zero (so
 * not stale). */
int mid_loop_narrow_update(const ml_loop *l, const mbpf_insn *in, uint32_t hz);

/* Must the test of l check that narrow induction variable r's upper half is zero (hz: the
 * middle end's width state at the entry)? Yes when r is in hz_fast, not known zero, and not
 * the whole base of a group (whose check already sends a nonzero upper half to the original
 * loop). */
int mid_loop_checks_zero(const ml_loop *l, int r, uint32_t hz);

/* What the fast paths still check, for reports: accesses not proven and not checked before
 * their loop (*guards), back edges not proven bounded and not charged before their loop
 * (*budgeted). ls may be NULL (nothing versioned). Static counts of instructions. */
void mid_loops_left(const mbpf_program *p, const mbpf_fact *facts, const mid_loops *ls,
                    uint32_t *guards, uint32_t *budgeted);

#endif
