/* RV32IM encoders: R, I, S, B, U and J formats. */
#include "jit/rv32/rv_encode.h"

static uint32_t r_type(uint32_t f7, int rs2, int rs1, int f3, int rd, uint32_t op)
{
    return f7 << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | (uint32_t)rd << 7 | op;
}

static uint32_t i_type(int32_t imm, int rs1, int f3, int rd, uint32_t op)
{
    return ((uint32_t)imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | (uint32_t)rd << 7 | op;
}

int rv_fits12(int32_t v)
{
    return v >= -2048 && v <= 2047;
}

uint32_t rv_op(int f3, int rd, int rs1, int rs2) { return r_type(0, rs2, rs1, f3, rd, 0x33); }
uint32_t rv_sub(int rd, int rs1, int rs2) { return r_type(0x20, rs2, rs1, RV_ADD, rd, 0x33); }
uint32_t rv_sra(int rd, int rs1, int rs2) { return r_type(0x20, rs2, rs1, RV_SRL, rd, 0x33); }
uint32_t rv_mop(int f3, int rd, int rs1, int rs2) { return r_type(1, rs2, rs1, f3, rd, 0x33); }
uint32_t rv_opi(int f3, int rd, int rs1, int32_t imm) { return i_type(imm, rs1, f3, rd, 0x13); }
uint32_t rv_slli(int rd, int rs1, int sh) { return i_type(sh & 31, rs1, RV_SLL, rd, 0x13); }
uint32_t rv_srli(int rd, int rs1, int sh) { return i_type(sh & 31, rs1, RV_SRL, rd, 0x13); }
uint32_t rv_srai(int rd, int rs1, int sh) { return i_type(0x400 | (sh & 31), rs1, RV_SRL, rd, 0x13); }
uint32_t rv_lui(int rd, uint32_t imm20) { return (imm20 & 0xfffff) << 12 | (uint32_t)rd << 7 | 0x37; }
uint32_t rv_load(int f3, int rd, int rs1, int32_t off) { return i_type(off, rs1, f3, rd, 0x03); }

uint32_t rv_store(int f3, int rs2, int rs1, int32_t off)
{
    uint32_t imm = (uint32_t)off & 0xfff;
    return (imm >> 5) << 25 | (uint32_t)rs2 << 20 | (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 |
           (imm & 0x1f) << 7 | 0x23;
}

uint32_t rv_branch(int f3, int rs1, int rs2, int32_t off)
{
    uint32_t imm = (uint32_t)off;
    return ((imm >> 12) & 1) << 31 | ((imm >> 5) & 0x3f) << 25 | (uint32_t)rs2 << 20 |
           (uint32_t)rs1 << 15 | (uint32_t)f3 << 12 | ((imm >> 1) & 0xf) << 8 | ((imm >> 11) & 1) << 7 | 0x63;
}

uint32_t rv_jal(int rd, int32_t off)
{
    uint32_t imm = (uint32_t)off;
    return ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 | ((imm >> 11) & 1) << 20 |
           ((imm >> 12) & 0xff) << 12 | (uint32_t)rd << 7 | 0x6f;
}

uint32_t rv_jalr(int rd, int rs1, int32_t off) { return i_type(off, rs1, 0, rd, 0x67); }
uint32_t rv_fence_i(void) { return 0x0000100fu; }

/* ---- the C extension: a 16-bit equivalent of a 32-bit instruction, where one exists --------- */

static int creg(uint32_t r)
{
    return r >= 8 && r <= 15;
}

static int fits6(int32_t v)
{
    return v >= -32 && v <= 31;
}

static uint16_t ci(uint32_t f3, uint32_t rd, int32_t imm, uint32_t op)
{
    uint32_t u = (uint32_t)imm;
    return (uint16_t)(f3 << 13 | ((u >> 5) & 1) << 12 | rd << 7 | (u & 31) << 2 | op);
}

int rv_compress(uint32_t insn, uint16_t *out)
{
    const uint32_t op = insn & 0x7f, rd = (insn >> 7) & 31, f3 = (insn >> 12) & 7;
    const uint32_t rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31, f7 = insn >> 25;
    const int32_t imm_i = (int32_t)insn >> 20;
    const int32_t imm_s = ((int32_t)insn >> 25) * 32 + (int32_t)((insn >> 7) & 31);
    switch (op) {
    case 0x13: /* OP-IMM */
        if (f3 == RV_ADD) {
            if (rs1 == 0 && rd != 0 && fits6(imm_i)) {
                *out = ci(2, rd, imm_i, 1); /* c.li */
                return 1;
            }
            if (imm_i == 0 && rd != 0 && rs1 != 0) {
                *out = (uint16_t)(0x8002u | rd << 7 | rs1 << 2); /* c.mv */
                return 1;
            }
            if (rd == 2 && rs1 == 2 && imm_i && !(imm_i & 15) && imm_i >= -512 && imm_i <= 496) {
                uint32_t u = (uint32_t)imm_i; /* c.addi16sp */
                *out = (uint16_t)(0x6000u | ((u >> 9) & 1) << 12 | 2u << 7 | ((u >> 4) & 1) << 6 |
                                  ((u >> 6) & 1) << 5 | ((u >> 7) & 3) << 3 | ((u >> 5) & 1) << 2 | 1u);
                return 1;
            }
            if (rd == rs1 && rd != 0 && imm_i && fits6(imm_i)) {
                *out = ci(0, rd, imm_i, 1); /* c.addi */
                return 1;
            }
        } else if (f3 == RV_SLL && rd == rs1 && rd != 0 && (imm_i & 31) && !(imm_i & ~31)) {
            *out = ci(0, rd, imm_i, 2); /* c.slli */
            return 1;
        } else if (f3 == RV_SRL && rd == rs1 && creg(rd) && (imm_i & 31)) {
            uint32_t sra = (imm_i & 0x400) ? 1u : 0u; /* c.srli / c.srai */
            if ((imm_i & ~0x41f) == 0) {
                *out = (uint16_t)(0x8000u | sra << 10 | (rd - 8) << 7 | (uint32_t)(imm_i & 31) << 2 | 1u);
                return 1;
            }
        } else if (f3 == RV_AND && rd == rs1 && creg(rd) && fits6(imm_i)) {
            uint32_t u = (uint32_t)imm_i; /* c.andi */
            *out = (uint16_t)(0x8800u | ((u >> 5) & 1) << 12 | (rd - 8) << 7 | (u & 31) << 2 | 1u);
            return 1;
        }
        return 0;
    case 0x33: /* OP */
        if (f7 == 0 && f3 == RV_ADD && rd != 0) {
            if (rd == rs1 && rs2 != 0) {
                *out = (uint16_t)(0x9002u | rd << 7 | rs2 << 2); /* c.add */
                return 1;
            }
            if (rd == rs2 && rs1 != 0) {
                *out = (uint16_t)(0x9002u | rd << 7 | rs1 << 2); /* c.add, operands swapped */
                return 1;
            }
            if (rs1 == 0 && rs2 != 0) {
                *out = (uint16_t)(0x8002u | rd << 7 | rs2 << 2); /* c.mv */
                return 1;
            }
            return 0;
        }
        if (!creg(rd) || !creg(rs1) || !creg(rs2))
            return 0;
        {
            uint32_t sel, other;
            if (f7 == 0x20 && f3 == RV_ADD && rd == rs1) {
                *out = (uint16_t)(0x8c01u | (rd - 8) << 7 | (rs2 - 8) << 2); /* c.sub */
                return 1;
            }
            if (f7 != 0 || (f3 != RV_XOR && f3 != RV_OR && f3 != RV_AND))
                return 0;
            if (rd == rs1)
                other = rs2;
            else if (rd == rs2)
                other = rs1; /* commutative */
            else
                return 0;
            sel = f3 == RV_XOR ? 1u : f3 == RV_OR ? 2u : 3u;
            *out = (uint16_t)(0x8c01u | (rd - 8) << 7 | sel << 5 | (other - 8) << 2);
            return 1;
        }
    case 0x37: { /* LUI */
        int32_t v = (int32_t)insn >> 12;
        if (rd != 0 && rd != 2 && v && fits6(v)) {
            *out = ci(3, rd, v, 1); /* c.lui */
            return 1;
        }
        return 0;
    }
    case 0x03: /* LOAD */
        if (f3 != RV_LW || imm_i < 0 || (imm_i & 3))
            return 0;
        if (creg(rd) && creg(rs1) && imm_i <= 124) {
            uint32_t u = (uint32_t)imm_i; /* c.lw */
            *out = (uint16_t)(0x4000u | ((u >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((u >> 2) & 1) << 6 |
                              ((u >> 6) & 1) << 5 | (rd - 8) << 2);
            return 1;
        }
        if (rs1 == 2 && rd != 0 && imm_i <= 252) {
            uint32_t u = (uint32_t)imm_i; /* c.lwsp */
            *out = (uint16_t)(0x4002u | ((u >> 5) & 1) << 12 | rd << 7 | ((u >> 2) & 7) << 4 | ((u >> 6) & 3) << 2);
            return 1;
        }
        return 0;
    case 0x23: /* STORE */
        if (f3 != RV_SW || imm_s < 0 || (imm_s & 3))
            return 0;
        if (creg(rs2) && creg(rs1) && imm_s <= 124) {
            uint32_t u = (uint32_t)imm_s; /* c.sw */
            *out = (uint16_t)(0xc000u | ((u >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((u >> 2) & 1) << 6 |
                              ((u >> 6) & 1) << 5 | (rs2 - 8) << 2);
            return 1;
        }
        if (rs1 == 2 && imm_s <= 252) {
            uint32_t u = (uint32_t)imm_s; /* c.swsp */
            *out = (uint16_t)(0xc002u | ((u >> 2) & 15) << 9 | ((u >> 6) & 3) << 7 | rs2 << 2);
            return 1;
        }
        return 0;
    case 0x67: /* JALR with offset 0: c.jr / c.jalr */
        if (imm_i == 0 && rs1 != 0 && (rd == 0 || rd == 1)) {
            *out = (uint16_t)((rd ? 0x9002u : 0x8002u) | rs1 << 7);
            return 1;
        }
        return 0;
    default:
        return 0; /* branches and jumps stay 32-bit: their size must not depend on offsets */
    }
}
