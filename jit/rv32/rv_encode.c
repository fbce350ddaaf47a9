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
