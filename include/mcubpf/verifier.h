/* The verifier: checks a program and hands per-instruction facts to the translators.
 * Freestanding C99, no malloc: all working memory comes from a caller-provided arena. */
#ifndef MCUBPF_VERIFIER_H
#define MCUBPF_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/vm.h"

/* Memory-access fact of a load/store/atomic instruction (mbpf_fact.mem). */
#define MBPF_MEM_NONE 0         /* not a memory access */
#define MBPF_MEM_PROVEN 1       /* always inside region `region`: no guard needed */
#define MBPF_MEM_GUARD_REGION 2 /* pointer into region `region`, offset not proven: guard it */
#define MBPF_MEM_GUARD_ANY 3    /* region unknown: check against every region */

/* Region ids for mbpf_fact.region. */
#define MBPF_RGN_STACK 0
#define MBPF_RGN_CTX 1
#define MBPF_RGN_RODATA 2
#define MBPF_RGN_DATA 3
#define MBPF_RGN_EXTRA 4 /* a helper-granted region */

/* mbpf_fact.flags */
#define MBPF_FACT_HI_ZERO 0x01    /* after this insn, dst's upper 32 bits are known zero */
#define MBPF_FACT_BACKEDGE 0x02   /* this jump is a back edge (target <= pc) */
#define MBPF_FACT_BOUNDED 0x04    /* ...and the loop it closes is proven bounded: no budget check */
#define MBPF_FACT_REACHABLE 0x08  /* the instruction is reachable (all accepted insns are) */
#define MBPF_FACT_JUMP_TARGET 0x10 /* some jump or call lands here (a label for the translator) */
#define MBPF_FACT_SUBPROG 0x20    /* first instruction of a local function (entry at 0 included) */
#define MBPF_FACT_LOOP_HEAD 0x40  /* first instruction of a loop proven bounded (its back edges carry
                                   * MBPF_FACT_BOUNDED): every entry into the loop, i.e. arriving here
                                   * by any edge but one of those back edges, charges the loop's trip
                                   * bound, MBPF_FACT_TRIPS(f) budget units (see MBPF budget rules in
                                   * vm.h); the back edges then cost nothing */
#define MBPF_FACT_ALIGNED 0x80    /* memory access: its address is a multiple of its size (the stack
                                   * buffer is 8-byte aligned, vm.h). Without it translated code must
                                   * use forms that are correct on cores that trap on misaligned
                                   * accesses (no ldrd/strd/ldm/stm on Thumb-2, no lw/sw on RV32) */

typedef struct mbpf_fact {
    uint8_t mem;
    uint8_t region;
    uint8_t flags;
    uint8_t aux;  /* MBPF_FACT_LOOP_HEAD: trip bound - 1 (1..MBPF_LOOP_MAX_TRIPS); else 0 */
} mbpf_fact;

/* Budget units charged when a bounded loop is entered. */
#define MBPF_FACT_TRIPS(f) ((uint32_t)(f)->aux + 1u)

/* The loop table, an optional output (mbpf_verify_loops): one entry per back edge (a jump to an
 * instruction at or before itself), in program order, res.loops of them. Derived from the
 * same states as the facts and checked at run time like them (MBPF_INTERP_CHECK_FACTS). */
#define MBPF_LOOP_UNBOUNDED 0 /* no bound known: the back edge charges the budget */
#define MBPF_LOOP_CONSTANT 1  /* at most `trips` back edges per entry; the head carries
                               * MBPF_FACT_LOOP_HEAD, the back edge MBPF_FACT_BOUNDED */
#define MBPF_LOOP_COUNTABLE 2 /* at most (LEN + len_add) / len_div + 1 back edges per entry, LEN the
                               * context length of the run: budget and guards can be hoisted to the
                               * entry (the budget rules of vm.h still charge the back edge) */

#define MBPF_IV_NONE 0 /* no induction variable found */
#define MBPF_IV_ADD 1  /* iv += iv_step, exactly once per iteration */
#define MBPF_IV_RSH 2  /* iv >>= iv_step (unsigned), exactly once per iteration */
#define MBPF_IV_NO_REG 0xff

typedef struct mbpf_loop {
    uint32_t head;       /* first instruction (the back edge's target) */
    uint32_t latch;      /* the back edge */
    uint32_t test;       /* the exit test the bound comes from (the latch, or a test just before an
                          * unconditional latch) */
    uint8_t cls;         /* MBPF_LOOP_* */
    uint8_t iv_reg;      /* the induction variable, r0-r9; MBPF_IV_NO_REG when none */
    uint8_t iv_kind;     /* MBPF_IV_* */
    uint8_t iv_start_known; /* iv_start holds its value at every entry */
    uint32_t iv_update;  /* the instruction that updates it */
    int32_t iv_step;
    uint32_t trips;      /* MBPF_LOOP_CONSTANT: back edges per entry, at most */
    uint64_t iv_start;
    int64_t len_add;     /* MBPF_LOOP_COUNTABLE: the bound's terms */
    uint32_t len_div;
    uint32_t pad;
} mbpf_loop;

typedef struct mbpf_verify_opts {
    uint64_t helper_mask_lo; /* bit n: helper id n (0..63) allowed */
    uint64_t helper_mask_hi; /* bit n: helper id 64+n allowed */
    uint32_t max_insns;      /* 0 = MBPF_MAX_INSNS */
    uint32_t ctx_flags;      /* access allowed to the context: MBPF_REGION_R | MBPF_REGION_W; the
                              * engines must run the program with exactly these flags */
    uint32_t ctx_min_len;    /* the embedder promises contexts of at least this many bytes (a
                              * fixed struct): accesses below it are proven without a length
                              * check. 0 = nothing promised */
} mbpf_verify_opts;

/* A loop proven bounded runs at most this many iterations per entry (verifier/loops.c). */
#define MBPF_LOOP_MAX_TRIPS 256u

typedef struct mbpf_verify_result {
    uint32_t pc;      /* instruction the error is about */
    char msg[200];    /* one line: "verify: insn 12 (ldxw r0, [r3+8]): r3 is not initialised ..." */
    /* figures for reports (reachable instructions only) */
    uint32_t mem_accesses, mem_proven;   /* loads/stores/atomics; proven in bounds */
    uint32_t alu_results, alu_hi_zero;   /* ALU, ALU64, load results; upper half known zero */
    uint32_t alu32_results, alu32_hi_zero; /* the 32-bit ALU ones among them */
    uint32_t loops, loops_bounded;       /* back edges; proven bounded (MBPF_LOOP_CONSTANT) */
    uint32_t loops_countable;            /* back edges bounded by the context length */
    uint32_t sweeps;                     /* passes of the abstract interpreter */
    uint32_t states;                     /* abstract states kept (jump targets + functions) */
} mbpf_verify_result;

/* Arena bytes the verifier needs for a program of n_insns instructions, in the worst case (every
 * instruction a jump target): MBPF_VERIFY_ARENA_PER_INSN * n + MBPF_VERIFY_ARENA_FIXED. */
size_t mbpf_verify_arena_size(uint32_t n_insns);

/* Arena bytes the verifier needs for p: the per-instruction part plus one abstract state per
 * jump or call instruction (an upper bound on the join points) and per function entry.
 * Usually far less than mbpf_verify_arena_size(p->n_insns). */
size_t mbpf_verify_arena_need(const mbpf_program *p);

/* Verify p. facts has n_insns entries (may be NULL). Returns 0 when accepted, -1 when rejected
 * (res->msg says why), -2 when the arena is too small. */
int mbpf_verify(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                void *arena, size_t arena_size, mbpf_verify_result *res);

/* mbpf_verify that also fills the loop table: loops[i] for the first loops_cap back edges
 * (res->loops is how many there are). Same verdict and facts. */
int mbpf_verify_loops(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                      mbpf_loop *loops, uint32_t loops_cap, void *arena, size_t arena_size,
                      mbpf_verify_result *res);

/* Disassemble one instruction (two slots for LDDW; `next` may be NULL otherwise) into buf, in the
 * syntax of the conformance suites: "ldxw r0, [r3+8]", "add32 r1, 5", "jeq r1, r2, +3". */
void mbpf_disasm(const mbpf_insn *insn, const mbpf_insn *next, char *buf, size_t len);

#endif
