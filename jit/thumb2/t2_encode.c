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

uint16_t t2_itt(int cond)
{
    /* mask: the second instruction's condition is cond (its low bit), then the end marker */
    return (uint16_t)(0xBF04u | (uint32_t)cond << 4 | ((uint32_t)cond & 1u) << 3);
}

/* ---- 16-bit forms ------------------------------------------------------------------------------
 * t2_narrow recognises the 32-bit encodings above that have a 16-bit equivalent with exactly the
 * same effect outside an IT block, flags included (the 16-bit ALU forms set flags there, so only
 * flag-setting 32-bit forms map to them; MOV, ADD (register), loads and stores set none). */

static int lo3(uint32_t r) { return r < 8; }

/* Data processing, register operand: hw1 = 1110101 op S Rn, hw2 = 0 imm3 Rd imm2 type Rm. */
static int narrow_dp_reg(uint32_t hw1, uint32_t hw2, uint16_t *out)
{
    const uint32_t op = hw1 >> 5 & 15, s = hw1 >> 4 & 1, rn = hw1 & 15;
    const uint32_t rd = hw2 >> 8 & 15, rm = hw2 & 15, type = hw2 >> 4 & 3;
    const uint32_t amount = (hw2 >> 12 & 7) << 2 | (hw2 >> 6 & 3);
    const int plain = amount == 0 && type == 0;
    if (hw2 & 0x8000u)
        return 0;
    if (op == T2_ORR && rn == 15) { /* MOV, shifts by an immediate */
        if (!s && plain && rd != 15 && rm != 15) {
            *out = (uint16_t)(0x4600u | (rd & 8) << 4 | rm << 3 | (rd & 7));
            return 1;
        }
        if (s && type != T2_ROR && lo3(rd) && lo3(rm)) {
            *out = (uint16_t)(type << 11 | amount << 6 | rm << 3 | rd); /* LSLS/LSRS/ASRS (MOVS) */
            return 1;
        }
        return 0;
    }
    if (!plain || rn == 15 || rm == 15)
        return 0;
    if (s && rd == 15) { /* comparisons */
        if (op == T2_SUB && lo3(rn) && lo3(rm))
            *out = (uint16_t)(0x4280u | rm << 3 | rn);
        else if (op == T2_SUB)
            *out = (uint16_t)(0x4500u | (rn & 8) << 4 | rm << 3 | (rn & 7));
        else if (op == T2_ADD && lo3(rn) && lo3(rm))
            *out = (uint16_t)(0x42C0u | rm << 3 | rn);
        else if (op == T2_AND && lo3(rn) && lo3(rm))
            *out = (uint16_t)(0x4200u | rm << 3 | rn);
        else
            return 0;
        return 1;
    }
    if (!s) { /* ADD (register) without flags, two-operand form, any registers but sp and pc */
        if (op != T2_ADD || rd == 13 || rn == 13 || rm == 13 || rd == 15 || (rd != rn && rd != rm))
            return 0;
        *out = (uint16_t)(0x4400u | (rd & 8) << 4 | (rd == rn ? rm : rn) << 3 | (rd & 7));
        return 1;
    }
    if (!lo3(rd) || !lo3(rn) || !lo3(rm))
        return 0;
    if (op == T2_ADD || op == T2_SUB) {
        *out = (uint16_t)((op == T2_ADD ? 0x1800u : 0x1A00u) | rm << 6 | rn << 3 | rd);
        return 1;
    }
    /* two-operand forms: Rdn = Rdn op Rm (the commutative ones also as Rdn = Rm op Rdn) */
    static const int8_t dp16[16] = {0, 14, 12, -1, 1, -1, -1, -1, -1, -1, 5, 6, -1, -1, -1, -1};
    const int commutes = op == T2_AND || op == T2_ORR || op == T2_EOR || op == T2_ADC;
    if (dp16[op] < 0 || !(rd == rn || (commutes && rd == rm)))
        return 0;
    *out = (uint16_t)(0x4000u | (uint32_t)dp16[op] << 6 | (rd == rn ? rm : rn) << 3 | rd);
    return 1;
}

/* Data processing, modified immediate that is a plain byte (i = 0, imm3 = 0). */
static int narrow_dp_imm(uint32_t hw1, uint32_t hw2, uint16_t *out)
{
    const uint32_t op = hw1 >> 5 & 15, s = hw1 >> 4 & 1, rn = hw1 & 15;
    const uint32_t rd = hw2 >> 8 & 15, imm = hw2 & 0xff;
    if ((hw2 & 0xF000u) || (hw1 & 0x0400u) || !s)
        return 0;
    if (op == T2_SUB && rd == 15 && lo3(rn)) { /* CMP */
        *out = (uint16_t)(0x2800u | rn << 8 | imm);
        return 1;
    }
    if (op == T2_ORR && rn == 15 && lo3(rd)) { /* MOVS */
        *out = (uint16_t)(0x2000u | rd << 8 | imm);
        return 1;
    }
    if (!lo3(rd) || !lo3(rn))
        return 0;
    if ((op == T2_ADD || op == T2_SUB) && imm <= 7) {
        *out = (uint16_t)((op == T2_ADD ? 0x1C00u : 0x1E00u) | imm << 6 | rn << 3 | rd);
        return 1;
    }
    if ((op == T2_ADD || op == T2_SUB) && rd == rn) {
        *out = (uint16_t)((op == T2_ADD ? 0x3000u : 0x3800u) | rd << 8 | imm);
        return 1;
    }
    if (op == T2_RSB && imm == 0) { /* NEGS */
        *out = (uint16_t)(0x4240u | rn << 3 | rd);
        return 1;
    }
    return 0;
}

/* Loads and stores with a 12-bit immediate offset. */
static int narrow_ldst(uint32_t hw1, uint32_t hw2, uint16_t *out)
{
    static const uint16_t base16[6] = {0x6000, 0x8000, 0x7000, 0x6800, 0x8800, 0x7800};
    const uint32_t rn = hw1 & 15, rt = hw2 >> 12, imm = hw2 & 0xfff;
    if (!lo3(rt) || (!lo3(rn) && rn != 13))
        return 0; /* no 16-bit form (the block's slots through r11 are most accesses) */
    for (uint32_t k = 0; k < 6; k++) {
        if ((hw1 & 0xFFF0u) != ldst_imm12_base[k])
            continue;
        const uint32_t shift = k == T2_STR || k == T2_LDR ? 2 : k == T2_STRH || k == T2_LDRH ? 1 : 0;
        if (!lo3(rt) || (imm & ((1u << shift) - 1)))
            return 0;
        if (rn == 13 && shift == 2 && imm <= 1020) { /* sp-relative word */
            *out = (uint16_t)((k == T2_STR ? 0x9000u : 0x9800u) | rt << 8 | imm >> 2);
            return 1;
        }
        if (!lo3(rn) || (imm >> shift) > 31)
            return 0;
        *out = (uint16_t)(base16[k] | (imm >> shift) << 6 | rn << 3 | rt);
        return 1;
    }
    return 0;
}

int t2_narrow(uint32_t wide, uint16_t *out)
{
    const uint32_t hw1 = wide & 0xffff, hw2 = wide >> 16;
    if ((hw1 & 0xFE00u) == 0xEA00u)
        return narrow_dp_reg(hw1, hw2, out);
    if ((hw1 & 0xFA00u) == 0xF000u && !(hw2 & 0x8000u))
        return narrow_dp_imm(hw1, hw2, out);
    if ((hw1 & 0xFF00u) == 0xF800u)
        return narrow_ldst(hw1, hw2, out);
    if (hw1 == 0xE92Du && !(hw2 & ~0x40FFu)) { /* PUSH {r0-r7, lr} */
        *out = (uint16_t)(0xB400u | (hw2 >> 14 & 1) << 8 | (hw2 & 0xff));
        return 1;
    }
    if (hw1 == 0xE8BDu && !(hw2 & ~0x80FFu)) { /* POP {r0-r7, pc} */
        *out = (uint16_t)(0xBC00u | (hw2 >> 15 & 1) << 8 | (hw2 & 0xff));
        return 1;
    }
    /* extends (no rotation) and byte reversals of low registers */
    const uint32_t rd = hw2 >> 8 & 15, rm = hw2 & 15;
    if ((hw2 & 0xF0F0u) == 0xF080u && lo3(rd) && lo3(rm)) {
        uint32_t base = hw1 == 0xFA1Fu ? 0xB280u : hw1 == 0xFA5Fu ? 0xB2C0u : hw1 == 0xFA0Fu ? 0xB200u
                      : hw1 == 0xFA4Fu ? 0xB240u : hw1 == (0xFA90u | rm) ? 0xBA00u : 0;
        if (base) {
            *out = (uint16_t)(base | rm << 3 | rd);
            return 1;
        }
    }
    if ((hw2 & 0xF0F0u) == 0xF090u && hw1 == (0xFA90u | rm) && lo3(rd) && lo3(rm)) { /* REV16 */
        *out = (uint16_t)(0xBA40u | rm << 3 | rd);
        return 1;
    }
    return 0;
}

int t2_sets_flags(uint32_t wide)
{
    const uint32_t hw1 = wide & 0xffff, hw2 = wide >> 16;
    const int dp = (hw1 & 0xFE00u) == 0xEA00u || ((hw1 & 0xFA00u) == 0xF000u && !(hw2 & 0x8000u));
    return dp && (hw1 & 0x10u);
}

int t2_narrow_flags_free(uint32_t wide, uint16_t *out)
{
    const uint32_t hw1 = wide & 0xffff, hw2 = wide >> 16;
    const uint32_t rd = hw2 >> 8 & 15, rm = hw2 & 15, rn = hw1 & 15;
    if (t2_narrow(wide, out))
        return 1;
    if ((hw1 & 0xFE00u) == 0xEA00u || ((hw1 & 0xFA00u) == 0xF000u && !(hw2 & 0x8000u))) {
        if (rd == 15 || (hw1 & 0x10u)) /* a comparison, or TEQ, or already flag-setting */
            return 0;
        return t2_narrow(T2_WIDE(hw1 | 0x10u, hw2), out); /* the flag-setting form */
    }
    if ((hw1 & 0xFF50u) == 0xF200u && !(hw1 & 0x0400u) && !(hw2 & 0xF000u)) {
        /* ADDW/SUBW with a byte: ADDS/SUBS */
        const uint32_t op = (hw1 & 0xA0u) ? T2_SUB : T2_ADD;
        return t2_narrow(t2_dp_imm8((int)op, 1, (int)rd, (int)rn, hw2 & 0xff), out);
    }
    if (hw1 == 0xF240u && !(hw2 & 0xF000u) && lo3(rd)) { /* MOVW with a byte: MOVS */
        *out = (uint16_t)(0x2000u | rd << 8 | (hw2 & 0xff));
        return 1;
    }
    if ((hw1 & 0xFF90u) == 0xFA00u && (hw2 & 0xF0F0u) == 0xF000u && rd == rn && lo3(rd) && lo3(rm)) {
        static const uint8_t op16[4] = {2, 3, 4, 7}; /* LSLS, LSRS, ASRS, RORS Rdn, Rm */
        *out = (uint16_t)(0x4000u | (uint32_t)op16[hw1 >> 5 & 3] << 6 | rm << 3 | rd);
        return 1;
    }
    if ((hw1 & 0xFFF0u) == 0xFB00u && (hw2 & 0xF0F0u) == 0xF000u && lo3(rd) && lo3(rn) && lo3(rm) &&
        (rd == rm || rd == rn)) { /* MULS Rdm, Rn, Rdm */
        *out = (uint16_t)(0x4340u | (rd == rm ? rn : rm) << 3 | rd);
        return 1;
    }
    return 0;
}

uint16_t t2_movs16(int rd, uint32_t imm8) { return (uint16_t)(0x2000u | (uint32_t)rd << 8 | (imm8 & 0xff)); }
uint16_t t2_b16(int32_t offset) { return (uint16_t)(0xE000u | ((uint32_t)offset >> 1 & 0x7ffu)); }

uint16_t t2_b_cond16(int cond, int32_t offset)
{
    return (uint16_t)(0xD000u | (uint32_t)cond << 8 | ((uint32_t)offset >> 1 & 0xffu));
}

int t2_b16_fits(int32_t offset) { return offset >= -2048 && offset <= 2046; }
int t2_b_cond16_fits(int32_t offset) { return offset >= -256 && offset <= 254; }
