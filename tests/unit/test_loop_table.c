/* The verifier's loop table (mbpf_verify_loops): the classes, bounds and induction variables it
 * gives clang's rotated loops and compared copies, and what it refuses. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/verifier.h"
#include "tests/unit/bpf_asm.h"

static const mbpf_verify_opts opts = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};

static int verify(const mbpf_insn *insns, uint32_t n, mbpf_loop *loops, uint32_t cap, mbpf_verify_result *r)
{
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    size_t need = mbpf_verify_arena_need(&p);
    void *arena = malloc(need);
    cr_assert(arena);
    int rc = mbpf_verify_loops(&p, &opts, NULL, loops, cap, arena, need, r);
    free(arena);
    return rc;
}

/* for (i = 0; i < len; i++) switch (...): the test (6) before the body (8), two cases jumping
 * back to the block: 9 -> 4, 11 -> 5 */
static const mbpf_insn rotated[] = {
    MOV64(0, 1),
    JMP_IMM(MBPF_JEQ, 2, 0, 5),
    MOV64(4, 0),
    JA(4),
    ALU64_IMM(MBPF_ADD, 0, 7),  /* 4 */
    ALU64_IMM(MBPF_ADD, 4, 1),  /* 5: the update */
    JMP_REG(MBPF_JLT, 4, 2, 1), /* 6: the test */
    EXIT(),
    JMP_IMM(MBPF_JEQ, 0, 1, 1), /* 8: the body */
    JA(-6),
    ALU64_IMM(MBPF_ADD, 0, 3),
    JA(-7),
};

Test(loop_table, rotated_loop_back_edges_are_countable_with_one_named_variable)
{
    mbpf_loop l[4];
    mbpf_verify_result r;
    cr_assert_eq(verify(rotated, 12, l, 4, &r), 0, "%s", r.msg);
    cr_assert_eq(r.loops, 2);
    cr_expect_eq(r.loops_countable, 2);
    cr_expect_eq(r.loops_bounded, 0);
    cr_expect_eq(l[0].head, 4);
    cr_expect_eq(l[0].latch, 9);
    cr_expect_eq(l[1].head, 5);
    cr_expect_eq(l[1].latch, 11);
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(l[i].cls, MBPF_LOOP_COUNTABLE);
        cr_expect_eq(l[i].test, 6);
        cr_expect_eq(l[i].len_div, 1); /* (LEN + 1) / 1 + 1: a test per byte, one more before it */
        cr_expect_eq(l[i].len_add, 1);
    }
    /* the checking interpreter follows the variable from the first head only */
    cr_expect_eq(l[0].iv_reg, 4);
    cr_expect_eq(l[0].iv_kind, MBPF_IV_ADD);
    cr_expect_eq(l[0].iv_update, 5);
    cr_expect_eq(l[0].iv_step, 1);
    cr_expect_eq(l[1].iv_kind, MBPF_IV_NONE);
}

Test(loop_table, rotated_loop_whose_body_writes_the_counter_is_unbounded)
{
    mbpf_insn p[12];
    memcpy(p, rotated, sizeof p);
    p[10] = MOV64(4, 0); /* one case restarts the count */
    mbpf_loop l[4];
    mbpf_verify_result r;
    cr_assert_eq(verify(p, 12, l, 4, &r), 0, "%s", r.msg);
    cr_expect_eq(r.loops_countable, 0);
    cr_expect_eq(l[0].cls, MBPF_LOOP_UNBOUNDED);
    cr_expect_eq(l[1].cls, MBPF_LOOP_UNBOUNDED);
}

/* clang's counter pair: r3 follows r4 (linked at the head), the compare reads r3 + 16 before r3
 * is renewed: r3 + 16 = r4 + 8 after r4's update */
static const mbpf_insn pair[] = {
    MOV64(0, 0),
    MOV64(3, 0),
    MOV64(4, 0),
    ALU64_REG(MBPF_ADD, 0, 3),  /* 3: head */
    ALU64_IMM(MBPF_ADD, 4, 8),  /* 4: the update */
    MOV64R(6, 3),
    ALU64_IMM(MBPF_ADD, 6, 16),
    MOV64R(3, 4),
    JMP_REG(MBPF_JLE, 6, 2, -6), /* 8 */
    EXIT(),
};

Test(loop_table, a_compared_copy_plus_a_constant_is_countable)
{
    mbpf_loop l[2];
    mbpf_verify_result r;
    cr_assert_eq(verify(pair, 10, l, 2, &r), 0, "%s", r.msg);
    cr_assert_eq(r.loops, 1);
    cr_expect_eq(l[0].cls, MBPF_LOOP_COUNTABLE);
    cr_expect_eq(l[0].iv_reg, 4);
    cr_expect_eq(l[0].iv_update, 4);
    cr_expect_eq(l[0].iv_step, 8);
    cr_expect_eq(l[0].len_div, 8);
    cr_expect_eq(l[0].len_add, 1 + 8); /* <=: LEN + 1, plus one step */
}
