/* Thumb-2 encoders (ARMv7-M Architecture Reference Manual, section A7.7). */
#include "jit/thumb2/t2_encode.h"

uint32_t t2_dp_reg(int op, int s, int rd, int rn, int rm, int shift_type, int amount)
{
    uint32_t imm3 = ((uint32_t)amount >> 2) & 7, imm2 = (uint32_t)amount & 3;
    return T2_WIDE(0xEA00u | (uint32_t)op << 5 | (uint32_t)s << 4 | (uint32_t)rn,
                   imm3 << 12 | (uint32_t)rd << 8 | imm2 << 6 | (uint32_t)shift_type << 4 | (uint32_t)rm);
}

uint32_t t2_dp_imm8(int op, int s, int rd, int rn, uint32_t imm8)
{
    return T2_WIDE(0xF000u | (uint32_t)op << 5 | (uint32_t)s << 4 | (uint32_t)rn,
                   (uint32_t)rd << 8 | (imm8 & 0xff));
}

static uint32_t rol32(uint32_t v, uint32_t r)
{
    r &= 31u;
    return r ? v << r | v >> (32 - r) : v;
}

/* v (nonzero) as 1bcdefgh rotated right by 8..31, taking the leading one of v rotated left by
 * pre for the window's top bit: the encoding, or -1. */
static int rotated8(uint32_t v, uint32_t pre)
{
    const uint32_t rot = ((uint32_t)__builtin_clz(rol32(v, pre)) + pre - 24u) & 31u;
    const uint32_t u = rol32(v, rot);
    return rot >= 8 && u >= 0x80 && u <= 0xff ? (int)(rot << 7 | (u & 0x7f)) : -1;
}

int t2_modimm(uint32_t v)
{
    const uint32_t b = v & 0xff;
    if (v <= 0xff)
        return (int)v;
    if (v == (b | b << 16))
        return (int)(0x100 | b);
    const uint32_t b1 = v >> 8 & 0xff;
    if (v == (b1 << 8 | b1 << 24))
        return (int)(0x200 | b1);
    if (v == b * 0x01010101u)
        return (int)(0x300 | b);
    /* 1bcdefgh rotated right by rot in 8..31: at most one rot fits, the one that brings the
     * window's top bit to bit 7; found from the leading one of v, or of v rotated by 16 when
     * the window wraps past bit 31 */
    const int r = rotated8(v, 0);
    return r >= 0 ? r : rotated8(v, 16);
}

uint32_t t2_dp_modimm(int op, int s, int rd, int rn, int enc12)
{
    const uint32_t e = (uint32_t)enc12;
    return T2_WIDE(0xF000u | (e >> 11 & 1) << 10 | (uint32_t)op << 5 | (uint32_t)s << 4 | (uint32_t)rn,
                   (e >> 8 & 7) << 12 | (uint32_t)rd << 8 | (e & 0xff));
}

uint32_t t2_mov_reg(int rd, int rm)
{
    return t2_dp_reg(T2_ORR, 0, rd, T2_PC, rm, 0, 0);
}

static uint32_t mov16(uint32_t base, int rd, uint32_t imm16)
{
    uint32_t i = (imm16 >> 11) & 1, imm4 = (imm16 >> 12) & 0xf, imm3 = (imm16 >> 8) & 7;
    return T2_WIDE(base | i << 10 | imm4, imm3 << 12 | (uint32_t)rd << 8 | (imm16 & 0xff));
}

uint32_t t2_movw(int rd, uint32_t imm16)
{
    return mov16(0xF240u, rd, imm16);
}

uint32_t t2_movt(int rd, uint32_t imm16)
{
    return mov16(0xF2C0u, rd, imm16);
}

static uint32_t addsubw(uint32_t base, int rd, int rn, uint32_t imm12)
{
    uint32_t i = (imm12 >> 11) & 1, imm3 = (imm12 >> 8) & 7;
    return T2_WIDE(base | i << 10 | (uint32_t)rn, imm3 << 12 | (uint32_t)rd << 8 | (imm12 & 0xff));
}

uint32_t t2_addw(int rd, int rn, uint32_t imm12)
{
    return addsubw(0xF200u, rd, rn, imm12);
}

uint32_t t2_subw(int rd, int rn, uint32_t imm12)
{
    return addsubw(0xF2A0u, rd, rn, imm12);
}

uint32_t t2_shift_reg(int type, int rd, int rn, int rm)
{
    return T2_WIDE(0xFA00u | (uint32_t)type << 5 | (uint32_t)rn, 0xF000u | (uint32_t)rd << 8 | (uint32_t)rm);
}

uint32_t t2_mul(int rd, int rn, int rm)
{
    return T2_WIDE(0xFB00u | (uint32_t)rn, 0xF000u | (uint32_t)rd << 8 | (uint32_t)rm);
}

uint32_t t2_mla(int rd, int rn, int rm, int ra)
{
    return T2_WIDE(0xFB00u | (uint32_t)rn, (uint32_t)ra << 12 | (uint32_t)rd << 8 | (uint32_t)rm);
}

uint32_t t2_mls(int rd, int rn, int rm, int ra)
{
    return T2_WIDE(0xFB00u | (uint32_t)rn, (uint32_t)ra << 12 | (uint32_t)rd << 8 | 0x10u | (uint32_t)rm);
}

uint32_t t2_umull(int rdlo, int rdhi, int rn, int rm)
{
    return T2_WIDE(0xFBA0u | (uint32_t)rn, (uint32_t)rdlo << 12 | (uint32_t)rdhi << 8 | (uint32_t)rm);
}

uint32_t t2_udiv(int rd, int rn, int rm)
{
    return T2_WIDE(0xFBB0u | (uint32_t)rn, 0xF0F0u | (uint32_t)rd << 8 | (uint32_t)rm);
}

uint32_t t2_sdiv(int rd, int rn, int rm)
{
    return T2_WIDE(0xFB90u | (uint32_t)rn, 0xF0F0u | (uint32_t)rd << 8 | (uint32_t)rm);
}

static const uint16_t ldst_imm12_base[] = {0xF8C0, 0xF8A0, 0xF880, 0xF8D0, 0xF8B0, 0xF890, 0xF9B0, 0xF990};
static const uint16_t ldst_imm8_base[] = {0xF840, 0xF820, 0xF800, 0xF850, 0xF830, 0xF810, 0xF930, 0xF910};

uint32_t t2_ldst_imm12(int kind, int rt, int rn, uint32_t imm12)
{
    return T2_WIDE(ldst_imm12_base[kind] | (uint32_t)rn, (uint32_t)rt << 12 | (imm12 & 0xfff));
}

uint32_t t2_ldst_neg8(int kind, int rt, int rn, uint32_t imm8)
{
    return T2_WIDE(ldst_imm8_base[kind] | (uint32_t)rn, (uint32_t)rt << 12 | 0xC00u | (imm8 & 0xff));
}

static uint32_t misc(uint32_t hw1, uint32_t hw2_base, int rd, int rm)
{
    return T2_WIDE(hw1, hw2_base | (uint32_t)rd << 8 | (uint32_t)rm);
}

uint32_t t2_rev(int rd, int rm) { return misc(0xFA90u | (uint32_t)rm, 0xF080u, rd, rm); }
uint32_t t2_rev16(int rd, int rm) { return misc(0xFA90u | (uint32_t)rm, 0xF090u, rd, rm); }
uint32_t t2_uxth(int rd, int rm) { return misc(0xFA1Fu, 0xF080u, rd, rm); }
uint32_t t2_uxtb(int rd, int rm) { return misc(0xFA5Fu, 0xF080u, rd, rm); }
uint32_t t2_sxth(int rd, int rm) { return misc(0xFA0Fu, 0xF080u, rd, rm); }
uint32_t t2_sxtb(int rd, int rm) { return misc(0xFA4Fu, 0xF080u, rd, rm); }

uint32_t t2_push(uint16_t reglist) { return T2_WIDE(0xE92Du, reglist); }
uint32_t t2_pop(uint16_t reglist) { return T2_WIDE(0xE8BDu, reglist); }
uint32_t t2_push_one(int rt) { return T2_WIDE(0xF84Du, (uint32_t)rt << 12 | 0xD04u); }
uint32_t t2_pop_one(int rt) { return T2_WIDE(0xF85Du, (uint32_t)rt << 12 | 0xB04u); }

int t2_b_cond_fits(int32_t offset)
{
    return offset >= -(1 << 20) && offset < (1 << 20);
}

uint32_t t2_b_cond(int cond, int32_t offset)
{
    uint32_t imm = (uint32_t)offset;
    uint32_t s = (imm >> 31) & 1, j2 = (imm >> 19) & 1, j1 = (imm >> 18) & 1;
    uint32_t imm6 = (imm >> 12) & 0x3f, imm11 = (imm >> 1) & 0x7ff;
    return T2_WIDE(0xF000u | s << 10 | (uint32_t)cond << 6 | imm6, 0x8000u | j1 << 13 | j2 << 11 | imm11);
}

static uint32_t b_t4(uint32_t hw2_base, int32_t offset)
{
    uint32_t imm = (uint32_t)offset;
    uint32_t s = (imm >> 31) & 1, i1 = (imm >> 23) & 1, i2 = (imm >> 22) & 1;
    uint32_t j1 = (~(i1 ^ s)) & 1, j2 = (~(i2 ^ s)) & 1;
    uint32_t imm10 = (imm >> 12) & 0x3ff, imm11 = (imm >> 1) & 0x7ff;
    return T2_WIDE(0xF000u | s << 10 | imm10, hw2_base | j1 << 13 | j2 << 11 | imm11);
}

uint32_t t2_b(int32_t offset) { return b_t4(0x9000u, offset); }
uint32_t t2_bl(int32_t offset) { return b_t4(0xD000u, offset); }
uint32_t t2_dsb(void) { return T2_WIDE(0xF3BFu, 0x8F4Fu); }
uint32_t t2_isb(void) { return T2_WIDE(0xF3BFu, 0x8F6Fu); }
uint16_t t2_blx16(int rm) { return (uint16_t)(0x4780u | (uint32_t)rm << 3); }
uint16_t t2_bx16(int rm) { return (uint16_t)(0x4700u | (uint32_t)rm << 3); }
uint16_t t2_push_lr16(void) { return 0xB500u; }
uint16_t t2_pop_pc16(void) { return 0xBD00u; }
uint16_t t2_mov_sp16(int rm) { return (uint16_t)(0x4600u | 0x80u | (uint32_t)rm << 3 | 5u); }

uint16_t t2_it(int cond)
{
    return (uint16_t)(0xBF08u | (uint32_t)cond << 4);
}
