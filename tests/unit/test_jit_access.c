/* Memory access forms of translated code: without MBPF_FACT_ALIGNED neither backend may use an
 * instruction that traps on a misaligned address on some core (RV32 lw/sw/lh/lhu/sh; Thumb-2
 * ldrd/strd/ldm/stm other than on the native stack). The code is decoded and scanned. */
#include <criterion/criterion.h>
#include <string.h>

#include "mcubpf/jit.h"
#include "mcubpf/verifier.h"
#include "tests/unit/bpf_asm.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 2-, 4- and 8-byte loads and stores, plain and sign-extending, on the context (guarded) and
 * the stack (proven). */
static const mbpf_insn accesses[] = {
    LDX(MBPF_H, 2, 1, 1),       LDX(MBPF_W, 3, 1, 3),  LDX(MBPF_DW, 4, 1, 5), LDXSX(MBPF_H, 5, 1, 7),
    LDXSX(MBPF_W, 6, 1, 9),     STX(MBPF_H, 1, 2, 11), STX(MBPF_W, 1, 3, 13), STX(MBPF_DW, 1, 4, 15),
    ST(MBPF_W, 1, 19, 7),       STX(MBPF_DW, MBPF_REG_FP, 4, -8), STX(MBPF_W, MBPF_REG_FP, 3, -12),
    STX(MBPF_H, MBPF_REG_FP, 2, -14), LDX(MBPF_DW, 0, MBPF_REG_FP, -8), LDX(MBPF_W, 7, MBPF_REG_FP, -12),
    LDX(MBPF_H, 8, MBPF_REG_FP, -14), ALU64_REG(MBPF_ADD, 0, 7), ALU64_REG(MBPF_ADD, 0, 8), EXIT(),
};

/* A counted loop of halfword loads through a pointer (versioned: the loop's test checks the
 * pointer's alignment for the fast copy). */
static const mbpf_insn half_loop[] = {
    MOV64(0, 0),        JMP_IMM(MBPF_JLT, 2, 2, 8), ALU64_IMM(MBPF_RSH, 2, 1), MOV64(3, 0),
    MOV64R(5, 1),       LDX(MBPF_H, 4, 5, 0),       ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 5, 2),
    ALU64_IMM(MBPF_ADD, 3, 1), JMP_REG(MBPF_JLT, 3, 2, -5), EXIT(),
};

static mbpf_fact facts[32];
static uint8_t code[8192];
static uint8_t work[1 << 16] __attribute__((aligned(8)));

static uint32_t translate_prog(mbpf_target target, const mbpf_insn *insns, uint32_t n, int aligned)
{
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    mbpf_verify_opts o;
    mbpf_verify_result vr;
    memset(&o, 0, sizeof o);
    o.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    cr_assert_eq(mbpf_verify(&p, &o, facts, work, sizeof work, &vr), 0, "%s", vr.msg);
    for (uint32_t i = 0; i < n; i++) {
        if (aligned && facts[i].mem != MBPF_MEM_NONE)
            facts[i].flags |= MBPF_FACT_ALIGNED;
        else
            facts[i].flags &= (uint8_t)~MBPF_FACT_ALIGNED;
    }
    mbpf_jit_result jr;
    cr_assert_eq(mbpf_jit_translate(target, &p, facts, NULL, code, sizeof code, work, sizeof work, &jr), 0,
                 "%s", jr.err ? jr.err : "");
    return jr.code_len;
}

static uint32_t translate(mbpf_target target, int aligned)
{
    const uint32_t len = translate_prog(target, accesses, ARRAY_LEN(accesses), aligned);
    cr_assert_eq(facts[12].mem, MBPF_MEM_PROVEN, "stack accesses are proven");
    return len;
}

/* RV32 halfword and word accesses whose base is not the block (s1), the native stack (sp) or
 * the run's budget (t4, read through the block by the prologue):
 * all of them, and those not right after a run-time alignment test of their address
 * (andi t0, a, size - 1, then a branch on t0 to the byte-wise form) nor at the target of
 * "beqz t0" right after such a test (the byte-wise form inline, in a loop's fast copy) nor off
 * a base a versioned loop's test checked (andi t0, a, m; beqz t0, +8 over the jal to the
 * original loop: the fast copy then runs its accesses off a plain; that the offsets and the
 * step keep them aligned is the loop analysis' part, test_mid_loops.c). */
typedef struct rv_scan {
    uint32_t wide, untested;
} rv_scan;

static rv_scan rv_wide_accesses(uint32_t len)
{
    rv_scan r = {0, 0};
    int state = 0;
    uint32_t tested_at = UINT32_MAX, checked_bases = 0, andi_base = 0, skip8 = 0;
    for (uint32_t at = 0; at < len;) {
        const uint32_t here = at;
        int32_t boff = 0;
        uint16_t lo = (uint16_t)(code[at] | code[at + 1] << 8);
        int wide = 0, branch_t0 = 0, andi_t0 = 0, jal = 0;
        uint32_t base = 0;
        if ((lo & 3) != 3) { /* compressed */
            uint32_t op = lo & 3, f3 = lo >> 13, rs1 = 8 + ((lo >> 7) & 7);
            wide = op == 0 && (f3 == 2 || f3 == 6) && rs1 != 9; /* c.lw / c.sw */
            base = rs1;
            at += 2;
        } else {
            uint32_t insn = lo | (uint32_t)(code[at + 2] | code[at + 3] << 8) << 16;
            uint32_t opc = insn & 0x7f, f3 = (insn >> 12) & 7, rs1 = (insn >> 15) & 31;
            uint32_t rd = (insn >> 7) & 31, rs2 = (insn >> 20) & 31, imm = insn >> 20;
            wide = ((opc == 0x03 && (f3 == 1 || f3 == 2 || f3 == 5)) || (opc == 0x23 && (f3 == 1 || f3 == 2))) &&
                   rs1 != 9 && rs1 != 2 && rs1 != 29; /* t4: the prologue's budget read */
            andi_t0 = opc == 0x13 && f3 == 7 && rd == 5 && (imm == 1 || imm == 3 || imm == 7);
            branch_t0 = opc == 0x63 && (f3 == 0 || f3 == 1) && rs1 == 5 && rs2 == 0 ? (int)f3 + 1 : 0;
            jal = opc == 0x6f && rd == 0;
            boff = (int32_t)((insn >> 31) << 12 | ((insn >> 7) & 1) << 11 | ((insn >> 25) & 0x3f) << 5 |
                             ((insn >> 8) & 0xf) << 1);
            boff = boff >= 4096 ? boff - 8192 : boff;
            base = rs1;
            at += 4;
        }
        if (wide) {
            r.wide++;
            r.untested += state != 2 && here != tested_at && !((checked_bases >> base) & 1u);
            continue; /* an 8-byte access is two in a row */
        }
        /* andi t0 (1), then bnez t0 (2); or beqz t0, +8 (3) over a jal (2) */
        if (state == 1 && branch_t0 == 2)
            state = 2;
        else if (state == 1 && branch_t0 == 1) {
            state = 3;
            tested_at = here + (uint32_t)boff;
            skip8 = boff == 8;
        }
        else if (state == 3 && jal) {
            state = 2;
            if (skip8)
                checked_bases |= 1u << andi_base;
        }
        else
            state = andi_t0 ? 1 : 0;
        if (andi_t0)
            andi_base = base;
    }
    return r;
}

Test(jit_access, rv32_without_the_aligned_fact_tests_alignment_first)
{
    uint32_t len = translate(MBPF_TARGET_RV32IMC, 0);
    rv_scan s = rv_wide_accesses(len);
    cr_assert_eq(s.untested, 0, "%u of %u wide accesses without an alignment test", s.untested, s.wide);
    cr_assert_geq(s.wide, 14, "aligned at run time: plain lh/lw/sh/sw");
    len = translate(MBPF_TARGET_RV32IMC, 1);
    cr_assert_geq(rv_wide_accesses(len).wide, 14, "with the fact: plain lh/lw/sh/sw");
}

Test(jit_access, rv32_loop_copies_test_alignment_first)
{
    const uint32_t len = translate_prog(MBPF_TARGET_RV32IMC, half_loop, ARRAY_LEN(half_loop), 0);
    const rv_scan s = rv_wide_accesses(len);
    cr_assert_eq(s.untested, 0, "%u of %u wide accesses without an alignment test", s.untested, s.wide);
    cr_assert_geq(s.wide, 2, "the lhu of both copies of the loop");
}

/* Thumb-2 ldrd/strd/ldm/stm whose base is not sp (32-bit forms), and 16-bit ldm/stm. */
static uint32_t t2_multi_accesses(uint32_t len)
{
    uint32_t n = 0;
    for (uint32_t at = 0; at + 1 < len;) {
        uint16_t hw = (uint16_t)(code[at] | code[at + 1] << 8);
        uint32_t top = hw >> 11;
        if (top != 0x1d && top != 0x1e && top != 0x1f) {
            if ((hw & 0xf000) == 0xc000) /* ldm/stm (16-bit) */
                n++;
            at += 2;
            continue;
        }
        int rn_sp = (hw & 0xf) == 13;
        int dual = (hw & 0xfe40) == 0xe840 && (hw & 0x0120) != 0;            /* ldrd/strd */
        int multi = (hw & 0xfe40) == 0xe800 && (((hw >> 7) & 3) == 1 || ((hw >> 7) & 3) == 2); /* ldm/stm */
        if ((dual || multi) && !rn_sp)
            n++;
        at += 4;
    }
    return n;
}

Test(jit_access, thumb2_without_the_aligned_fact_has_no_multiword_accesses)
{
    uint32_t len = translate(MBPF_TARGET_THUMB2, 0);
    cr_assert_eq(t2_multi_accesses(len), 0);
}
