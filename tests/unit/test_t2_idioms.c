/* Idioms over short windows: which windows the middle end takes for a rotate or a remainder (and
 * which it must not), and the instructions the Thumb-2 lowering makes of the rotates. */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_asm.h"
#include "mid_fixture.h"
#include "jit/mid/mid_idioms.h"
#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"

static int rotate_at(const mbpf_insn *insns, uint32_t n, uint32_t pc, mid_rotate *r)
{
    mid_fixture a;
    mid_fixture_analyse(&a, insns, n);
    int got = mid_match_rotate(&a.p, a.facts, &a.m, pc, r);
    mid_fixture_release(&a);
    return got;
}

Test(idioms, thirty_two_bit_rotate_with_one_copy)
{
    /* w3 = rotl(w2, 13): w6 = w3 >> 19; w3 <<= 13; w3 |= w6 (w6 dead) */
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3),
                                     ALU32_IMM(MBPF_RSH, 6, 19), ALU32_IMM(MBPF_LSH, 3, 13),
                                     ALU32_REG(MBPF_OR, 3, 6), ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    mid_rotate r;
    cr_assert(rotate_at(prog, 7, 1, &r));
    cr_expect_eq(r.len, 4);
    cr_expect_eq(r.wide, 0);
    cr_expect_eq(r.src, 3);
    cr_expect_eq(r.dst, 3);
    cr_expect_eq(r.right, 19);
}

Test(idioms, sixty_four_bit_rotate_with_two_copies_into_the_second)
{
    /* r4 = rotl(r8, 17) with r5 = r8 >> 47 and r4 = r8 << 17; r8 stays */
    static const mbpf_insn prog[] = {MOV64R(8, 2), MOV64R(5, 8), ALU64_IMM(MBPF_RSH, 5, 47),
                                     MOV64R(4, 8), ALU64_IMM(MBPF_LSH, 4, 17), ALU64_REG(MBPF_OR, 4, 5),
                                     MOV64R(0, 4), ALU64_REG(MBPF_XOR, 0, 8), EXIT()};
    mid_rotate r;
    cr_assert(rotate_at(prog, 9, 1, &r));
    cr_expect_eq(r.len, 5);
    cr_expect_eq(r.wide, 1);
    cr_expect_eq(r.src, 8);
    cr_expect_eq(r.dst, 4);
    cr_expect_eq(r.right, 47);
}

Test(idioms, near_misses_are_not_rotates)
{
    mid_rotate r;
    /* amounts adding up to 31 */
    static const mbpf_insn sum[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3),
                                    ALU32_IMM(MBPF_RSH, 6, 18), ALU32_IMM(MBPF_LSH, 3, 13),
                                    ALU32_REG(MBPF_OR, 3, 6), ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    cr_expect_not(rotate_at(sum, 7, 1, &r));
    /* the temporary read after the or */
    static const mbpf_insn live[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3),
                                     ALU32_IMM(MBPF_RSH, 6, 19), ALU32_IMM(MBPF_LSH, 3, 13),
                                     ALU32_REG(MBPF_OR, 3, 6), ALU32_REG(MBPF_MOV, 0, 3),
                                     ALU32_REG(MBPF_ADD, 0, 6), EXIT()};
    cr_expect_not(rotate_at(live, 8, 1, &r));
    /* an arithmetic shift right */
    static const mbpf_insn arsh[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3),
                                     ALU32_IMM(MBPF_ARSH, 6, 19), ALU32_IMM(MBPF_LSH, 3, 13),
                                     ALU32_REG(MBPF_OR, 3, 6), ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    cr_expect_not(rotate_at(arsh, 7, 1, &r));
    /* a jump lands inside the window */
    static const mbpf_insn jump[] = {MOV64(6, 0), ALU32_REG(MBPF_MOV, 3, 2), JMP_IMM(MBPF_JEQ, 3, 0, 2),
                                     ALU32_REG(MBPF_MOV, 6, 3), ALU32_IMM(MBPF_RSH, 6, 19),
                                     ALU32_IMM(MBPF_LSH, 3, 13), ALU32_REG(MBPF_OR, 3, 6),
                                     ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    cr_expect_not(rotate_at(jump, 9, 3, &r));
}

/* The Thumb-2 code of a program, disassembled into one string: "mnemonic " per instruction, or
 * with operands "mnemonic operands; " (for tests that look at the registers). */
static void thumb2_disasm(const mbpf_insn *insns, uint32_t n, int operands, char *out, size_t cap)
{
    mid_fixture a;
    mid_fixture_analyse(&a, insns, n);
    static uint8_t code[8192];
    size_t wsz = mbpf_jit_work_size(n);
    void *work = malloc(wsz);
    mbpf_jit_result r;
    cr_assert_eq(mbpf_jit_translate(MBPF_TARGET_THUMB2, &a.p, a.facts, NULL, code, sizeof code, work,
                                    wsz, &r), MBPF_JIT_OK, "%s", r.err ? r.err : "");
    free(work);
    mid_fixture_release(&a);
    csh h;
    cs_insn *insn;
    cr_assert_eq(cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &h), CS_ERR_OK);
    size_t k = cs_disasm(h, code, r.code_len, 0, 0, &insn);
    out[0] = 0;
    for (size_t i = 0; i < k; i++) {
        size_t len = strlen(out);
        if (operands)
            snprintf(out + len, cap - len, "%s %s; ", insn[i].mnemonic, insn[i].op_str);
        else
            snprintf(out + len, cap - len, "%s ", insn[i].mnemonic);
    }
    cs_free(insn, k);
    cs_close(&h);
}

Test(idioms, a_thirty_two_bit_rotate_is_one_ror)
{
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3),
                                     ALU32_IMM(MBPF_RSH, 6, 19), ALU32_IMM(MBPF_LSH, 3, 13),
                                     ALU32_REG(MBPF_OR, 3, 6), ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    static char text[8192];
    thumb2_disasm(prog, 7, 0, text, sizeof text);
    cr_expect(strstr(text, "ror.w ") != NULL, "%s", text);
    cr_expect(strstr(text, "lsl.w ") == NULL && strstr(text, "lsr.w ") == NULL, "%s", text);
}

static int umod_at(const mbpf_insn *insns, uint32_t n, uint32_t pc, mid_umod *r)
{
    mid_fixture a;
    mid_fixture_analyse(&a, insns, n);
    int got = mid_match_umod(&a.p, a.facts, &a.m, pc, r);
    mid_fixture_release(&a);
    return got;
}

Test(idioms, remainder_by_a_constant)
{
    /* w2 %= 255 written as w6 = w2; w6 /= 255; w6 *= 255; w2 -= w6 (w6 dead) */
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 6, 2), ALU32_IMM(MBPF_DIV, 6, 255),
                                     ALU32_IMM(MBPF_MUL, 6, 255), ALU32_REG(MBPF_SUB, 2, 6),
                                     ALU32_REG(MBPF_MOV, 0, 2), EXIT()};
    mid_umod r;
    cr_assert(umod_at(prog, 6, 0, &r));
    cr_expect_eq(r.len, 4);
    cr_expect_eq(r.x, 2);
    cr_expect_eq(r.k, 255u);
}

Test(idioms, remainder_window_needs_the_quotient_dead_and_one_divisor)
{
    /* the scaled quotient is read after the window */
    static const mbpf_insn live_t[] = {ALU32_REG(MBPF_MOV, 6, 2), ALU32_IMM(MBPF_DIV, 6, 255),
                                       ALU32_IMM(MBPF_MUL, 6, 255), ALU32_REG(MBPF_SUB, 2, 6),
                                       ALU32_REG(MBPF_ADD, 2, 6), ALU32_REG(MBPF_MOV, 0, 2), EXIT()};
    /* multiplied back by another constant */
    static const mbpf_insn other_k[] = {ALU32_REG(MBPF_MOV, 6, 2), ALU32_IMM(MBPF_DIV, 6, 255),
                                        ALU32_IMM(MBPF_MUL, 6, 254), ALU32_REG(MBPF_SUB, 2, 6),
                                        ALU32_REG(MBPF_MOV, 0, 2), EXIT()};
    mbpf_insn sdiv[6];
    memcpy(sdiv, other_k, sizeof sdiv);
    sdiv[2].imm = 255;
    sdiv[1].off = 1; /* signed division */
    mid_umod r;
    cr_expect_not(umod_at(live_t, 7, 0, &r));
    cr_expect_not(umod_at(other_k, 6, 0, &r));
    cr_expect_not(umod_at(sdiv, 6, 0, &r));
}


static int count(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

Test(lowering, a_shift_left_of_a_zero_extended_value_takes_its_upper_half_from_the_lower)
{
    /* r4 = (u64)w2 << 2 as clang writes it: w3 = w2; r4 = r3; r4 <<= 2 (the mov fused) */
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 3, 2), MOV64R(4, 3), ALU64_IMM(MBPF_LSH, 4, 2),
                                     MOV64R(0, 4), EXIT()};
    static char text[16384];
    thumb2_disasm(prog, 5, 1, text, sizeof text);
    /* one shift for each half, none combining an old upper half */
    cr_expect_eq(count(text, "lsl"), 1, "%s", text);
    cr_expect_eq(count(text, "lsr"), 1, "%s", text);
    cr_expect_eq(count(text, ", lsl #") + count(text, ", lsr #"), 0, "%s", text);
}

Test(lowering, xor_with_a_zero_extended_value_leaves_the_upper_half_alone)
{
    /* r0 = r1 ^ (u64)w2: the upper half of r0 is r1's, no instruction for it */
    static const mbpf_insn prog[] = {MOV64R(0, 1), ALU32_REG(MBPF_MOV, 3, 2), ALU64_REG(MBPF_XOR, 0, 3),
                                     EXIT()};
    static char text[16384];
    thumb2_disasm(prog, 4, 1, text, sizeof text);
    cr_expect_eq(count(text, "eor"), 1, "%s", text);
}

Test(lowering, r10_is_a_home_in_a_program_that_never_reads_it)
{
    /* eight 32-bit values live at once and no frame pointer: one of them lives in r10 */
    static const mbpf_insn prog[] = {
        ALU32_IMM(MBPF_MOV, 0, 1), ALU32_IMM(MBPF_MOV, 3, 3), ALU32_IMM(MBPF_MOV, 4, 4),
        ALU32_IMM(MBPF_MOV, 5, 5), ALU32_IMM(MBPF_MOV, 6, 6), ALU32_IMM(MBPF_MOV, 7, 7),
        ALU32_IMM(MBPF_MOV, 8, 8), ALU32_IMM(MBPF_MOV, 9, 9), ALU32_REG(MBPF_ADD, 0, 1),
        ALU32_REG(MBPF_ADD, 0, 2), ALU32_REG(MBPF_ADD, 0, 3), ALU32_REG(MBPF_ADD, 0, 4),
        ALU32_REG(MBPF_ADD, 0, 5), ALU32_REG(MBPF_ADD, 0, 6), ALU32_REG(MBPF_ADD, 0, 7),
        ALU32_REG(MBPF_ADD, 0, 8), ALU32_REG(MBPF_ADD, 0, 9), EXIT()};
    static char text[16384];
    thumb2_disasm(prog, 18, 1, text, sizeof text);
    /* (Capstone names r10 sl and r11 fp) */
    cr_expect(strstr(text, ", sl;") != NULL, "%s", text);
    cr_expect(strstr(text, "ldr.w sl, [fp") == NULL, "%s", text);
    /* with a frame pointer, r10 keeps it: loaded from the block at the entry */
    mbpf_insn fp[19];
    memcpy(fp, prog, sizeof prog);
    fp[17] = STX(MBPF_W, 10, 0, -4);
    fp[18] = EXIT();
    thumb2_disasm(fp, 19, 1, text, sizeof text);
    cr_expect(strstr(text, "ldr.w sl, [fp") != NULL, "%s", text);
    cr_expect(strstr(text, ", sl;") == NULL, "%s", text);
}

Test(lowering, a_multiply_folded_into_a_rotate_is_one_mul_and_one_ror)
{
    /* w3 = rotl(w2 * K, 15) as clang writes it: w6 = w3 * (K << 15); w3 *= K; w3 >>= 17;
     * w3 |= w6 (w6 dead) */
    const int32_t k = (int32_t)0xcc9e2d51u;
    const int32_t k15 = (int32_t)(0xcc9e2d51u << 15);
    static mbpf_insn prog[8];
    const mbpf_insn p[] = {ALU32_REG(MBPF_MOV, 3, 2), ALU32_REG(MBPF_MOV, 6, 3), ALU32_IMM(MBPF_MUL, 6, k15),
                           ALU32_IMM(MBPF_MUL, 3, k), ALU32_IMM(MBPF_RSH, 3, 17), ALU32_REG(MBPF_OR, 3, 6),
                           ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    memcpy(prog, p, sizeof p);
    static char text[8192];
    thumb2_disasm(prog, 8, 0, text, sizeof text);
    cr_expect_eq(count(text, "mul"), 1, "%s", text);
    cr_expect_eq(count(text, "ror"), 1, "%s", text);
    cr_expect_eq(count(text, "orr"), 0, "%s", text);
    /* a second factor that is not the first shifted by the rotate: two multiplies, no ror */
    prog[2].imm = k15 + 1;
    thumb2_disasm(prog, 8, 0, text, sizeof text);
    cr_expect_eq(count(text, "mul"), 2, "%s", text);
    cr_expect_eq(count(text, "ror"), 0, "%s", text);
}

Test(lowering, a_constant_used_in_a_loop_is_loaded_once)
{
    /* w0 = w0 * 0x01000193 ^ w1 ten times: the factor needs movw/movt, built once at the entry */
    static const mbpf_insn prog[] = {ALU32_IMM(MBPF_MOV, 0, 1), ALU32_IMM(MBPF_MOV, 2, 10),
                                     ALU32_IMM(MBPF_MUL, 0, 0x01000193), ALU32_REG(MBPF_XOR, 0, 2),
                                     ALU32_IMM(MBPF_SUB, 2, 1), JMP_IMM(MBPF_JNE, 2, 0, -4), EXIT()};
    static char text[16384];
    thumb2_disasm(prog, 7, 0, text, sizeof text);
    /* (the loop is laid out twice, as a charged-once copy and the exact one; both read it) */
    cr_expect_eq(count(text, "movt"), 1, "%s", text);
    cr_expect_eq(count(text, "mul"), 2, "%s", text);
}
