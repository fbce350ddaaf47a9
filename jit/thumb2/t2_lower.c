/* Thumb-2 lowering of verified eBPF.
 *
 * Register model (see docs/thumb2.md): r11 holds the mbpf_jit_block; eBPF r10 lives in native r10
 * (its upper half is always zero: stack addresses are 32-bit); the three eBPF registers the
 * program uses most live in native pairs r4:r5, r6:r7, r8:r9; the others stay in the block's
 * register slots. r0-r3, r12 and lr are scratch. Every instruction has a fixed-size encoding
 * (32-bit forms, 32-bit branches), so the measuring pass gives exact offsets for the final pass.
 *
 * Memory accesses the verifier proved are plain loads/stores; the others put the address in r12
 * (upper half in r1) and pc | size << 16 in r0 and call one of two shared check routines emitted
 * once per program. Faults leave through shared stubs that record kind, eBPF pc and address. */
#include "jit/jit_core.h"
#include "jit/jit_runtime.h"
#include "jit/thumb2/t2_encode.h"

enum {
    STUB_EXIT,        /* r0 = status: store it, restore sp, return it */
    STUB_CHECK_READ,  /* r12 = addr, r1 = addr hi, r0 = pc | size << 16 */
    STUB_CHECK_WRITE,
    STUB_BUDGET,      /* r0 = pc */
    STUB_DEPTH,       /* r0 = pc */
    STUB_HELPER_END,  /* the helper trampoline has set the status */
    /* labels inside the check routines (forward references resolved by the measuring pass) */
    STUB_CHECK_READ_OK, STUB_CHECK_READ_FAIL, STUB_CHECK_WRITE_OK, STUB_CHECK_WRITE_FAIL,
};

#define BUDGET_CHECK_BYTES 24 /* movw, movt, ldr, subs, bcc, str */
#define LOOP_CHARGE_BYTES 28  /* movw, movt, movw, ldr, subs, bcc, str */

#define NO_REG (-1)

typedef struct t2 {
    jit_ctx *c;
    int8_t lo[MBPF_NREGS], hi[MBPF_NREGS]; /* native pair of each eBPF register, or NO_REG */
    uint32_t pc;
    int in_subprog; /* current function is a local-call target (returns with pop {pc}) */
} t2;

static void e32(t2 *t, uint32_t v) { jit_emit32(t->c, v); }
static void e16(t2 *t, uint16_t v) { jit_emit16(t->c, v); }

/* Branch offset from the instruction about to be emitted to native offset `to`. */
static int32_t rel(t2 *t, uint32_t to)
{
    return (int32_t)to - (int32_t)(t->c->pos + 4);
}

static void b_to(t2 *t, uint32_t to) { e32(t, t2_b(rel(t, to))); }
static void bcond_to(t2 *t, int cond, uint32_t to) { e32(t, t2_b_cond(cond, rel(t, to))); }
static void bl_to(t2 *t, uint32_t to) { e32(t, t2_bl(rel(t, to))); }

/* Load a 32-bit constant in as few instructions as its value allows (the size depends only on
 * the value, so both passes agree). */
static void load_imm(t2 *t, int rd, uint32_t v)
{
    if (v <= 0xff) {
        e32(t, t2_dp_imm8(T2_ORR, 0, rd, T2_PC, v)); /* mov.w rd, #v */
    } else if (~v <= 0xff) {
        e32(t, t2_dp_imm8(T2_ORN, 0, rd, T2_PC, ~v)); /* mvn rd, #~v */
    } else {
        e32(t, t2_movw(rd, v & 0xffff));
        if (v >> 16)
            e32(t, t2_movt(rd, v >> 16));
    }
}

/* Always two instructions: for sequences whose length must not depend on the value. */
static void load_imm_fixed(t2 *t, int rd, uint32_t v)
{
    e32(t, t2_movw(rd, v & 0xffff));
    e32(t, t2_movt(rd, v >> 16));
}

static void ldr_block(t2 *t, int rt, uint32_t off) { e32(t, t2_ldst_imm12(T2_LDR, rt, T2_R11, off)); }
static void str_block(t2 *t, int rt, uint32_t off) { e32(t, t2_ldst_imm12(T2_STR, rt, T2_R11, off)); }
static void mov(t2 *t, int rd, int rm) { if (rd != rm) e32(t, t2_mov_reg(rd, rm)); }
static void mov0(t2 *t, int rd) { e32(t, t2_dp_imm8(T2_ORR, 0, rd, T2_PC, 0)); }

/* Source operand pair of eBPF register r: its native pair, or loaded into (slo, shi). */
static void get_pair(t2 *t, int r, int *lo, int *hi, int slo, int shi)
{
    if (r == MBPF_REG_FP) {
        *lo = T2_R10;
        mov0(t, shi);
        *hi = shi;
    } else if (t->lo[r] != NO_REG) {
        *lo = t->lo[r];
        *hi = t->hi[r];
    } else {
        ldr_block(t, slo, MBPF_JB_REG_LO(r));
        ldr_block(t, shi, MBPF_JB_REG_HI(r));
        *lo = slo;
        *hi = shi;
    }
}

static int get_lo(t2 *t, int r, int scratch)
{
    if (r == MBPF_REG_FP)
        return T2_R10;
    if (t->lo[r] != NO_REG)
        return t->lo[r];
    ldr_block(t, scratch, MBPF_JB_REG_LO(r));
    return scratch;
}

/* Destination pair: the native pair, or r0:r1 to be written back by put_pair. */
static void dst_pair(t2 *t, int r, int *lo, int *hi, int load)
{
    if (t->lo[r] != NO_REG) {
        *lo = t->lo[r];
        *hi = t->hi[r];
    } else {
        *lo = T2_R0;
        *hi = T2_R1;
        if (load) {
            ldr_block(t, T2_R0, MBPF_JB_REG_LO(r));
            ldr_block(t, T2_R1, MBPF_JB_REG_HI(r));
        }
    }
}

/* Destination low half only (32-bit operations), in its native register or r0. */
static int dst_lo(t2 *t, int r, int load)
{
    if (t->lo[r] != NO_REG)
        return t->lo[r];
    if (load)
        ldr_block(t, T2_R0, MBPF_JB_REG_LO(r));
    return T2_R0;
}

/* Write a 32-bit result: low half, upper half zero. */
static void put_lo_zero_hi(t2 *t, int r, int lo)
{
    if (t->lo[r] != NO_REG) {
        mov(t, t->lo[r], lo);
        mov0(t, t->hi[r]);
    } else {
        str_block(t, lo, MBPF_JB_REG_LO(r));
        mov0(t, T2_R1);
        str_block(t, T2_R1, MBPF_JB_REG_HI(r));
    }
}

static void put_pair(t2 *t, int r, int lo, int hi)
{
    if (t->lo[r] != NO_REG) {
        mov(t, t->lo[r], lo);
        mov(t, t->hi[r], hi);
    } else {
        str_block(t, lo, MBPF_JB_REG_LO(r));
        str_block(t, hi, MBPF_JB_REG_HI(r));
    }
}

/* The second operand of an ALU/JMP instruction in r2:r3 (or a native pair). */
static void src_operand(t2 *t, const mbpf_insn *in, int *lo, int *hi)
{
    if (MBPF_SRCBIT(in->code)) {
        get_pair(t, MBPF_SRC(in), lo, hi, T2_R2, T2_R3);
    } else {
        load_imm(t, T2_R2, (uint32_t)in->imm);
        load_imm(t, T2_R3, in->imm < 0 ? 0xffffffffu : 0);
        *lo = T2_R2;
        *hi = T2_R3;
    }
}

static void call_block_fn(t2 *t, uint32_t off)
{
    ldr_block(t, T2_R12, off);
    e16(t, t2_blx16(T2_R12));
}

/* ---- ALU ---------------------------------------------------------------------------------- */

static void shift64_imm(t2 *t, int op, int dl, int dh, uint32_t k)
{
    k &= 63;
    if (k == 0)
        return;
    if (op == MBPF_LSH) {
        if (k < 32) {
            e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dh, T2_LSL, (int)k));
            e32(t, t2_dp_reg(T2_ORR, 0, dh, dh, dl, T2_LSR, (int)(32 - k)));
            e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, dl, T2_LSL, (int)k));
        } else {
            e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dl, T2_LSL, (int)(k - 32)));
            mov0(t, dl);
        }
    } else { /* RSH, ARSH: the same shape, logical or arithmetic on the upper half */
        const int type = op == MBPF_ARSH ? T2_ASR : T2_LSR;
        if (k < 32) {
            e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, dl, T2_LSR, (int)k));
            e32(t, t2_dp_reg(T2_ORR, 0, dl, dl, dh, T2_LSL, (int)(32 - k)));
            e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dh, type, (int)k));
        } else {
            if (k == 32)
                mov(t, dl, dh);
            else
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, dh, type, (int)(k - 32)));
            if (type == T2_ASR)
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dh, T2_ASR, 31));
            else
                mov0(t, dh);
        }
    }
}

/* 64-bit operations done by a runtime routine: (dl,dh) op (sl,sh) -> r0:r1. */
static void call_rt64(t2 *t, uint32_t fn, int dl, int dh, int sl, int sh, uint32_t op, int shift)
{
    /* r0:r1 = a, then b (or the shift amount) in r2:r3, op in r2 or r3 */
    if (shift) {
        mov(t, T2_R12, sl);
        mov(t, T2_R0, dl);
        mov(t, T2_R1, dh);
        mov(t, T2_R2, T2_R12);
        load_imm(t, T2_R3, op);
    } else {
        mov(t, T2_R12, sl);
        mov(t, T2_LR, sh);
        mov(t, T2_R0, dl);
        mov(t, T2_R1, dh);
        mov(t, T2_R2, T2_R12);
        mov(t, T2_R3, T2_LR);
        /* the op goes on the stack (fifth word): keep sp 8-byte aligned */
        load_imm(t, T2_R12, op);
        e32(t, t2_push((1u << T2_R12) | (1u << T2_LR)));
    }
    call_block_fn(t, fn);
    if (!shift)
        e32(t, t2_pop((1u << T2_R12) | (1u << T2_LR)));
}

static int lower_alu64(t2 *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    int dl, dh, sl, sh;
    if (op == MBPF_END) { /* bswap16/32/64 */
        dst_pair(t, d, &dl, &dh, 1);
        if (in->imm == 16) {
            e32(t, t2_rev16(dl, dl));
            e32(t, t2_uxth(dl, dl));
            mov0(t, dh);
        } else if (in->imm == 32) {
            e32(t, t2_rev(dl, dl));
            mov0(t, dh);
        } else {
            e32(t, t2_rev(T2_R12, dl));
            e32(t, t2_rev(dl, dh));
            mov(t, dh, T2_R12);
        }
        put_pair(t, d, dl, dh);
        return 0;
    }
    if (op == MBPF_MOV) {
        if (MBPF_SRCBIT(in->code)) {
            get_pair(t, MBPF_SRC(in), &sl, &sh, T2_R2, T2_R3);
            dst_pair(t, d, &dl, &dh, 0);
            if (in->off == 0) {
                mov(t, dl, sl);
                mov(t, dh, sh);
            } else {
                if (in->off == 8)
                    e32(t, t2_sxtb(dl, sl));
                else if (in->off == 16)
                    e32(t, t2_sxth(dl, sl));
                else
                    mov(t, dl, sl);
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dl, T2_ASR, 31));
            }
        } else {
            dst_pair(t, d, &dl, &dh, 0);
            load_imm(t, dl, (uint32_t)in->imm);
            load_imm(t, dh, in->imm < 0 ? 0xffffffffu : 0);
        }
        put_pair(t, d, dl, dh);
        return 0;
    }
    if (op == MBPF_NEG) {
        dst_pair(t, d, &dl, &dh, 1);
        e32(t, t2_dp_imm8(T2_RSB, 1, dl, dl, 0));
        e32(t, t2_dp_reg(T2_SBC, 0, dh, dh, dh, T2_LSL, 1)); /* -dh - borrow */
        put_pair(t, d, dl, dh);
        return 0;
    }
    if ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && !MBPF_SRCBIT(in->code)) {
        dst_pair(t, d, &dl, &dh, 1);
        shift64_imm(t, op, dl, dh, (uint32_t)in->imm);
        put_pair(t, d, dl, dh);
        return 0;
    }
    if (!MBPF_SRCBIT(in->code) && in->imm >= -255 && in->imm <= 255 &&
        (op == MBPF_ADD || op == MBPF_SUB || ((op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR) &&
                                               in->imm >= 0))) {
        int32_t v = op == MBPF_SUB ? -in->imm : in->imm;
        dst_pair(t, d, &dl, &dh, 1);
        if (op == MBPF_ADD || op == MBPF_SUB) {
            if (v >= 0) {
                e32(t, t2_dp_imm8(T2_ADD, 1, dl, dl, (uint32_t)v));
                e32(t, t2_dp_imm8(T2_ADC, 0, dh, dh, 0));
            } else {
                e32(t, t2_dp_imm8(T2_SUB, 1, dl, dl, (uint32_t)-v));
                e32(t, t2_dp_imm8(T2_SBC, 0, dh, dh, 0));
            }
        } else if (op == MBPF_AND) {
            e32(t, t2_dp_imm8(T2_AND, 0, dl, dl, (uint32_t)v));
            mov0(t, dh);
        } else {
            e32(t, t2_dp_imm8(op == MBPF_OR ? T2_ORR : T2_EOR, 0, dl, dl, (uint32_t)v));
        }
        put_pair(t, d, dl, dh);
        return 0;
    }
    src_operand(t, in, &sl, &sh);
    dst_pair(t, d, &dl, &dh, 1);
    switch (op) {
    case MBPF_ADD:
        e32(t, t2_dp_reg(T2_ADD, 1, dl, dl, sl, 0, 0));
        e32(t, t2_dp_reg(T2_ADC, 0, dh, dh, sh, 0, 0));
        break;
    case MBPF_SUB:
        e32(t, t2_dp_reg(T2_SUB, 1, dl, dl, sl, 0, 0));
        e32(t, t2_dp_reg(T2_SBC, 0, dh, dh, sh, 0, 0));
        break;
    case MBPF_AND:
    case MBPF_OR:
    case MBPF_XOR: {
        int top = op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR;
        e32(t, t2_dp_reg(top, 0, dl, dl, sl, 0, 0));
        e32(t, t2_dp_reg(top, 0, dh, dh, sh, 0, 0));
        break;
    }
    case MBPF_MUL:
        e32(t, t2_mul(T2_LR, dl, sh));
        e32(t, t2_mla(T2_LR, dh, sl, T2_LR));
        e32(t, t2_umull(dl, dh, dl, sl));
        e32(t, t2_dp_reg(T2_ADD, 0, dh, dh, T2_LR, 0, 0));
        break;
    case MBPF_DIV:
    case MBPF_MOD:
        call_rt64(t, MBPF_JB_FN_DIV64, dl, dh, sl, sh,
                  (op == MBPF_MOD ? 1u : 0u) | (in->off == 1 ? 2u : 0u), 0);
        dl = T2_R0;
        dh = T2_R1;
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        call_rt64(t, MBPF_JB_FN_SHIFT64, dl, dh, sl, sh,
                  op == MBPF_LSH ? 0u : op == MBPF_RSH ? 1u : 2u, 1);
        dl = T2_R0;
        dh = T2_R1;
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 64-bit ALU operation");
    }
    put_pair(t, d, dl, dh);
    return 0;
}

static int lower_alu32(t2 *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    const int x = MBPF_SRCBIT(in->code) != 0;
    int dl, dh, sl;
    if (op == MBPF_END) {
        if (MBPF_SRCBIT(in->code) == MBPF_TO_BE && in->imm == 64) {
            dst_pair(t, d, &dl, &dh, 1);
            e32(t, t2_rev(T2_R12, dl));
            e32(t, t2_rev(dl, dh));
            mov(t, dh, T2_R12);
            put_pair(t, d, dl, dh);
            return 0;
        }
        if (in->imm == 64) { /* le64: nothing to do */
            return 0;
        }
        dl = dst_lo(t, d, 1);
        if (MBPF_SRCBIT(in->code) == MBPF_TO_BE)
            e32(t, in->imm == 16 ? t2_rev16(dl, dl) : t2_rev(dl, dl));
        if (in->imm == 16)
            e32(t, t2_uxth(dl, dl));
        put_lo_zero_hi(t, d, dl);
        return 0;
    }
    if (op == MBPF_MOV) {
        if (x) {
            sl = get_lo(t, MBPF_SRC(in), T2_R2);
            dl = dst_lo(t, d, 0);
            if (in->off == 8)
                e32(t, t2_sxtb(dl, sl));
            else if (in->off == 16)
                e32(t, t2_sxth(dl, sl));
            else
                mov(t, dl, sl);
        } else {
            dl = dst_lo(t, d, 0);
            load_imm(t, dl, (uint32_t)in->imm);
        }
        put_lo_zero_hi(t, d, dl);
        return 0;
    }
    if (op == MBPF_NEG) {
        dl = dst_lo(t, d, 1);
        e32(t, t2_dp_imm8(T2_RSB, 0, dl, dl, 0));
        put_lo_zero_hi(t, d, dl);
        return 0;
    }
    if (!x) {
        uint32_t imm = (uint32_t)in->imm;
        int done = 1;
        if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) {
            imm &= 31;
            dl = dst_lo(t, d, 1);
            if (imm)
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, dl,
                                 op == MBPF_LSH ? T2_LSL : op == MBPF_RSH ? T2_LSR : T2_ASR, (int)imm));
        } else if ((op == MBPF_ADD || op == MBPF_SUB) && imm < 4096) {
            dl = dst_lo(t, d, 1);
            e32(t, op == MBPF_ADD ? t2_addw(dl, dl, imm) : t2_subw(dl, dl, imm));
        } else if ((op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR) && imm <= 255) {
            dl = dst_lo(t, d, 1);
            e32(t, t2_dp_imm8(op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR, 0, dl, dl, imm));
        } else {
            done = 0;
        }
        if (done) {
            put_lo_zero_hi(t, d, dl);
            return 0;
        }
        load_imm(t, T2_R2, imm);
        sl = T2_R2;
    } else {
        sl = get_lo(t, MBPF_SRC(in), T2_R2);
    }
    dl = dst_lo(t, d, 1);
    switch (op) {
    case MBPF_ADD: e32(t, t2_dp_reg(T2_ADD, 0, dl, dl, sl, 0, 0)); break;
    case MBPF_SUB: e32(t, t2_dp_reg(T2_SUB, 0, dl, dl, sl, 0, 0)); break;
    case MBPF_AND: e32(t, t2_dp_reg(T2_AND, 0, dl, dl, sl, 0, 0)); break;
    case MBPF_OR: e32(t, t2_dp_reg(T2_ORR, 0, dl, dl, sl, 0, 0)); break;
    case MBPF_XOR: e32(t, t2_dp_reg(T2_EOR, 0, dl, dl, sl, 0, 0)); break;
    case MBPF_MUL: e32(t, t2_mul(dl, dl, sl)); break;
    case MBPF_DIV: /* the core's UDIV/SDIV give 0 for a zero divisor, as eBPF wants */
        e32(t, in->off == 1 ? t2_sdiv(dl, dl, sl) : t2_udiv(dl, dl, sl));
        break;
    case MBPF_MOD: /* d - (d / s) * s: the quotient 0 of a zero divisor leaves d */
        e32(t, in->off == 1 ? t2_sdiv(T2_R12, dl, sl) : t2_udiv(T2_R12, dl, sl));
        e32(t, t2_mls(dl, T2_R12, sl, dl));
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        e32(t, t2_dp_imm8(T2_AND, 0, T2_R12, sl, 31));
        e32(t, t2_shift_reg(op == MBPF_LSH ? T2_LSL : op == MBPF_RSH ? T2_LSR : T2_ASR, dl, dl, T2_R12));
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 32-bit ALU operation");
    }
    put_lo_zero_hi(t, d, dl);
    return 0;
}

/* ---- jumps ---------------------------------------------------------------------------------- */

static void budget_check(t2 *t)
{
    load_imm_fixed(t, T2_R0, t->pc);
    ldr_block(t, T2_R12, MBPF_JB_BUDGET);
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, 1));
    bcond_to(t, T2_CC, jit_stub_offset(t->c, STUB_BUDGET));
    str_block(t, T2_R12, MBPF_JB_BUDGET);
}

/* Entry into a loop proven bounded: charge its trip bound (MBPF_FACT_TRIPS) at its first
 * instruction. Its own back edges branch past this sequence (loop_target). */
static void loop_charge(t2 *t, const mbpf_fact *f)
{
    load_imm_fixed(t, T2_R0, t->pc);
    e32(t, t2_movw(T2_R1, MBPF_FACT_TRIPS(f)));
    ldr_block(t, T2_R12, MBPF_JB_BUDGET);
    e32(t, t2_dp_reg(T2_SUB, 1, T2_R12, T2_R12, T2_R1, 0, 0));
    bcond_to(t, T2_CC, jit_stub_offset(t->c, STUB_BUDGET));
    str_block(t, T2_R12, MBPF_JB_BUDGET);
}

/* Native target of a jump: a bounded back edge into a loop head skips the entry charge. */
static uint32_t jump_offset(t2 *t, const mbpf_fact *f, uint32_t target)
{
    uint32_t to = jit_insn_offset(t->c, target);
    if ((f->flags & MBPF_FACT_BACKEDGE) && (f->flags & MBPF_FACT_BOUNDED) &&
        (t->c->facts[target].flags & MBPF_FACT_LOOP_HEAD))
        to += LOOP_CHARGE_BYTES;
    return to;
}

/* Set flags for the condition and return the ARM condition that means "taken". */
static int compare(t2 *t, const mbpf_insn *in)
{
    const int op = MBPF_OP(in->code), is32 = MBPF_CLASS(in->code) == MBPF_JMP32;
    int dl, dh, sl, sh;
    const int small = !MBPF_SRCBIT(in->code) && in->imm >= 0 && in->imm <= 255;
    if (small && is32 && op != MBPF_JSET) { /* cmp rd, #imm */
        dl = get_lo(t, MBPF_DST(in), T2_R0);
        e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, dl, (uint32_t)in->imm));
    } else if (small && !is32 && (op == MBPF_JEQ || op == MBPF_JNE)) {
        get_pair(t, MBPF_DST(in), &dl, &dh, T2_R0, T2_R1);
        e32(t, t2_dp_imm8(T2_EOR, 0, T2_R12, dl, (uint32_t)in->imm));
        e32(t, t2_dp_reg(T2_ORR, 1, T2_R12, T2_R12, dh, 0, 0));
        return op == MBPF_JEQ ? T2_EQ : T2_NE;
    }
    if (small && is32 && op != MBPF_JSET) {
        sl = sh = 0; /* flags already set */
    } else {
        src_operand(t, in, &sl, &sh);
        get_pair(t, MBPF_DST(in), &dl, &dh, T2_R0, T2_R1);
    }
    if (is32) {
        if (op == MBPF_JSET) {
            e32(t, t2_dp_reg(T2_AND, 1, T2_PC, dl, sl, 0, 0));
            return T2_NE;
        }
        if (!(small && op != MBPF_JSET))
            e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, dl, sl, 0, 0));
        switch (op) {
        case MBPF_JEQ: return T2_EQ;
        case MBPF_JNE: return T2_NE;
        case MBPF_JGT: return T2_HI;
        case MBPF_JGE: return T2_CS;
        case MBPF_JLT: return T2_CC;
        case MBPF_JLE: return T2_LS;
        case MBPF_JSGT: return T2_GT;
        case MBPF_JSGE: return T2_GE;
        case MBPF_JSLT: return T2_LT;
        default: return T2_LE;
        }
    }
    switch (op) {
    case MBPF_JEQ:
    case MBPF_JNE:
        e32(t, t2_dp_reg(T2_EOR, 0, T2_R12, dl, sl, 0, 0));
        e32(t, t2_dp_reg(T2_EOR, 0, T2_LR, dh, sh, 0, 0));
        e32(t, t2_dp_reg(T2_ORR, 1, T2_R12, T2_R12, T2_LR, 0, 0));
        return op == MBPF_JEQ ? T2_EQ : T2_NE;
    case MBPF_JSET:
        e32(t, t2_dp_reg(T2_AND, 0, T2_R12, dl, sl, 0, 0));
        e32(t, t2_dp_reg(T2_AND, 0, T2_LR, dh, sh, 0, 0));
        e32(t, t2_dp_reg(T2_ORR, 1, T2_R12, T2_R12, T2_LR, 0, 0));
        return T2_NE;
    case MBPF_JGE: case MBPF_JLT: case MBPF_JSGE: case MBPF_JSLT: /* d - s */
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, dl, sl, 0, 0));
        e32(t, t2_dp_reg(T2_SBC, 1, T2_R12, dh, sh, 0, 0));
        return op == MBPF_JGE ? T2_CS : op == MBPF_JLT ? T2_CC : op == MBPF_JSGE ? T2_GE : T2_LT;
    default: /* JGT, JLE, JSGT, JSLE: s - d */
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, sl, dl, 0, 0));
        e32(t, t2_dp_reg(T2_SBC, 1, T2_R12, sh, dh, 0, 0));
        return op == MBPF_JGT ? T2_CC : op == MBPF_JLE ? T2_CS : op == MBPF_JSGT ? T2_LT : T2_GE;
    }
}

static int invert(int cond)
{
    return cond ^ 1;
}

static int lower_jump(t2 *t, const mbpf_insn *in, const mbpf_fact *f, uint32_t target)
{
    const int budgeted = jit_needs_budget(f);
    uint32_t to = jump_offset(t, f, target);
    if (MBPF_OP(in->code) == MBPF_JA) {
        if (budgeted)
            budget_check(t);
        b_to(t, to);
        return 0;
    }
    int cond = compare(t, in);
    if (!budgeted) {
        bcond_to(t, cond, to);
        return 0;
    }
    /* taken back edge: skip over the budget check and the branch when not taken */
    uint32_t skip = t->c->pos + 4 + BUDGET_CHECK_BYTES + 4;
    bcond_to(t, invert(cond), skip);
    budget_check(t);
    b_to(t, to);
    return 0;
}

/* ---- memory ----------------------------------------------------------------------------------- */

static int ldst_kind(const mbpf_insn *in, int load)
{
    uint8_t sz = MBPF_SIZE(in->code);
    int sx = MBPF_MODE(in->code) == MBPF_MEMSX;
    if (!load)
        return sz == MBPF_B ? T2_STRB : sz == MBPF_H ? T2_STRH : T2_STR;
    if (sz == MBPF_B)
        return sx ? T2_LDRSB : T2_LDRB;
    if (sz == MBPF_H)
        return sx ? T2_LDRSH : T2_LDRH;
    return T2_LDR;
}

/* Inline guard for an access the verifier attributed to one region: compare against that
 * region's bounds; anything else (another region, a helper-granted one, a fault) goes through the
 * full check routine, so the result is exactly the interpreter's. 44 + 12 bytes. */
static int inline_guard(t2 *t, const mbpf_fact *f, uint32_t size, int write)
{
    uint32_t start, end;
    if (!jit_region_bounds(f->region, write, &start, &end))
        return 0;
    const uint32_t s0 = t->c->pos, slow = s0 + 44, done = slow + 12;
    ldr_block(t, T2_R2, start);
    e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, T2_R12, T2_R2, 0, 0));
    bcond_to(t, T2_CC, slow);
    e32(t, t2_dp_imm8(T2_ADD, 1, T2_R2, T2_R12, size));
    bcond_to(t, T2_CS, slow);
    if (end)
        ldr_block(t, T2_R3, end);
    else
        e32(t, t2_mov_reg(T2_R3, T2_R10)); /* live stack ends at the current frame's top */
    e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, T2_R2, T2_R3, 0, 0));
    bcond_to(t, T2_HI, slow);
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R1, 0));
    bcond_to(t, T2_NE, slow);
    b_to(t, done);
    load_imm_fixed(t, T2_R0, t->pc | size << 16);
    bl_to(t, jit_stub_offset(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ));
    return 1;
}

/* Address base + off into r12 (and its upper half into r1 when guarded), checked unless proven. */
static void address(t2 *t, int base, int16_t off, uint32_t size, int write, const mbpf_fact *f)
{
    int bl, bh;
    if (f->mem == MBPF_MEM_PROVEN) {
        bl = get_lo(t, base, T2_R12);
        if (off >= 0 && off < 4096) {
            e32(t, t2_addw(T2_R12, bl, (uint32_t)off));
        } else if (off < 0 && off > -4096) {
            e32(t, t2_subw(T2_R12, bl, (uint32_t)-(int32_t)off));
        } else {
            load_imm(t, T2_R0, (uint32_t)(int32_t)off);
            e32(t, t2_dp_reg(T2_ADD, 0, T2_R12, bl, T2_R0, 0, 0));
        }
        return;
    }
    get_pair(t, base, &bl, &bh, T2_R12, T2_R1);
    if (off >= 0 && off <= 255) { /* 64-bit base + small offset: adds / adc #0 */
        e32(t, t2_dp_imm8(T2_ADD, 1, T2_R12, bl, (uint32_t)off));
        e32(t, t2_dp_imm8(T2_ADC, 0, T2_R1, bh, 0));
    } else {
        load_imm(t, T2_R0, (uint32_t)(int32_t)off);
        e32(t, t2_dp_reg(T2_ADD, 1, T2_R12, bl, T2_R0, 0, 0));
        e32(t, t2_dp_reg(T2_ORR, 0, T2_R0, T2_PC, T2_R0, T2_ASR, 31)); /* off's upper half */
        e32(t, t2_dp_reg(T2_ADC, 0, T2_R1, bh, T2_R0, 0, 0));
    }
    if (f->mem == MBPF_MEM_GUARD_REGION && inline_guard(t, f, size, write))
        return;
    load_imm_fixed(t, T2_R0, t->pc | size << 16);
    bl_to(t, jit_stub_offset(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ));
}

static int lower_load(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const int d = MBPF_DST(in);
    const uint32_t size = mbpf_size_bytes(in->code);
    int dl, dh;
    address(t, MBPF_SRC(in), in->off, size, 0, f);
    dst_pair(t, d, &dl, &dh, 0);
    if (size == 8) {
        e32(t, t2_ldst_imm12(T2_LDR, dl, T2_R12, 0));
        e32(t, t2_ldst_imm12(T2_LDR, dh, T2_R12, 4));
    } else {
        e32(t, t2_ldst_imm12(ldst_kind(in, 1), dl, T2_R12, 0));
        if (MBPF_MODE(in->code) == MBPF_MEMSX)
            e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dl, T2_ASR, 31));
        else
            mov0(t, dh);
    }
    put_pair(t, d, dl, dh);
    return 0;
}

static int lower_store(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    int vl, vh;
    address(t, MBPF_DST(in), in->off, size, 1, f);
    if (MBPF_CLASS(in->code) == MBPF_ST) {
        load_imm(t, T2_R2, (uint32_t)in->imm);
        load_imm(t, T2_R3, in->imm < 0 ? 0xffffffffu : 0);
        vl = T2_R2;
        vh = T2_R3;
    } else {
        get_pair(t, MBPF_SRC(in), &vl, &vh, T2_R2, T2_R3);
    }
    e32(t, t2_ldst_imm12(ldst_kind(in, 0), vl, T2_R12, 0));
    if (size == 8)
        e32(t, t2_ldst_imm12(T2_STR, vh, T2_R12, 4));
    return 0;
}

/* Atomics go through the runtime: fn_atomic(block, addr, value, imm | size << 16). */
static int lower_atomic(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    const int s = MBPF_SRC(in);
    int vl, vh;
    address(t, MBPF_DST(in), in->off, size, 1, f);
    if (in->imm == MBPF_CMPXCHG) { /* the expected value is eBPF r0 */
        get_pair(t, 0, &vl, &vh, T2_R2, T2_R3);
        str_block(t, vl, MBPF_JB_R0_LO);
        str_block(t, vh, MBPF_JB_R0_HI);
    }
    get_pair(t, s, &vl, &vh, T2_R2, T2_R3);
    mov(t, T2_R2, vl);
    mov(t, T2_R3, vh);
    mov(t, T2_R1, T2_R12);
    load_imm(t, T2_R0, (uint32_t)in->imm | size << 16);
    str_block(t, T2_R0, MBPF_JB_ATOMIC_OP);
    mov(t, T2_R0, T2_R11);
    call_block_fn(t, MBPF_JB_FN_ATOMIC);
    if (in->imm == MBPF_CMPXCHG)
        put_pair(t, 0, T2_R0, T2_R1);
    else if (in->imm & MBPF_FETCH)
        put_pair(t, s, T2_R0, T2_R1);
    return 0;
}

/* ---- calls ------------------------------------------------------------------------------------ */

static int lower_helper_call(t2 *t, const mbpf_insn *in)
{
    /* args are the slots of r1..r5: write back the ones held in native registers */
    for (int r = 1; r <= 5; r++)
        if (t->lo[r] != NO_REG) {
            str_block(t, t->lo[r], MBPF_JB_REG_LO(r));
            str_block(t, t->hi[r], MBPF_JB_REG_HI(r));
        }
    uint32_t pcw = t->pc;
    if (MBPF_SRCBIT(in->code)) { /* callx: the trampoline reads all 64 bits of the id's slot */
        const int d = MBPF_DST(in);
        int lo, hi;
        get_pair(t, d, &lo, &hi, T2_R1, T2_R2);
        if (d == MBPF_REG_FP || d < 1 || d > 5) {
            str_block(t, lo, MBPF_JB_REG_LO(d));
            str_block(t, hi, MBPF_JB_REG_HI(d));
        }
        mov(t, T2_R1, lo);
        pcw |= MBPF_JIT_CALLX | MBPF_JIT_CALLX_REG(d);
    } else {
        load_imm(t, T2_R1, (uint32_t)in->imm);
    }
    mov(t, T2_R0, T2_R11);
    str_block(t, T2_R10, MBPF_JB_STACK_CUR);
    e32(t, t2_addw(T2_R2, T2_R11, MBPF_JB_REG_LO(1)));
    load_imm(t, T2_R3, pcw);
    call_block_fn(t, MBPF_JB_FN_HELPER);
    put_pair(t, 0, T2_R0, T2_R1);
    ldr_block(t, T2_R2, MBPF_JB_STATUS);
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R2, 0));
    bcond_to(t, T2_NE, jit_stub_offset(t->c, STUB_HELPER_END));
    return 0;
}

static int lower_local_call(t2 *t, uint32_t target)
{
    int lo, hi;
    budget_check(t); /* r0 = pc */
    ldr_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, 1));
    bcond_to(t, T2_CC, jit_stub_offset(t->c, STUB_DEPTH));
    str_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    for (int r = 6; r <= 9; r++) {
        get_pair(t, r, &lo, &hi, T2_R2, T2_R3);
        e32(t, t2_push((uint16_t)(1u << lo | 1u << hi)));
    }
    e32(t, t2_push_one(T2_R10));
    e32(t, t2_addw(T2_R10, T2_R10, MBPF_STACK_SIZE));
    bl_to(t, jit_insn_offset(t->c, target) - 2); /* the callee's push {lr} */
    e32(t, t2_pop_one(T2_R10));
    for (int r = 9; r >= 6; r--) {
        if (t->lo[r] != NO_REG) {
            e32(t, t2_pop((uint16_t)(1u << t->lo[r] | 1u << t->hi[r])));
        } else {
            e32(t, t2_pop((1u << T2_R2) | (1u << T2_R3)));
            put_pair(t, r, T2_R2, T2_R3);
        }
    }
    ldr_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    e32(t, t2_dp_imm8(T2_ADD, 0, T2_R12, T2_R12, 1));
    str_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    return 0;
}

static int lower_exit(t2 *t)
{
    if (t->in_subprog) {
        e16(t, t2_pop_pc16());
        return 0;
    }
    int lo, hi;
    get_pair(t, 0, &lo, &hi, T2_R0, T2_R1);
    str_block(t, lo, MBPF_JB_R0_LO);
    str_block(t, hi, MBPF_JB_R0_HI);
    mov0(t, T2_R0);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));
    return 0;
}

/* ---- one instruction, prologue, stubs --------------------------------------------------------- */

static int lower_insn(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU64: return lower_alu64(t, in);
    case MBPF_ALU: return lower_alu32(t, in);
    case MBPF_LDX: return lower_load(t, in, f);
    case MBPF_ST: return lower_store(t, in, f);
    case MBPF_STX:
        return MBPF_MODE(in->code) == MBPF_ATOMIC ? lower_atomic(t, in, f) : lower_store(t, in, f);
    case MBPF_LD: {
        int dl, dh;
        const mbpf_insn *next = in + 1;
        dst_pair(t, MBPF_DST(in), &dl, &dh, 0);
        if (MBPF_SRC(in) == MBPF_LDDW_REGION) {
            ldr_block(t, dl, in->imm == MBPF_REGION_ID_RODATA ? MBPF_JB_RODATA : MBPF_JB_DATA);
            load_imm(t, T2_R12, (uint32_t)next->imm);
            e32(t, t2_dp_reg(T2_ADD, 0, dl, dl, T2_R12, 0, 0));
            mov0(t, dh);
        } else {
            load_imm(t, dl, (uint32_t)in->imm);
            load_imm(t, dh, (uint32_t)next->imm);
        }
        put_pair(t, MBPF_DST(in), dl, dh);
        return 0;
    }
    default: /* JMP, JMP32 */
        if (op == MBPF_EXIT)
            return lower_exit(t);
        if (op == MBPF_CALL) {
            if (!MBPF_SRCBIT(in->code) && MBPF_SRC(in) == MBPF_CALL_LOCAL)
                return lower_local_call(t, (uint32_t)((int64_t)t->pc + 1 + in->imm));
            return lower_helper_call(t, in);
        }
        return lower_jump(t, in, f, jit_jump_target(t->pc, in));
    }
}

/* Region checks: [r12, r12 + size) inside stack (live part), ctx, data or, for reads, rodata;
 * else the runtime's slow check (helper-granted regions); else a fault. */
static void emit_check_stub(t2 *t, int write)
{
    const uint32_t ok = write ? STUB_CHECK_WRITE_OK : STUB_CHECK_READ_OK;
    const uint32_t fail = write ? STUB_CHECK_WRITE_FAIL : STUB_CHECK_READ_FAIL;
    jit_mark_stub(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ);
    /* four words pushed: with the two of the slow path, sp stays 8-aligned for the C call */
    e32(t, t2_push((1u << T2_R1) | (1u << T2_R2) | (1u << T2_R3) | (1u << T2_LR)));
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R1, 0)); /* upper half of the address must be 0 */
    bcond_to(t, T2_NE, jit_stub_offset(t->c, fail));
    e32(t, t2_dp_reg(T2_ORR, 0, T2_R1, T2_PC, T2_R0, T2_LSR, 16));
    e32(t, t2_dp_reg(T2_ADD, 1, T2_R1, T2_R12, T2_R1, 0, 0)); /* end; carry = wrapped */
    bcond_to(t, T2_CS, jit_stub_offset(t->c, fail));
    static const uint8_t regions[4] = {MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_DATA, MBPF_RGN_RODATA};
    for (int i = 0; i < 4; i++) {
        uint32_t start, end;
        if (!jit_region_bounds(regions[i], write, &start, &end))
            continue;
        uint32_t next = t->c->pos + 24; /* six 4-byte instructions per region */
        ldr_block(t, T2_R2, start);
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, T2_R12, T2_R2, 0, 0));
        bcond_to(t, T2_CC, next);
        if (end)
            ldr_block(t, T2_R3, end);
        else
            e32(t, t2_mov_reg(T2_R3, T2_R10)); /* live stack ends at the current frame's top */
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, T2_R1, T2_R3, 0, 0));
        bcond_to(t, T2_LS, jit_stub_offset(t->c, ok));
    }
    /* slow path: fn_check(block, addr, size, write) for helper-granted regions */
    e32(t, t2_push((1u << T2_R0) | (1u << T2_R12)));
    e32(t, t2_dp_reg(T2_ORR, 0, T2_R2, T2_PC, T2_R0, T2_LSR, 16));
    mov(t, T2_R1, T2_R12);
    mov(t, T2_R0, T2_R11);
    load_imm(t, T2_R3, (uint32_t)write);
    call_block_fn(t, MBPF_JB_FN_CHECK);
    mov(t, T2_R1, T2_R0);
    e32(t, t2_pop((1u << T2_R0) | (1u << T2_R12)));
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R1, 0));
    bcond_to(t, T2_EQ, jit_stub_offset(t->c, fail));
    jit_mark_stub(t->c, ok);
    e32(t, t2_pop((1u << T2_R1) | (1u << T2_R2) | (1u << T2_R3) | (1u << T2_PC)));
    /* fail: record pc, address, size; status = read/write fault */
    jit_mark_stub(t->c, fail);
    e32(t, t2_uxth(T2_R2, T2_R0));
    str_block(t, T2_R2, MBPF_JB_FAULT_PC);
    str_block(t, T2_R12, MBPF_JB_FAULT_ADDR);
    e32(t, t2_dp_reg(T2_ORR, 0, T2_R2, T2_PC, T2_R0, T2_LSR, 16));
    str_block(t, T2_R2, MBPF_JB_FAULT_SIZE);
    load_imm(t, T2_R0, write ? MBPF_FAULT_MEM_WRITE : MBPF_FAULT_MEM_READ);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));
}

static void emit_stubs(t2 *t)
{
    /* exit with r0 = status */
    jit_mark_stub(t->c, STUB_EXIT);
    str_block(t, T2_R0, MBPF_JB_STATUS);
    ldr_block(t, T2_R1, MBPF_JB_SAVED_SP);
    e16(t, t2_mov_sp16(T2_R1));
    e16(t, 0xbf00);
    e32(t, t2_pop(0x8FF8)); /* {r3-r11, pc} */

    jit_mark_stub(t->c, STUB_BUDGET);
    str_block(t, T2_R0, MBPF_JB_FAULT_PC);
    load_imm(t, T2_R0, MBPF_FAULT_BUDGET);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));

    jit_mark_stub(t->c, STUB_DEPTH);
    str_block(t, T2_R0, MBPF_JB_FAULT_PC);
    load_imm(t, T2_R0, MBPF_FAULT_CALL_DEPTH);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));

    jit_mark_stub(t->c, STUB_HELPER_END);
    ldr_block(t, T2_R0, MBPF_JB_STATUS);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));

    emit_check_stub(t, 0);
    emit_check_stub(t, 1);
}

/* The three eBPF registers (r0-r9) the program names most get native pairs. */
static void choose_registers(t2 *t)
{
    uint32_t uses[10] = {0};
    const mbpf_program *p = t->c->prog;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (!(t->c->facts[pc].flags & MBPF_FACT_REACHABLE))
            continue;
        if (MBPF_DST(in) < 10)
            uses[MBPF_DST(in)]++;
        if (MBPF_SRC(in) < 10 && (MBPF_SRCBIT(in->code) || MBPF_CLASS(in->code) == MBPF_LDX ||
                                  MBPF_CLASS(in->code) == MBPF_STX))
            uses[MBPF_SRC(in)]++;
    }
    for (int r = 0; r < MBPF_NREGS; r++)
        t->lo[r] = t->hi[r] = NO_REG;
    static const int8_t pairs[3][2] = {{T2_R4, T2_R5}, {T2_R6, T2_R7}, {T2_R8, T2_R9}};
    for (int k = 0; k < 3; k++) {
        int best = -1;
        for (int r = 0; r < 10; r++)
            if (t->lo[r] == NO_REG && uses[r] && (best < 0 || uses[r] > uses[best]))
                best = r;
        if (best < 0)
            break;
        t->lo[best] = pairs[k][0];
        t->hi[best] = pairs[k][1];
    }
}

/* A local-call target starts with push {lr}; callers branch 2 bytes before the instruction. */
static void t2_function_entry(void *b)
{
    t2 *t = b;
    t->in_subprog = 1;
    e16(t, t2_push_lr16());
}

static int t2_insn(void *b, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    t2 *t = b;
    t->pc = pc;
    if (f->flags & MBPF_FACT_LOOP_HEAD)
        loop_charge(t, f);
    return lower_insn(t, in, f);
}

int mbpf_t2_emit_program(jit_ctx *c)
{
    t2 t;
    t.c = c;
    t.in_subprog = 0;
    choose_registers(&t);

    /* prologue: AAPCS entry with the block in r0 */
    e32(&t, t2_push(0x4FF8)); /* {r3-r11, lr}: 40 bytes keeps sp 8-aligned */
    mov(&t, T2_R11, T2_R0);
    e16(&t, 0x4669); /* mov r1, sp */
    str_block(&t, T2_R1, MBPF_JB_SAVED_SP);
    ldr_block(&t, T2_R10, MBPF_JB_STACK_TOP0);
    for (int r = 0; r < 10; r++)
        if (t.lo[r] != NO_REG) {
            ldr_block(&t, t.lo[r], MBPF_JB_REG_LO(r));
            ldr_block(&t, t.hi[r], MBPF_JB_REG_HI(r));
        }

    static const jit_backend_ops ops = {t2_function_entry, t2_insn};
    int rc = jit_emit_body(c, &ops, &t);
    if (rc)
        return rc;
    emit_stubs(&t);
    if (c->pos > (1u << 20))
        return jit_fail(c, 0, "program too large for Thumb-2 branch ranges");
    return 0;
}
