/* The middle end's loop analysis (jit/mid/mid_loops.h) on small programs: which loops are
 * versioned, their counter and exit test, the access groups and their ranges, and the loops it
 * must leave alone. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_asm.h"
#include "loop_programs.h"
#include "verified_fixture.h"
#include "jit/mid/mid.h"
#include "jit/mid/mid_loops.h"
#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"

typedef struct analysed {
    mbpf_program p;
    mbpf_fact *facts;
    void *work, *lwork;
    mid_info m;
    const mid_loops *ls;
} analysed;

static void analyse(analysed *a, const mbpf_insn *insns, uint32_t n)
{
    memset(a, 0, sizeof *a);
    a->facts = verified_facts(&a->p, insns, n);
    a->work = malloc(mid_scratch_size(n) + mid_work_size(n)); /* the scratch first, 4-aligned */
    a->lwork = malloc(mid_loops_work_size());
    cr_assert(a->work && a->lwork);
    cr_assert_eq(mid_analyse(&a->p, a->facts, (char *)a->work + mid_scratch_size(n), mid_work_size(n),
                             a->work, &a->m), 0);
    a->ls = mid_loops_find(&a->p, a->facts, &a->m, a->lwork, mid_loops_work_size(),
                           ML_SHAPE_ROTATED);
    cr_assert(a->ls);
}

static void release(analysed *a)
{
    free(a->facts);
    free(a->work);
    free(a->lwork);
}

/* The program translates for Thumb-2 and for RV32 (both copies of a versioned loop fit the
 * contract), and its fast paths still check `guards` accesses and charge `budgeted` back edges
 * one by one. */
static void translates(const analysed *a, uint32_t guards, uint32_t budgeted)
{
    static uint8_t code[8192];
    static const mbpf_target targets[] = {MBPF_TARGET_THUMB2, MBPF_TARGET_RV32IMC};
    size_t wsz = mbpf_jit_work_size(a->p.n_insns);
    void *work = malloc(wsz);
    mbpf_jit_result r;
    cr_assert(work);
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(mbpf_jit_translate(targets[i], &a->p, a->facts, NULL, code, sizeof code,
                                        work, wsz, &r), 0, "%s", r.err ? r.err : "");
        cr_expect_eq(r.guards_left, guards);
        cr_expect_eq(r.budget_left, budgeted);
    }
    free(work);
}

Test(mid_loops, counted_byte_loop_is_versioned)
{
    analysed a;
    analyse(&a, byte_sum, sizeof byte_sum / sizeof byte_sum[0]);
    cr_assert_eq(a.facts[5].mem, MBPF_MEM_GUARD_REGION, "the test needs a guarded access");
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->head, 3u);
    cr_expect_eq(l->latch, 8u);
    cr_expect_eq(mid_loop_at_head(a.ls, 3), l);
    cr_expect_eq(mid_loop_at_latch(a.ls, 8), l);
    cr_expect_null(mid_loop_at_head(a.ls, 4));
    cr_expect_eq(l->ctr, 3);
    cr_expect_eq(l->bound, 2);
    cr_expect_eq(l->test, ML_LT);
    cr_expect_eq(l->step, 1);
    cr_expect_eq(l->flags & (ML_HOIST | ML_PRECHARGE | ML_WIDE), ML_HOIST | ML_PRECHARGE);
    cr_assert_eq(l->n_groups, 1);
    cr_expect_eq(l->guards, 1);
    cr_expect_eq(l->g[0].a, 1, "base: ctx pointer + counter");
    cr_expect_eq(l->g[0].b, 3);
    cr_expect_eq(l->g[0].step, 1);
    cr_expect_eq(l->g[0].lo, 1);
    cr_expect_eq(l->g[0].hi, 2);
    cr_expect_eq(l->g[0].region, MBPF_RGN_CTX);
    cr_expect_eq(l->g[0].write, 0);
    cr_expect(mid_loop_hoisted(l, &a.facts[5]));
    cr_expect_eq(l->g[0].align, 1, "bytes: any base");
    cr_expect(l->dead & MID_HI(5), "the address's upper half: only the guard read it");
    cr_expect_eq(l->dead & (MID_LO(5) | MID_BOTH(0) | MID_LO(3) | MID_LO(1)), 0,
                 "the address, the sum, the counter and the base are read");
    cr_expect(l->dead & MID_HI(3), "its upper half known zero, the compare is a 32-bit one");
    cr_expect_eq(l->n_narrow, 0);
    translates(&a, 0, 0);
    release(&a);
}

/* The same loop from a start index of unknown upper half: the compare reads the counter's. */
static const mbpf_insn byte_sum_from[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JEQ, 2, 0, 7),
    LDX(MBPF_DW, 3, 1, 0),
    MOV64R(5, 1),                  /* 3: head */
    ALU64_REG(MBPF_ADD, 5, 3),
    LDX(MBPF_B, 4, 5, 1),
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -6),   /* 8: latch */
    EXIT(),
};

Test(mid_loops, counter_counting_up_is_zero_in_the_fast_copy)
{
    analysed a;
    analyse(&a, byte_sum_from, sizeof byte_sum_from / sizeof byte_sum_from[0]);
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->ctr, 3);
    cr_assert_eq(l->n_narrow, 1);
    cr_expect_eq(l->narrow[0].r, 3);
    cr_expect_eq(l->narrow[0].step, 1);
    cr_expect_eq(l->hz_fast, 1u << 3, "expected below 2^32, its upper half read by the compare");
    cr_expect(mid_loop_checks_zero(l, 3, a.m.hz_in[l->entry]), "no group checks it alone");
    cr_expect(mid_loop_narrow_update(l, &a.p.insns[7], a.m.hz_in[7] | l->hz_fast));
    translates(&a, 1, 0); /* the load before the loop keeps its guard */
    release(&a);
}

/* A pointer stepping by 4 with accesses on both sides of its update; the counter runs down. */
static const mbpf_insn words_down[] = {
    MOV64(0, 0),
    ALU32_IMM(MBPF_MOV, 3, 16),
    MOV64R(4, 1),
    LDX(MBPF_W, 5, 4, 0),          /* 3: head */
    ALU64_REG(MBPF_ADD, 0, 5),
    ALU64_IMM(MBPF_ADD, 4, 4),
    LDX(MBPF_B, 5, 4, -1),
    ALU64_REG(MBPF_ADD, 0, 5),
    ALU32_IMM(MBPF_ADD, 3, -1),
    JMP_IMM(MBPF_JNE, 3, 0, -7),   /* 9: latch */
    EXIT(),
};

Test(mid_loops, pointer_induction_variable_and_a_falling_counter)
{
    analysed a;
    analyse(&a, words_down, sizeof words_down / sizeof words_down[0]);
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->ctr, 3);
    cr_expect_eq(l->bound, -1);
    cr_expect_eq(l->bound_imm, 0);
    cr_expect_eq(l->test, ML_NE);
    cr_expect_eq(l->step, -1);
    cr_expect_eq(l->flags & ML_WIDE, 0, "a 32-bit counter compares its lower half");
    cr_assert_eq(l->n_groups, 1);
    cr_expect_eq(l->guards, 2);
    cr_expect_eq(l->g[0].a, 4);
    cr_expect_eq(l->g[0].b, -1);
    cr_expect_eq(l->g[0].step, 4);
    cr_expect_eq(l->g[0].lo, 0);
    cr_expect_eq(l->g[0].hi, 4, "the byte after the update is base + 3");
    cr_expect(l->dead & MID_HI(4), "the pointer's upper half: only the guards read it");
    cr_expect_eq(l->n_narrow, 0, "an upper half the fast copy does not compute is not narrow");
    translates(&a, 0, 0);
    release(&a);
}

Test(mid_loops, narrow_induction_variables_and_their_test)
{
    analysed a;
    analyse(&a, words_and_value, sizeof words_and_value / sizeof words_and_value[0]);
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->head, 4u);
    cr_expect_eq(l->dead & (MID_HI(4) | MID_HI(6)), 0, "both upper halves are read after the loop");
    cr_assert_eq(l->n_narrow, 2);
    cr_expect_eq(l->narrow[0].r, 4);
    cr_expect_eq(l->narrow[0].step, 4);
    cr_expect_eq(l->narrow[1].r, 6);
    cr_expect_eq(l->narrow[1].step, -1);
    cr_expect_eq(l->hz_fast, 0, "only their updates read their upper halves in the fast copy");
    const uint32_t hz = a.m.hz_in[l->entry];
    cr_expect_not(mid_loop_checks_zero(l, 4, hz), "not zero in the fast copy: not checked");
    cr_expect_not(mid_loop_checks_zero(l, 6, hz));
    cr_expect(mid_loop_narrow_update(l, &a.p.insns[6], hz | l->hz_fast));
    cr_expect(mid_loop_narrow_update(l, &a.p.insns[7], hz | l->hz_fast));
    cr_expect_not(mid_loop_narrow_update(l, &a.p.insns[7], 1u << 6),
                  "known zero but not set by the test: its home may be stale");
    cr_expect_not(mid_loop_narrow_update(l, &a.p.insns[8], hz), "a 32-bit update");
    cr_expect_not(mid_loop_narrow_update(l, &a.p.insns[5], hz), "not an induction variable");
    translates(&a, 1, 0); /* the load before the loop keeps its guard */
    release(&a);
}

/* A 64-bit index from -32 up to 0 in steps of 4 ("!=" on 64-bit values), added to a pointer. */
static const mbpf_insn wide_index[] = {
    MOV64(0, 0),
    MOV64R(6, 1),
    ALU64_IMM(MBPF_ADD, 6, 32),
    MOV64(4, -32),
    MOV64R(5, 6),                  /* 4: head */
    ALU64_REG(MBPF_ADD, 5, 4),
    LDX(MBPF_W, 7, 5, 0),
    ALU64_REG(MBPF_ADD, 0, 7),
    ALU64_IMM(MBPF_ADD, 4, 4),
    JMP_IMM(MBPF_JNE, 4, 0, -6),   /* 9: latch */
    EXIT(),
};

Test(mid_loops, wide_not_equal_counter)
{
    analysed a;
    analyse(&a, wide_index, sizeof wide_index / sizeof wide_index[0]);
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->test, ML_NE);
    cr_expect_eq(l->step, 4);
    cr_expect_eq(l->flags & ML_WIDE, ML_WIDE);
    cr_assert_eq(l->n_groups, 1);
    cr_expect_eq(l->g[0].a, 4);
    cr_expect_eq(l->g[0].b, 6);
    cr_expect_eq(l->g[0].step, 4);
    cr_expect_eq(l->n_narrow, 0, "a counter tested with != carries at its last update");
    translates(&a, 0, 0);
    release(&a);
}

Test(mid_loops, early_exit_keeps_the_budget_per_edge)
{
    analysed a;
    analyse(&a, early_exit, sizeof early_exit / sizeof early_exit[0]);
    cr_assert_eq(a.ls->n, 1u);
    cr_expect_eq(a.ls->loop[0].flags & (ML_HOIST | ML_PRECHARGE), ML_HOIST);
    translates(&a, 0, 1);
    release(&a);
}

/* An index that doubles is not affine: its guard stays, so the loop is not versioned. */
static const mbpf_insn doubling[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JEQ, 2, 0, 8),
    MOV64(3, 0),
    MOV64R(6, 3),                  /* 3: head */
    ALU64_IMM(MBPF_LSH, 6, 1),
    MOV64R(5, 1),
    ALU64_REG(MBPF_ADD, 5, 6),
    LDX(MBPF_B, 4, 5, 0),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -7),   /* 9: latch */
    EXIT(),
};

Test(mid_loops, non_affine_access_is_left_alone)
{
    analysed a;
    analyse(&a, doubling, sizeof doubling / sizeof doubling[0]);
    cr_expect_eq(a.ls->n, 0u);
    translates(&a, 1, 1);
    release(&a);
}

/* A helper call in the body (it may charge the budget and read it): not versioned. */
static const mbpf_insn with_call[] = {
    MOV64(6, 0),
    MOV64(1, 0),                   /* 1: head */
    CALL(0),
    ALU64_IMM(MBPF_ADD, 6, 1),
    JMP_IMM(MBPF_JLT, 6, 10, -4),  /* 4: latch */
    MOV64(0, 0),
    EXIT(),
};

Test(mid_loops, loop_with_a_call_is_left_alone)
{
    analysed a;
    analyse(&a, with_call, sizeof with_call / sizeof with_call[0]);
    cr_expect_eq(a.ls->n, 0u);
    release(&a);
}

/* A loop with no guarded access and a count: versioned for the budget only. */
static const mbpf_insn pure_count[] = {
    MOV64(0, 0),
    MOV64(3, 0),
    ALU64_REG(MBPF_ADD, 0, 3),     /* 2: head */
    ALU32_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -3),   /* 4: latch */
    EXIT(),
};

Test(mid_loops, budget_only_loop)
{
    analysed a;
    analyse(&a, pure_count, sizeof pure_count / sizeof pure_count[0]);
    cr_assert_eq(a.ls->n, 1u);
    cr_expect_eq(a.ls->loop[0].flags & (ML_HOIST | ML_PRECHARGE), ML_PRECHARGE);
    cr_expect_eq(a.ls->loop[0].n_groups, 0);
    translates(&a, 0, 0);
    release(&a);
}

Test(mid_loops, rotated_loop_is_versioned)
{
    analysed a;
    analyse(&a, rotated_pass, sizeof rotated_pass / sizeof rotated_pass[0]);
    cr_assert_eq(a.facts[11].mem, MBPF_MEM_GUARD_REGION, "the test needs a guarded access");
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->head, 7u);
    cr_expect_eq(l->entry, 11u);
    cr_expect_eq(l->latch, 16u);
    cr_expect_eq(l->ctr, 7);
    cr_expect_eq(l->bound, 2);
    cr_expect_eq(l->test, ML_LT);
    cr_expect_eq(l->step, 1);
    cr_expect_eq(l->flags & (ML_HOIST | ML_PRECHARGE | ML_ROTATED),
                 ML_HOIST | ML_PRECHARGE | ML_ROTATED);
    cr_expect_eq(l->n_targets, 1);
    cr_expect_eq(l->target[0], 11u);
    cr_assert_eq(l->n_groups, 2);
    cr_expect_eq(l->guards, 4);
    for (int g = 0; g < 2; g++) {
        cr_expect_eq(l->g[g].a, 8);
        cr_expect_eq(l->g[g].b, -1);
        cr_expect_eq(l->g[g].step, 4);
        cr_expect_eq(l->g[g].lo, -4);
        cr_expect_eq(l->g[g].hi, 4);
        cr_expect_eq(l->g[g].write, g);
        cr_expect_eq(l->g[g].align, 4, "words at multiples of 4 from the base, step 4");
    }
    cr_expect(mid_loop_aligned(l));
    cr_assert_eq(l->n_narrow, 1, "the pointer is kept in 32 bits (the counter's compare already is)");
    cr_expect_eq(l->narrow[0].r, 8);
    cr_expect_eq(l->narrow[0].step, 4);
    cr_expect_eq(l->hz_fast, 0, "only the update reads the pointer's upper half");
    cr_expect(mid_loop_back_edge(l, &a.p, 13));
    cr_expect(mid_loop_back_edge(l, &a.p, 16));
    cr_expect_not(mid_loop_back_edge(l, &a.p, 9));
    cr_expect_eq(mid_loop_around(a.ls, 9), l);
    cr_expect_null(mid_loop_around(a.ls, 6));
    translates(&a, 0, 0);
    release(&a);
}

/* Rotated, the negated test leaving directly (9), and a conditional last back edge that falls
 * out of the loop (15): the accesses are checked once, the back edges still charge one by one. */
static const mbpf_insn rotated_falls_out[] = {
    MOV64(0, 0),
    ALU64_IMM(MBPF_RSH, 2, 2),
    JMP_IMM(MBPF_JLT, 2, 2, 13),
    MOV64(7, 1),
    MOV64R(8, 1),
    ALU64_IMM(MBPF_ADD, 8, 4),
    JA(3),
    ALU64_IMM(MBPF_ADD, 8, 4),     /* 7: head */
    ALU64_IMM(MBPF_ADD, 7, 1),
    JMP_REG(MBPF_JGE, 7, 2, 6),    /* 9: leaves */
    LDX(MBPF_W, 9, 8, 0),          /* 10: entry */
    LDX(MBPF_W, 3, 8, -4),
    ALU64_REG(MBPF_ADD, 0, 9),
    JMP_IMM(MBPF_JSET, 0, 1, -7),  /* 13: back edge */
    ALU64_REG(MBPF_ADD, 0, 3),
    JMP_REG(MBPF_JNE, 3, 9, -9),   /* 15: latch */
    EXIT(),
};

Test(mid_loops, rotated_loops_only_when_asked_for)
{
    analysed a;
    analyse(&a, rotated_pass, sizeof rotated_pass / sizeof rotated_pass[0]);
    cr_expect_eq(mid_loops_analyse(&a.p, a.facts, &a.m, a.lwork, mid_loops_work_size())->n, 0u);
    release(&a);
}

Test(mid_loops, rotated_loop_with_a_second_exit)
{
    analysed a;
    analyse(&a, rotated_falls_out, sizeof rotated_falls_out / sizeof rotated_falls_out[0]);
    cr_assert_eq(a.ls->n, 1u);
    const ml_loop *l = &a.ls->loop[0];
    cr_expect_eq(l->entry, 10u);
    cr_expect_eq(l->latch, 15u);
    cr_expect_eq(l->test, ML_LT, "the negated exit test");
    cr_expect_eq(l->flags & (ML_HOIST | ML_PRECHARGE | ML_ROTATED), ML_HOIST | ML_ROTATED);
    cr_expect_eq(l->n_groups, 1);
    translates(&a, 0, 2);
    release(&a);
}

/* The counter also changes in the body: its count is unknown, the loop is left alone. */
static const mbpf_insn rotated_counter_in_body[] = {
    MOV64(0, 0),
    ALU64_IMM(MBPF_RSH, 2, 2),
    JMP_IMM(MBPF_JLT, 2, 2, 14),
    MOV64(7, 1),
    MOV64R(8, 1),
    ALU64_IMM(MBPF_ADD, 8, 4),
    JA(4),
    ALU64_IMM(MBPF_ADD, 8, 4),     /* 7: head */
    ALU64_IMM(MBPF_ADD, 7, 1),
    JMP_REG(MBPF_JLT, 7, 2, 1),
    JA(6),
    LDX(MBPF_W, 9, 8, 0),          /* 11: entry */
    LDX(MBPF_W, 3, 8, -4),
    JMP_REG(MBPF_JLE, 3, 9, -7),
    STX(MBPF_W, 8, 3, 0),
    ALU64_IMM(MBPF_ADD, 7, 1),
    JA(-10),
    EXIT(),
};

Test(mid_loops, rotated_loop_counter_changed_in_body)
{
    analysed a;
    analyse(&a, rotated_counter_in_body,
            sizeof rotated_counter_in_body / sizeof rotated_counter_in_body[0]);
    cr_expect_eq(a.ls->n, 0u);
    translates(&a, 3, 2);
    release(&a);
}

/* A jump from outside into the body (14) besides the entry: a second entry, left alone. */
static const mbpf_insn rotated_two_entries[] = {
    MOV64(0, 0),
    MOV64(3, 0),
    MOV64(9, 0),
    ALU64_IMM(MBPF_RSH, 2, 2),
    JMP_IMM(MBPF_JLT, 2, 2, 15),
    MOV64(7, 1),
    MOV64R(8, 1),
    ALU64_IMM(MBPF_ADD, 8, 4),
    JMP_IMM(MBPF_JEQ, 2, 5, 8),    /* 8: to 17, inside the body */
    JA(4),                         /* 9: to the entry */
    ALU64_IMM(MBPF_ADD, 8, 4),     /* 10: head */
    ALU64_IMM(MBPF_ADD, 7, 1),
    JMP_REG(MBPF_JLT, 7, 2, 1),
    JA(6),
    LDX(MBPF_W, 9, 8, 0),          /* 14: entry */
    LDX(MBPF_W, 3, 8, -4),
    JMP_REG(MBPF_JLE, 3, 9, -7),
    STX(MBPF_W, 8, 3, 0),          /* 17 */
    STX(MBPF_W, 8, 9, -4),
    JA(-10),
    EXIT(),
};

Test(mid_loops, rotated_loop_with_two_entries_is_left_alone)
{
    analysed a;
    analyse(&a, rotated_two_entries, sizeof rotated_two_entries / sizeof rotated_two_entries[0]);
    cr_expect_eq(a.ls->n, 0u);
    release(&a);
}

Test(mid_loops, work_area_too_small)
{
    analysed a;
    analyse(&a, pure_count, sizeof pure_count / sizeof pure_count[0]);
    cr_expect_null(mid_loops_analyse(&a.p, a.facts, &a.m, a.lwork, mid_loops_work_size() - 1));
    release(&a);
}
