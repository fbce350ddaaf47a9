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
    expect16(t2_itt(T2_CS), "itt hs");
    expect16(t2_itt(T2_EQ), "itt eq");
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

/* ---- 16-bit forms: every encoding t2_narrow maps must decode to the same instruction ---------- */

static csh cs_thumb(void)
{
    csh h;
    cr_assert_eq(cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_NOREGNAME);
    return h;
}

/* Capstone's text of one instruction, in a canonical form: no ".w", "movw"/"addw"/"subw" as
 * mov/add/sub, "negs a, b" as "rsbs a, b, #0", "op a, a, b" as "op a, b", and "op a, b, a" as
 * "op a, b" for the commutative ops. Returns the instruction's size, 0 if it does not decode. */
static size_t canon(csh h, const uint8_t *b, size_t len, char *out, size_t cap)
{
    cs_insn *insn;
    if (cs_disasm(h, b, len, 0x1000, 1, &insn) != 1)
        return 0;
    char mn[32], a[32] = "", x[32] = "", y[64] = "";
    snprintf(mn, sizeof mn, "%s", insn[0].mnemonic);
    char *w = strstr(mn, ".w");
    if (w)
        *w = 0;
    if (!strcmp(mn, "movw") || !strcmp(mn, "addw") || !strcmp(mn, "subw"))
        mn[3] = 0;
    const size_t size = insn[0].size;
    const char *ops = insn[0].op_str;
    if (ops[0] != '#' && !strchr(ops, '[') && !strchr(ops, '{')) {
        sscanf(ops, "%31[^,], %31[^,], %63[^\n]", a, x, y);
        if (!strcmp(mn, "negs") && !y[0]) {
            snprintf(mn, sizeof mn, "rsbs");
            snprintf(y, sizeof y, "#0");
        }
        const int comm = !strncmp(mn, "and", 3) || !strncmp(mn, "orr", 3) || !strncmp(mn, "eor", 3) ||
                         !strncmp(mn, "adc", 3) || !strncmp(mn, "add", 3) || !strncmp(mn, "mul", 3);
        if (y[0] && !strcmp(a, x))
            snprintf(out, cap, "%s %s, %s", mn, a, y);
        else if (y[0] && comm && !strcmp(a, y))
            snprintf(out, cap, "%s %s, %s", mn, a, x);
        else
            snprintf(out, cap, "%s %s", mn, ops);
    } else {
        snprintf(out, cap, "%s %s", mn, ops);
    }
    cs_free(insn, 1);
    return size;
}

static int checked;

/* wide and its 16-bit form decode alike; flags_free: but for the flag-setting "s" the 16-bit
 * form adds. */
static void expect_narrow_same(csh h, uint32_t wide, int flags_free)
{
    uint16_t n;
    if (!(flags_free ? t2_narrow_flags_free(wide, &n) : t2_narrow(wide, &n)))
        return;
    const uint8_t bw[4] = {(uint8_t)wide, (uint8_t)(wide >> 8), (uint8_t)(wide >> 16), (uint8_t)(wide >> 24)};
    const uint8_t bn[2] = {(uint8_t)n, (uint8_t)(n >> 8)};
    char tw[256], tn[256];
    cr_assert_eq(canon(h, bw, 4, tw, sizeof tw), 4, "wide %08x does not decode", wide);
    cr_assert_eq(canon(h, bn, 2, tn, sizeof tn), 2, "narrow %04x of %08x does not decode", n, wide);
    const char *sn = strchr(tn, ' '), *sw = strchr(tw, ' ');
    if (flags_free && strcmp(tw, tn) && sn && sw && sn - tn == sw - tw + 1 && sn[-1] == 's' &&
        !strncmp(tn, tw, (size_t)(sw - tw))) /* "ands r1, r2" for "and r1, r2": drop the s */
        memmove(tn + (sn - tn) - 1, sn, strlen(sn) + 1);
    cr_expect_str_eq(tn, tw, "%08x -> %04x: 16-bit \"%s\", 32-bit \"%s\"", wide, n, tn, tw);
    checked++;
}

static const int regs[] = {T2_R0, T2_R1, T2_R3, T2_R7, T2_R8, T2_R10, T2_R12, T2_LR};
#define NREGS (int)(sizeof regs / sizeof regs[0])
static const uint32_t imms[] = {0, 1, 4, 7, 8, 31, 32, 62, 64, 124, 128, 255};
#define NIMMS (int)(sizeof imms / sizeof imms[0])

static void narrow_all(int flags_free)
{
    static const int ops[] = {T2_AND, T2_BIC, T2_ORR, T2_EOR, T2_ADD, T2_ADC, T2_SBC, T2_SUB, T2_RSB};
    csh h = cs_thumb();
    for (int o = 0; o < 9; o++)
        for (int s = 0; s < 2; s++)
            for (int d = 0; d <= NREGS; d++)
                for (int n = 0; n <= NREGS; n++) {
                    const int rd = d < NREGS ? regs[d] : T2_PC, rn = n < NREGS ? regs[n] : T2_PC;
                    if (rd == T2_PC && !s)
                        continue;
                    for (int m = 0; m < NREGS; m++) {
                        if (ops[o] != T2_RSB)
                            expect_narrow_same(h, t2_dp_reg(ops[o], s, rd, rn, regs[m], 0, 0), flags_free);
                        if (ops[o] == T2_ORR && rn == T2_PC)
                            for (int k = 0; k < 32; k += 5)
                                for (int ty = T2_LSL; ty <= T2_ROR; ty++)
                                    expect_narrow_same(h, t2_dp_reg(T2_ORR, s, rd, T2_PC, regs[m], ty, k), flags_free);
                    }
                    for (int i = 0; i < NIMMS; i++)
                        expect_narrow_same(h, t2_dp_imm8(ops[o], s, rd, rn, imms[i]), flags_free);
                }
    for (int d = 0; d < NREGS; d++) {
        for (int i = 0; i < NIMMS; i++) {
            expect_narrow_same(h, t2_movw(regs[d], imms[i]), flags_free);
            for (int n = 0; n < NREGS; n++) {
                expect_narrow_same(h, t2_addw(regs[d], regs[n], imms[i]), flags_free);
                expect_narrow_same(h, t2_subw(regs[d], regs[n], imms[i]), flags_free);
            }
        }
        for (int n = 0; n < NREGS; n++) {
            expect_narrow_same(h, t2_rev(regs[d], regs[n]), flags_free);
            expect_narrow_same(h, t2_rev16(regs[d], regs[n]), flags_free);
            expect_narrow_same(h, t2_uxth(regs[d], regs[n]), flags_free);
            expect_narrow_same(h, t2_uxtb(regs[d], regs[n]), flags_free);
            expect_narrow_same(h, t2_sxth(regs[d], regs[n]), flags_free);
            expect_narrow_same(h, t2_sxtb(regs[d], regs[n]), flags_free);
            for (int m = 0; m < NREGS; m++) {
                expect_narrow_same(h, t2_mul(regs[d], regs[n], regs[m]), flags_free);
                for (int ty = T2_LSL; ty <= T2_ROR; ty++)
                    expect_narrow_same(h, t2_shift_reg(ty, regs[d], regs[n], regs[m]), flags_free);
            }
            for (int k = T2_STR; k <= T2_LDRB; k++)
                for (uint32_t off = 0; off < 1100; off += off < 130 ? 1 : 61) {
                    expect_narrow_same(h, t2_ldst_imm12(k, regs[d], regs[n], off), flags_free);
                    expect_narrow_same(h, t2_ldst_imm12(k, regs[d], T2_SP, off), flags_free);
                }
        }
    }
    for (uint32_t list = 1; list < 0x10000; list += 0x35)
        if (__builtin_popcount(list & ~0x2000u) >= 2) {
            expect_narrow_same(h, t2_push((uint16_t)(list & ~0xA000u)), flags_free);
            expect_narrow_same(h, t2_pop((uint16_t)(list & ~0x6000u)), flags_free);
        }
    cs_close(&h);
}

Test(t2_encode, narrow_forms_are_exact)
{
    checked = 0;
    narrow_all(0);
    cr_expect_gt(checked, 2000, "only %d 16-bit forms checked", checked);
    uint16_t n;
    /* forms whose 16-bit encoding would set flags the 32-bit one leaves alone stay wide */
    cr_expect_eq(t2_narrow(t2_dp_reg(T2_ADD, 0, T2_R0, T2_R1, T2_R2, 0, 0), &n), 0);
    cr_expect_eq(t2_narrow(t2_dp_imm8(T2_ORR, 0, T2_R5, T2_PC, 0), &n), 0);
    cr_expect_eq(t2_narrow(t2_dp_reg(T2_EOR, 0, T2_R1, T2_R1, T2_R2, 0, 0), &n), 0);
    cr_expect_eq(t2_narrow(t2_movw(T2_R0, 7), &n), 0);
    /* ...and branches are never rewritten here */
    cr_expect_eq(t2_narrow(t2_b_cond(T2_NE, 8), &n), 0);
    cr_expect_eq(t2_narrow(t2_b(8), &n), 0);
    cr_expect_eq(t2_narrow(t2_bl(8), &n), 0);
    cr_expect_eq(t2_narrow_flags_free(t2_b(8), &n), 0);
    /* a few by name */
    cr_assert(t2_narrow(t2_mov_reg(T2_R11, T2_R0), &n));
    expect16(n, "mov r11, r0");
    cr_assert(t2_narrow(t2_dp_reg(T2_SUB, 1, T2_PC, T2_R12, T2_R2, 0, 0), &n));
    expect16(n, "cmp r12, r2");
    cr_assert(t2_narrow(t2_dp_imm8(T2_SUB, 1, T2_R4, T2_R4, 1), &n));
    expect16(n, "subs r4, r4, #1");
    cr_assert(t2_narrow(t2_ldst_imm12(T2_LDR, T2_R0, T2_R1, 124), &n));
    expect16(n, "ldr r0, [r1, #0x7c]");
    cr_assert(t2_narrow(t2_push(0x40F0), &n));
    expect16(n, "push {r4, r5, r6, r7, lr}");
}

Test(t2_encode, narrow_forms_where_flags_are_dead)
{
    checked = 0;
    narrow_all(1);
    cr_expect_gt(checked, 3000, "only %d 16-bit forms checked", checked);
    uint16_t n;
    cr_assert(t2_narrow_flags_free(t2_dp_imm8(T2_ORR, 0, T2_R5, T2_PC, 0), &n));
    expect16(n, "movs r5, #0");
    cr_assert(t2_narrow_flags_free(t2_dp_reg(T2_EOR, 0, T2_R1, T2_R1, T2_R2, 0, 0), &n));
    expect16(n, "eors r1, r2");
    cr_assert(t2_narrow_flags_free(t2_movw(T2_R0, 7), &n));
    expect16(n, "movs r0, #7");
    cr_assert(t2_narrow_flags_free(t2_shift_reg(T2_LSR, T2_R3, T2_R3, T2_R1), &n));
    expect16(n, "lsrs r3, r1");
    cr_expect_eq(t2_narrow_flags_free(t2_dp_reg(T2_EOR, 1, T2_PC, T2_R1, T2_R2, 0, 0), &n), 0); /* teq */
}

Test(t2_encode, short_branches)
{
    expect16(t2_movs16(T2_R1, 1), "movs r1, #1");
    expect16(t2_b16(2), "b #0x1006");
    expect16(t2_b16(-2048), "b #0x804");
    expect16(t2_b_cond16(T2_NE, 254), "bne #0x1102");
    expect16(t2_b_cond16(T2_CC, -256), "blo #0xf04");
    cr_expect(t2_b16_fits(2046) && !t2_b16_fits(2048) && t2_b16_fits(-2048) && !t2_b16_fits(-2050));
    cr_expect(t2_b_cond16_fits(254) && !t2_b_cond16_fits(256) && t2_b_cond16_fits(-256));
}
