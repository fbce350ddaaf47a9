/* Abstract values of the verifier's abstract interpreter (verifier/absint*.c).
 *
 * A register is uninitialised, a scalar (unsigned interval), a pointer into one region (stack,
 * context, rodata, data) with a signed offset interval, or "any" (a value that may be a pointer,
 * e.g. a function argument). Scalars and context offsets may also carry a bound relative to the
 * context length LEN (r2 at entry): value <= LEN - ub. That relation is what proves clang's
 * `for (i = 0; i < len; i++) ctx[i]` loops in bounds. */
#ifndef MCUBPF_VERIFIER_ABSINT_H
#define MCUBPF_VERIFIER_ABSINT_H

#include "verifier/verifier_internal.h"

enum { T_UNINIT = 0, T_SCALAR, T_ANY, T_STACK, T_CTX, T_RODATA, T_DATA };

#define AF_EQ_LEN 0x01 /* scalar == LEN, or context offset == LEN (the end of the context) */
#define AF_HINT 0x02   /* pointer reloaded from a stack slot: its region is a hint only, its offset
                        * unknown (a callee may have overwritten the slot) */
#define AF_LINK_SHIFT 4 /* bits 4-7: link group (0: none) of a scalar */
#define A_LINK(r) ((unsigned)(r)->flags >> AF_LINK_SHIFT)
#define UB_NONE INT32_MIN
#define DELTA_MAX 0x7fff

/* Links: scalars of one state with the same link group g != 0 differ by exact constants, value =
 * base_g + delta (as integers: no wrap), so a compare that bounds one bounds all of them
 * (`r6 = r4 + 3; if r6 > len goto out` bounds r4). In a state kept at a join point the group of
 * a link is 1 + its lowest register, whose delta is 0 (a canonical form, so equal relations
 * compare equal). */
typedef struct areg {
    uint8_t type, flags;
    int16_t delta;   /* scalar in a link group: value - base of the group */
    int32_t ub;      /* scalar value (context pointer: offset) <= LEN - ub; UB_NONE: no bound */
    uint64_t lo, hi; /* scalar: unsigned interval; pointer: signed offset interval; uninitialised:
                      * lo is the instruction where it became so */
} areg;

#define AS_SLOTS (MBPF_STACK_SIZE / 8) /* 8-byte stack slots below r10: the whole frame */
#define AS_SCALAR_WORD (0x01010101u * T_SCALAR) /* four slot kinds: numbers only */
#define AREGS 10    /* r0..r9; r10 is always the frame pointer */
#define SPILLS 3    /* spill records per state, the newest first */

/* A spill record: the value last stored, whole, at [r10 + off, r10 + off + size) of this frame
 * (size 4 or 8, aligned), while nothing that may have written those bytes since has run: a
 * reload of exactly those bytes gives that value back (a spilled counter, a spilled context
 * pointer with its offset and LEN bound). size 0: no record. Never linked. */
typedef struct aspill {
    areg v;
    int16_t off;
    uint8_t size;
    uint8_t pad[5];
} aspill;

typedef struct astate {
    areg r[AREGS];
    aspill spill[SPILLS];
    uint32_t len_min;        /* LEN >= len_min on every path here */
    uint8_t reached;
    uint8_t dirty;           /* changed since its block was last interpreted */
    uint8_t joins;           /* back edges that changed it (widening starts after JOINS_BEFORE_WIDEN) */
    uint8_t pad;
    uint8_t init[AS_SLOTS];  /* bit b of slot s: byte r10 - 8(s+1) + b written */
    uint8_t kind[AS_SLOTS];  /* T_SCALAR: no address bytes in the slot; T_STACK..T_DATA: an 8-byte
                              * spill of such a pointer; T_ANY: may hold (part of) an address */
} astate;

#define LEN_MAX 0xffffffffull /* context lengths are 32-bit */
#define OFF_LIMIT (1ll << 40)  /* pointer offsets beyond +-2^40 count as unknown */

/* Register helpers: the constructors inline (a few stores, made at every instruction), the rest
 * in absint_ops.c. */
static inline void a_scalar(areg *r, uint64_t lo, uint64_t hi)
{
    r->type = T_SCALAR;
    r->flags = 0;
    r->delta = 0;
    r->ub = UB_NONE;
    r->lo = lo;
    r->hi = hi;
}

/* *d = *s. Registers are copied at every step; on RV32 at -Os a struct copy becomes a call to
 * the library memcpy, which a size-optimised libc does a byte at a time, so there it goes field
 * by field (on the M4 the struct copy is a load and a store multiple, faster than the fields). */
static inline void a_copy(areg *d, const areg *s)
{
#if defined(__riscv)
    d->type = s->type;
    d->flags = s->flags;
    d->delta = s->delta;
    d->ub = s->ub;
    d->lo = s->lo;
    d->hi = s->hi;
#else
    *d = *s;
#endif
}

static inline void a_unknown(areg *r)
{
    a_scalar(r, 0, ~0ull);
}

static inline void a_uninit(areg *r, uint32_t pc)
{
    a_scalar(r, pc, pc);
    r->type = T_UNINIT;
}

static inline int a_is_ptr(const areg *r)
{
    return r->type >= T_STACK;
}

void a_any(areg *r, uint64_t hi);
int32_t a_eff_ub(const areg *r, uint32_t len_min);
void a_normalize(areg *r, uint32_t len_min);

/* Links (absint_ops.c): a new group shared by s->r[src] and the copy about to be made of it; the
 * canonical form of s's groups; the groups of the join of two states (old_to and from, whose
 * joined registers are in to). */
void a_link_for_copy(astate *s, uint8_t src);
void a_links_canon(astate *s);
void a_links_join(astate *to, const areg *old_to, const areg *from);

/* Links claimed by a certificate (absint_ops.c): do registers i and k of r differ by exactly diff
 * (i - k), by a link or through values r pins? Are r's links in the certificate's form (every
 * member linkable, its group 1 + its lowest member, deltas within +-DELTA_MAX; no group of one; no
 * stray delta)? The founder's delta need not be 0: the certificate keeps the full verifier's
 * deltas when a dead founder is left out. */
int a_links_imply(const areg *r, int i, int k, int32_t diff);
int a_links_canonical(const areg *r);

/* The same value, linked alike or not (links are checked apart): ub, lo and hi (words 1-5 of
 * an areg), the type, and the flags but for the link group. Most registers of an edge are. */
static inline int a_same_value(const areg *a, const areg *b)
{
    const uint32_t *x = (const uint32_t *)(const void *)a, *y = (const uint32_t *)(const void *)b;
    return x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4] && x[5] == y[5] &&
           a->type == b->type && ((a->flags ^ b->flags) & ~(0xfu << AF_LINK_SHIFT)) == 0;
}

/* Is `from` (LEN >= len_from) included in `to` (LEN >= len_to), i.e. does the join (absint.c,
 * no widening) of `from` into `to` change nothing, links aside (a state's links are checked as a
 * whole, a_links_imply)? The certificate checker's inclusion test. */
int a_reg_included(const areg *from, uint32_t len_from, const areg *to, uint32_t len_to);

/* Transfer of one ALU instruction to dst (src is the second operand as an abstract value). */
void a_alu(astate *s, const mbpf_insn *in, areg *dst, const areg *src);

/* Narrow s by the outcome of a conditional jump: taken (1) or not (0). Returns 0 when that
 * outcome is impossible. */
int a_branch(astate *s, const mbpf_insn *in, int taken);

#endif
