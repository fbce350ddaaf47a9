/* RV32 loop versioning (jit/rv32/rv_loops.c and its hook in rv_emit.c): the native code of a
 * versioned loop holds one range test, a fast copy without the guard and the per-edge charge,
 * and the original loop with both. The code between the loop's head and the instruction after
 * its latch (test, fast copy, original) is scanned for the instructions that do the checking. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_asm.h"
#include "loop_programs.h"
#include "verified_fixture.h"
#include "mcubpf/jit.h"

#define LW_CTX_START 0x0004a003u /* lw rd, MBPF_JB_CTX(s1): the region's start, any rd */
#define LW_CTX_MASK 0xfffff07fu
#define BUDGET_DEC 0xfffe8e93u   /* addi t4, t4, -1: one back edge charged */
#define PRECHARGE 0x407e8eb3u    /* sub t4, t4, t2: the loop's back edges charged at once */

typedef struct loop_code {
    uint32_t region_loads, edge_charges, precharges, guard_calls, align_tests, carries;
} loop_code;

static uint8_t code[8192];

/* Translate for RV32 and count, in [head, latch + 1), the loads of the context's start, the
 * one-unit budget charges, the charges of a whole loop, the calls of a check stub (jal ra), the
 * alignment tests of halfword accesses and the carries computed into a register (sltu, sltiu). */
static loop_code scan(const mbpf_insn *insns, uint32_t n, uint32_t head, uint32_t latch,
                      uint32_t *guards_left, uint32_t *budget_left)
{
    mbpf_program p;
    mbpf_fact *facts = verified_facts(&p, insns, n);
    size_t wsz = mbpf_jit_work_size(n);
    void *work = malloc(wsz);
    uint32_t *offs = calloc(n + 1, sizeof *offs);
    cr_assert(work && offs);
    mbpf_jit_opts o;
    memset(&o, 0, sizeof o);
    o.insn_offsets = offs;
    mbpf_jit_result r;
    cr_assert_eq(mbpf_jit_translate(MBPF_TARGET_RV32IMC, &p, facts, &o, code, sizeof code, work,
                                    wsz, &r), 0, "%s", r.err ? r.err : "");
    loop_code c = {0, 0, 0, 0, 0, 0};
    for (uint32_t at = offs[head]; at < offs[latch + 1];) {
        const uint16_t lo = (uint16_t)(code[at] | code[at + 1] << 8);
        if ((lo & 3) != 3) {
            at += 2;
            continue;
        }
        const uint32_t w = lo | (uint32_t)(code[at + 2] | code[at + 3] << 8) << 16;
        c.region_loads += (w & LW_CTX_MASK) == LW_CTX_START;
        c.edge_charges += w == BUDGET_DEC;
        c.precharges += w == PRECHARGE;
        c.guard_calls += (w & 0xfff) == 0x0ef; /* jal ra, ... */
        c.align_tests += (w & 0xfff07fffu) == 0x00107293u; /* andi t0, rX, 1 */
        c.carries += (w & 0xfe00707fu) == 0x00003033u || (w & 0x707fu) == 0x3013u; /* sltu(i) */
        at += 4;
    }
    *guards_left = r.guards_left;
    *budget_left = r.budget_left;
    free(offs);
    free(work);
    free(facts);
    return c;
}

Test(rv_loops, counted_loop_checks_once_and_charges_once)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(byte_sum, sizeof byte_sum / sizeof byte_sum[0], 3, 8, &guards,
                             &budgeted);
    cr_expect_eq(c.region_loads, 2, "the test and the original's guard read the start");
    cr_expect_eq(c.edge_charges, 1, "only the original loop charges edge by edge");
    cr_expect_eq(c.precharges, 1, "the test charges the back edges once");
    cr_expect_eq(c.guard_calls, 0, "an inline guard: no call on the hot path");
    cr_expect_eq(guards, 0);
    cr_expect_eq(budgeted, 0);
}

Test(rv_loops, early_exit_charges_in_both_copies)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(early_exit, sizeof early_exit / sizeof early_exit[0], 3, 9, &guards,
                             &budgeted);
    cr_expect_eq(c.region_loads, 2);
    cr_expect_eq(c.edge_charges, 2);
    cr_expect_eq(c.precharges, 0);
    cr_expect_eq(guards, 0);
    cr_expect_eq(budgeted, 1);
}

/* Halfwords through a pointer stepping by 2, at an address not known to be aligned: the test
 * checks the pointer's alignment once, so the fast copy has no alignment test; the original
 * tests before its lhu (the byte-wise form in its cold stub). */
static const mbpf_insn half_sum[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JLT, 2, 2, 8),
    ALU64_IMM(MBPF_RSH, 2, 1),
    MOV64(3, 0),
    MOV64R(5, 1),
    LDX(MBPF_H, 4, 5, 0),          /* 5: head */
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_IMM(MBPF_ADD, 5, 2),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -5),   /* 9: latch */
    EXIT(),
};

Test(rv_loops, halfword_loop_tests_alignment_in_both_copies)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(half_sum, sizeof half_sum / sizeof half_sum[0], 5, 9, &guards,
                             &budgeted);
    cr_expect_eq(guards, 0);
    cr_expect_eq(c.region_loads, 2);
    cr_expect_eq(c.align_tests, 2, "andi t0, a, 1 in the test and before the original's lhu");
}

/* The same at odd offsets from the pointer: no base aligns them all, so the fast copy keeps its
 * alignment test inline and the loop's test checks none. */
static const mbpf_insn half_sum_odd[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JLT, 2, 3, 8),
    ALU64_IMM(MBPF_RSH, 2, 1),
    MOV64(3, 0),
    MOV64R(5, 1),
    LDX(MBPF_H, 4, 5, 1),          /* 5: head */
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_IMM(MBPF_ADD, 5, 2),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -5),   /* 9: latch */
    EXIT(),
};

Test(rv_loops, unaligned_offsets_keep_the_inline_test)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(half_sum_odd, sizeof half_sum_odd / sizeof half_sum_odd[0], 5, 9,
                             &guards, &budgeted);
    cr_expect_eq(guards, 0);
    cr_expect_eq(c.align_tests, 2, "andi t0, t0, 1 before each copy's lhu");
}

Test(rv_loops, narrow_induction_variables_do_not_carry_in_the_fast_copy)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(words_and_value, sizeof words_and_value / sizeof words_and_value[0],
                             4, 9, &guards, &budgeted);
    cr_expect_eq(guards, 1, "the load before the loop");
    cr_expect_eq(c.region_loads, 2);
    cr_expect_eq(c.carries, 3 + 1, "the original: sum, pointer, value; the fast copy: the sum");
}

Test(rv_loops, rotated_loop_checks_once_and_charges_once)
{
    uint32_t guards, budgeted;
    const loop_code c = scan(rotated_pass, sizeof rotated_pass / sizeof rotated_pass[0], 7, 16,
                             &guards, &budgeted);
    cr_expect_eq(guards, 0);
    cr_expect_eq(budgeted, 0);
    cr_expect_eq(c.precharges, 1, "the test charges the back edges once");
    cr_expect_eq(c.edge_charges, 2, "the original's two back edges charge one by one");
    cr_expect_eq(c.guard_calls, 0);
}
