/* The verifier's trip bounds against real runs, over a grid of small counted loops: every start,
 * step and bound in a set of values where signs flip and widths wrap, every compare (64 and 32
 * bits, against an immediate or a register on either side), updates of both widths, and four
 * shapes (update then test; test of a copy taken before the update; the exit test at the top with
 * a `ja` back; a right shift). A loop head the verifier bounds by T trips must take at most T back
 * edges per run (the interpreter stops it on the (T + 1)th with a budget of T), and the one-pass
 * checker must accept the program's certificate with the same facts. Loops bounded by the
 * context length are run with contexts of several lengths against their (LEN + add) / div + 1. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/interp_facts.h"
#include "tests/unit/bpf_asm.h"
#include "tests/unit/fact_grid.h"

#define MAX_INSNS GRID_MAX_INSNS

static uint8_t ctx[64]; /* the context of every run (its bytes do not matter) */

enum { S_UPDATE_TEST, S_COPY_BEFORE, S_EXIT_BEFORE_JA, S_TOP_EXIT, S_SHIFT, N_SHAPES };
enum { B_IMM, B_REG, B_REG_SWAPPED, B_LEN, N_BOUNDS };

typedef struct loop_case {
    int shape, bound_kind, jmp32, alu32;
    uint8_t jop, aop;
    uint64_t start, bound;
    int32_t step;
} loop_case;

static const mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                                      MBPF_REGION_R | MBPF_REGION_W, 0};

/* The program of c; *head is the loop's first instruction. */
static uint32_t build(const loop_case *c, mbpf_insn *out, uint32_t *head)
{
    uint32_t n = 0;
    const uint8_t jcls = c->jmp32 ? MBPF_JMP32 : MBPF_JMP, acls = c->alu32 ? MBPF_ALU : MBPF_ALU64;
    out[n++] = MOV64(0, 0);
    const mbpf_insn start[] = {LDDW(3, c->start)};
    out[n++] = start[0];
    out[n++] = start[1];
    if (c->bound_kind == B_REG || c->bound_kind == B_REG_SWAPPED) {
        const mbpf_insn bound[] = {LDDW(4, c->bound)};
        out[n++] = bound[0];
        out[n++] = bound[1];
    }
    /* the compare of r3 (or its copy r5) with the bound, jumping by off */
    const uint8_t iv = c->shape == S_COPY_BEFORE ? 5 : 3;
    mbpf_insn cmp;
    switch (c->bound_kind) {
    case B_IMM: cmp = INSN(jcls | c->jop | MBPF_K, iv, 0, 0, (int32_t)c->bound); break;
    case B_REG: cmp = INSN(jcls | c->jop | MBPF_X, iv, 4, 0, 0); break;
    case B_REG_SWAPPED: cmp = INSN(jcls | c->jop | MBPF_X, 4, iv, 0, 0); break;
    default: cmp = INSN(jcls | c->jop | MBPF_X, iv, 2, 0, 0); break; /* r2: the context length */
    }
    const mbpf_insn update = c->shape == S_SHIFT ? INSN(acls | MBPF_RSH | MBPF_K, 3, 0, 0, c->step)
                                                 : INSN(acls | c->aop | MBPF_K, 3, 0, 0, c->step);
    *head = n;
    switch (c->shape) {
    case S_UPDATE_TEST:
    case S_SHIFT:
        out[n++] = update;
        cmp.off = -2;
        out[n++] = cmp;
        break;
    case S_COPY_BEFORE:
        out[n++] = MOV64R(5, 3);
        out[n++] = update;
        cmp.off = -3;
        out[n++] = cmp;
        break;
    case S_EXIT_BEFORE_JA: /* the update, the exit test, the way back */
        out[n++] = update;
        cmp.off = 1;
        out[n++] = cmp;
        out[n++] = JA(-3);
        break;
    default: /* exit test first, the update, the way back */
        cmp.off = 2;
        out[n++] = cmp;
        out[n++] = update;
        out[n++] = JA(-3);
        break;
    }
    out[n++] = EXIT();
    return n;
}

static void describe(const loop_case *c, char *buf, size_t cap)
{
    snprintf(buf, cap, "shape %d bound kind %d jmp%s op 0x%02x, alu%s op 0x%02x step %d, start 0x%llx, bound 0x%llx",
             c->shape, c->bound_kind, c->jmp32 ? "32" : "64", c->jop, c->alu32 ? "32" : "64", c->aop, c->step,
             (unsigned long long)c->start, (unsigned long long)c->bound);
}

/* Back edges a run takes, at most limit; limit + 1 when it would take more. */
static uint64_t back_edges(const mbpf_program *p, uint32_t ctx_len, uint64_t limit)
{
    uint64_t left;
    const mbpf_status s = grid_run(p, ctx, ctx_len, NULL, limit, &left); /* a back edge costs a unit */
    if (s == MBPF_FAULT_BUDGET)
        return limit + 1;
    cr_assert_eq(s, MBPF_OK, "a loop program faulted (%d)", s);
    return limit - left;
}

typedef struct tally {
    uint32_t cases, bounded, countable;
} tally;

static void check_case(const loop_case *c, tally *t)
{
    static uint8_t arena[1 << 16];
    mbpf_insn insns[MAX_INSNS];
    uint32_t head;
    const uint32_t n = build(c, insns, &head);
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    mbpf_fact facts[MAX_INSNS];
    mbpf_loop loops[4];
    mbpf_verify_result r;
    char what[200];
    t->cases++;
    describe(c, what, sizeof what);
    /* a loop the verifier cannot bound is still accepted: the budget stops it */
    cr_assert_eq(mbpf_verify_loops(&p, &opts, facts, loops, 4, arena, sizeof arena, &r), 0, "%s: %s", what, r.msg);
    static const uint32_t lens[] = {0, 1, 2, 3, 7, 8, 33, 64}; /* context lengths (r2) */
    const unsigned n_lens = c->bound_kind == B_LEN ? sizeof lens / sizeof lens[0] : 1;
    if (facts[head].flags & MBPF_FACT_LOOP_HEAD) {
        const uint32_t trips = MBPF_FACT_TRIPS(&facts[head]);
        t->bounded++;
        interp_facts_set_loops(loops, r.loops < 4 ? r.loops : 4);
        for (unsigned i = 0; i < n_lens; i++) {
            const uint64_t taken = back_edges(&p, lens[i], trips);
            cr_assert_leq(taken, trips, "%s: bounded by %u trips, ran more at length %u", what, trips, lens[i]);
            grid_run(&p, ctx, lens[i], facts, trips, NULL); /* its induction variable as the table says */
        }
        interp_facts_set_loops(NULL, 0);
    } else if (r.loops == 1 && loops[0].cls == MBPF_LOOP_COUNTABLE) {
        t->countable++;
        for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            const int64_t bound = ((int64_t)lens[i] + loops[0].len_add) / (int64_t)loops[0].len_div + 1;
            cr_assert_gt(bound, 0, "%s: countable with a bound below 1 at length %u", what, lens[i]);
            const uint64_t taken = back_edges(&p, lens[i], (uint64_t)bound);
            cr_assert_leq(taken, (uint64_t)bound, "%s: countable by (LEN + %lld) / %u + 1, ran more at length %u",
                          what, (long long)loops[0].len_add, loops[0].len_div, lens[i]);
        }
    } else {
        return; /* budgeted: nothing claimed */
    }
    grid_check_cert(&p, &opts, facts, what); /* the device's path, for a loop with a claim */
}

static const uint64_t values[] = {0, 1, 3, 10, 256, 0x7ffffffeull, 0x7fffffffull, 0x80000000ull, 0xffffffffull,
                                  0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, (uint64_t)-5,
                                  (uint64_t)-1};
static const uint8_t jops[] = {MBPF_JEQ, MBPF_JNE, MBPF_JGT, MBPF_JGE, MBPF_JLT,
                               MBPF_JLE, MBPF_JSGT, MBPF_JSGE, MBPF_JSLT, MBPF_JSLE};
static const struct {
    uint8_t op;
    int32_t step;
} updates[] = {{MBPF_ADD, 1}, {MBPF_ADD, 3}, {MBPF_ADD, 7}, {MBPF_ADD, -1}, {MBPF_ADD, -3},
               {MBPF_ADD, -7}, {MBPF_ADD, 0x40000000}, {MBPF_SUB, 1}, {MBPF_SUB, -1}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every combination for one shape and bound kind; the shift shape uses amounts 1-3 as steps. */
static void grid(int shape, int bound_kind, tally *t)
{
    const unsigned n_updates = shape == S_SHIFT ? 3 : COUNT(updates);
    const unsigned n_bounds = bound_kind == B_LEN ? 1 : COUNT(values);
    for (unsigned w = 0; w < 4; w++)
        for (unsigned j = 0; j < COUNT(jops); j++)
            for (unsigned u = 0; u < n_updates; u++)
                for (unsigned s = 0; s < COUNT(values); s++)
                    for (unsigned b = 0; b < n_bounds; b++) {
                        loop_case c = {shape, bound_kind, (int)(w & 1), (int)(w >> 1), jops[j],
                                       shape == S_SHIFT ? (uint8_t)MBPF_RSH : updates[u].op,
                                       values[s], values[b], shape == S_SHIFT ? (int32_t)u + 1 : updates[u].step};
                        check_case(&c, t);
                    }
}

/* Every bound kind of one shape; some loops of the shape must be bounded (else the grid tests
 * nothing of the bounds). */
static void run_shape(int shape)
{
    uint32_t bounded = 0;
    for (int k = 0; k < N_BOUNDS; k++) {
        tally t = {0};
        grid(shape, k, &t);
        cr_log_info("shape %d bound kind %d: %u loops, %u bounded, %u countable", shape, k, t.cases, t.bounded,
                    t.countable);
        bounded += t.bounded + t.countable;
    }
    cr_expect_gt(bounded, 0u, "no loop of this shape was bounded");
}

Test(loop_bounds, update_then_test) { run_shape(S_UPDATE_TEST); }
Test(loop_bounds, test_of_a_copy_taken_before_the_update) { run_shape(S_COPY_BEFORE); }
Test(loop_bounds, exit_test_before_the_way_back) { run_shape(S_EXIT_BEFORE_JA); }
Test(loop_bounds, exit_test_at_the_top) { run_shape(S_TOP_EXIT); }
Test(loop_bounds, right_shift) { run_shape(S_SHIFT); }
