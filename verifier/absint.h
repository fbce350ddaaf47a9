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
#define UB_NONE INT32_MIN

typedef struct areg {
    uint8_t type, flags;
    uint16_t origin; /* uninitialised registers: instruction where they became so */
    int32_t ub;      /* scalar value (context pointer: offset) <= LEN - ub; UB_NONE: no bound */
    uint64_t lo, hi; /* scalar: unsigned interval; pointer: signed offset interval */
} areg;

#define AS_SLOTS (MBPF_STACK_SIZE / 8) /* 8-byte stack slots below r10: the whole frame */
#define AREGS 10    /* r0..r9; r10 is always the frame pointer */

typedef struct astate {
    areg r[AREGS];
    uint32_t len_min;        /* LEN >= len_min on every path here */
    uint8_t reached;
    uint8_t dirty;           /* changed since its block was last interpreted */
    uint8_t pad[2];
    uint8_t init[AS_SLOTS];  /* bit b of slot s: byte r10 - 8(s+1) + b written */
    uint8_t kind[AS_SLOTS];  /* T_SCALAR: no address bytes in the slot; T_STACK..T_DATA: an 8-byte
                              * spill of such a pointer; T_ANY: may hold (part of) an address */
} astate;

#define LEN_MAX 0xffffffffull /* context lengths are 32-bit */
#define OFF_LIMIT (1ll << 40)  /* pointer offsets beyond +-2^40 count as unknown */

/* Register helpers (absint_ops.c). */
void a_scalar(areg *r, uint64_t lo, uint64_t hi);
void a_unknown(areg *r);
void a_any(areg *r, uint64_t hi);
void a_uninit(areg *r, uint32_t pc);
int a_is_ptr(const areg *r);
int32_t a_eff_ub(const areg *r, uint32_t len_min);
void a_normalize(areg *r, uint32_t len_min);

/* Is `from` (LEN >= len_from) included in `to` (LEN >= len_to), i.e. does the join (absint.c,
 * no widening) of `from` into `to` change nothing? The certificate checker's inclusion test. */
int a_reg_included(const areg *from, uint32_t len_from, const areg *to, uint32_t len_to);

/* Transfer of one ALU instruction to dst (src is the second operand as an abstract value). */
void a_alu(astate *s, const mbpf_insn *in, areg *dst, const areg *src);

/* Narrow s by the outcome of a conditional jump: taken (1) or not (0). Returns 0 when that
 * outcome is impossible. */
int a_branch(astate *s, const mbpf_insn *in, int taken);

#endif
