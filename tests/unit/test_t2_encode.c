/* Every Thumb-2 encoder form, decoded back by Capstone and compared as text. */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "jit/thumb2/t2_encode.h"

static void expect32(uint32_t enc, const char *text)
{
    csh h;
    cs_insn *insn;
    uint8_t b[4] = {(uint8_t)enc, (uint8_t)(enc >> 8), (uint8_t)(enc >> 16), (uint8_t)(enc >> 24)};
    cr_assert_eq(cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_NOREGNAME); /* r9..r12, not sb/sl/fp/ip */
    size_t n = cs_disasm(h, b, 4, 0x1000, 1, &insn);
    cr_assert_eq(n, 1, "capstone could not decode %08x (expected %s)", enc, text);
    char got[256];
    snprintf(got, sizeof got, "%s %s", insn[0].mnemonic, insn[0].op_str);
    cr_expect_str_eq(got, text, "encoding %04x %04x: got \"%s\", expected \"%s\"", enc & 0xffff, enc >> 16, got, text);
    cr_expect_eq(insn[0].size, 4);
    cs_free(insn, n);
    cs_close(&h);
}

static void expect16(uint16_t enc, const char *text)
{
    csh h;
    cs_insn *insn;
    uint8_t b[2] = {(uint8_t)enc, (uint8_t)(enc >> 8)};
    cr_assert_eq(cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_NOREGNAME); /* r9..r12, not sb/sl/fp/ip */
    size_t n = cs_disasm(h, b, 2, 0x1000, 1, &insn);
    cr_assert_eq(n, 1);
    char got[256];
    snprintf(got, sizeof got, "%s %s", insn[0].mnemonic, insn[0].op_str);
    cr_expect_str_eq(got, text);
    cs_free(insn, n);
    cs_close(&h);
}

Test(t2_encode, data_processing_register)
{
    expect32(t2_dp_reg(T2_ADD, 1, T2_R4, T2_R4, T2_R2, 0, 0), "adds.w r4, r4, r2");
    expect32(t2_dp_reg(T2_ADC, 0, T2_R5, T2_R5, T2_R3, 0, 0), "adc.w r5, r5, r3");
    expect32(t2_dp_reg(T2_SUB, 1, T2_R0, T2_R0, T2_R2, 0, 0), "subs.w r0, r0, r2");
    expect32(t2_dp_reg(T2_SBC, 0, T2_R1, T2_R1, T2_R3, 0, 0), "sbc.w r1, r1, r3");
    expect32(t2_dp_reg(T2_SBC, 0, T2_R9, T2_R9, T2_R9, T2_LSL, 1), "sbc.w r9, r9, r9, lsl #1");
    expect32(t2_dp_reg(T2_AND, 0, T2_R8, T2_R8, T2_R12, 0, 0), "and.w r8, r8, r12");
    expect32(t2_dp_reg(T2_ORR, 0, T2_R1, T2_R1, T2_R0, T2_LSR, 7), "orr.w r1, r1, r0, lsr #7");
    expect32(t2_dp_reg(T2_EOR, 1, T2_R12, T2_R0, T2_R2, 0, 0), "eors.w r12, r0, r2");
    expect32(t2_dp_reg(T2_SUB, 1, T2_PC, T2_R4, T2_R2, 0, 0), "cmp.w r4, r2");
    expect32(t2_dp_reg(T2_AND, 1, T2_PC, T2_R4, T2_R2, 0, 0), "tst.w r4, r2");
    expect32(t2_mov_reg(T2_R11, T2_R0), "mov.w r11, r0");
    expect32(t2_dp_reg(T2_ORR, 0, T2_R4, T2_PC, T2_R5, T2_ASR, 31), "asr.w r4, r5, #0x1f");
    expect32(t2_dp_reg(T2_ORR, 0, T2_LR, T2_PC, T2_R5, T2_ROR, 19), "ror.w lr, r5, #0x13");
    expect32(t2_dp_reg(T2_SUB, 1, T2_PC, T2_LR, T2_R2, 0, 0), "cmp.w lr, r2");
    expect16(t2_it(T2_EQ), "it eq");
    expect16(t2_it(T2_NE), "it ne");
}

Test(t2_encode, immediates_and_moves)
{
    expect32(t2_dp_imm8(T2_RSB, 1, T2_R4, T2_R4, 0), "rsbs.w r4, r4, #0");
    /* modified immediates: the four patterns and a rotated byte; others have none */
    expect32(t2_dp_modimm(T2_ADD, 0, T2_R4, T2_R5, t2_modimm(0x00ab00abu)), "add.w r4, r5, #0xab00ab");
    expect32(t2_dp_modimm(T2_EOR, 0, T2_R9, T2_R1, t2_modimm(0xcd00cd00u)), "eor r9, r1, #0xcd00cd00");
    expect32(t2_dp_modimm(T2_AND, 1, T2_R0, T2_R8, t2_modimm(0x5a5a5a5au)), "ands r0, r8, #0x5a5a5a5a");
    expect32(t2_dp_modimm(T2_SUB, 1, T2_PC, T2_R3, t2_modimm(0x3fc00u)), "cmp.w r3, #0x3fc00");
    expect32(t2_dp_modimm(T2_ORR, 0, T2_R2, T2_R2, t2_modimm(0x80000000u)), "orr r2, r2, #0x80000000");
    expect32(t2_dp_modimm(T2_ADD, 0, T2_R2, T2_R7, t2_modimm(0x2a)), "add.w r2, r7, #0x2a");
    cr_expect_eq(t2_modimm(0x101u), -1);
    cr_expect_eq(t2_modimm(0x12345678u), -1);
    cr_expect_eq(t2_modimm(0xff0000ffu), -1);
    expect32(t2_dp_imm8(T2_AND, 0, T2_R12, T2_R2, 31), "and r12, r2, #0x1f");
    expect32(t2_dp_imm8(T2_ORR, 0, T2_R5, T2_PC, 0), "mov.w r5, #0");
    expect32(t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, 1), "subs.w r12, r12, #1");
    expect32(t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R2, 0), "cmp.w r2, #0");
    expect32(t2_movw(T2_R2, 0xbeef), "movw r2, #0xbeef");
    expect32(t2_movt(T2_R2, 0xdead), "movt r2, #0xdead");
    expect32(t2_addw(T2_R12, T2_R4, 0x123), "addw r12, r4, #0x123");
    expect32(t2_subw(T2_R12, T2_R10, 512), "subw r12, r10, #0x200");
}

Test(t2_encode, shifts_multiply_divide)
{
    expect32(t2_shift_reg(T2_LSL, T2_R4, T2_R4, T2_R12), "lsl.w r4, r4, r12");
    expect32(t2_shift_reg(T2_LSR, T2_R0, T2_R0, T2_R2), "lsr.w r0, r0, r2");
    expect32(t2_shift_reg(T2_ASR, T2_R6, T2_R6, T2_R3), "asr.w r6, r6, r3");
    expect32(t2_mul(T2_R4, T2_R4, T2_R2), "mul r4, r4, r2");
    expect32(t2_mla(T2_LR, T2_R5, T2_R2, T2_LR), "mla lr, r5, r2, lr");
    expect32(t2_mls(T2_R4, T2_R12, T2_R2, T2_R4), "mls r4, r12, r2, r4");
    expect32(t2_umull(T2_R4, T2_R5, T2_R4, T2_R2), "umull r4, r5, r4, r2");
    expect32(t2_udiv(T2_R4, T2_R4, T2_R2), "udiv r4, r4, r2");
    expect32(t2_sdiv(T2_R0, T2_R0, T2_R2), "sdiv r0, r0, r2");
}

Test(t2_encode, loads_and_stores)
{
    expect32(t2_ldst_imm12(T2_LDR, T2_R0, T2_R11, 104), "ldr.w r0, [r11, #0x68]");
    expect32(t2_ldst_imm12(T2_STR, T2_R1, T2_R11, 108), "str.w r1, [r11, #0x6c]");
    expect32(t2_ldst_imm12(T2_LDRB, T2_R4, T2_R12, 0), "ldrb.w r4, [r12]");
    expect32(t2_ldst_imm12(T2_LDRH, T2_R4, T2_R12, 2), "ldrh.w r4, [r12, #2]");
    expect32(t2_ldst_imm12(T2_LDRSB, T2_R4, T2_R12, 1), "ldrsb.w r4, [r12, #1]");
    expect32(t2_ldst_imm12(T2_LDRSH, T2_R4, T2_R12, 6), "ldrsh.w r4, [r12, #6]");
    expect32(t2_ldst_imm12(T2_STRB, T2_R2, T2_R12, 0), "strb.w r2, [r12]");
    expect32(t2_ldst_imm12(T2_STRH, T2_R2, T2_R12, 4), "strh.w r2, [r12, #4]");
    expect32(t2_ldst_neg8(T2_LDR, T2_R0, T2_R10, 8), "ldr r0, [r10, #-0x8]");
    expect32(t2_ldst_neg8(T2_STRB, T2_R2, T2_R10, 1), "strb r2, [r10, #-0x1]");
    expect32(t2_push_one(T2_R10), "str r10, [sp, #-0x4]!");
    expect32(t2_pop_one(T2_R10), "ldr r10, [sp], #4");
    expect32(t2_push(0x4FF8), "push.w {r3, r4, r5, r6, r7, r8, r9, r10, r11, lr}");
    expect32(t2_pop(0x8FF8), "pop.w {r3, r4, r5, r6, r7, r8, r9, r10, r11, pc}");
}

Test(t2_encode, extend_and_swap)
{
    expect32(t2_rev(T2_R4, T2_R5), "rev.w r4, r5");
    expect32(t2_rev16(T2_R4, T2_R4), "rev16.w r4, r4");
    expect32(t2_uxth(T2_R4, T2_R4), "uxth.w r4, r4");
    expect32(t2_uxtb(T2_R0, T2_R1), "uxtb.w r0, r1");
    expect32(t2_sxth(T2_R0, T2_R1), "sxth.w r0, r1");
    expect32(t2_sxtb(T2_R8, T2_R9), "sxtb.w r8, r9");
}

Test(t2_encode, branches_reach_both_directions)
{
    expect32(t2_b_cond(T2_NE, 0x100), "bne.w #0x1104");
    expect32(t2_b_cond(T2_LT, -0x1000), "blt.w #4");
    expect32(t2_b_cond(T2_CS, 0xFFFFE), "bhs.w #0x101002");
    expect32(t2_b(0x200000), "b.w #0x201004");
    expect32(t2_b(-0x800), "b.w #0x804");
    expect32(t2_bl(0x123456), "bl #0x12445a");
    expect32(t2_bl(-0x10), "bl #0xff4");
    expect32(t2_dsb(), "dsb sy");
    expect32(t2_isb(), "isb sy");
    expect16(t2_blx16(T2_R12), "blx r12");
    expect16(t2_push_lr16(), "push {lr}");
    expect16(t2_pop_pc16(), "pop {pc}");
    expect16(t2_mov_sp16(T2_R1), "mov sp, r1");
}
