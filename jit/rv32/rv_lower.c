/* RV32IM lowering of verified eBPF.
 *
 * Register model (docs/rv32.md): every eBPF register lives in a native pair for the whole run:
 * r0 s2:s3, r1 a0:a1, r2 a2:a3, r3 a4:a5, r4 a6:a7, r5 t5:t6, r6 s4:s5, r7 s6:s7, r8 s8:s9,
 * r9 s10:s11; r10 in s0 (upper half: x0); s1 holds the mbpf_jit_block; t0-t4 are scratch. r1-r5
 * are caller-saved in the C ABI, so they go to the block's slots around runtime calls (the slots
 * double as the helper argument array). Conditional branches use the long form (inverted branch
 * over a jal, +-1 MiB), so sizes never depend on offsets and the core's two passes agree. */
#include "jit/jit_core.h"
#include "jit/jit_runtime.h"
#include "jit/rv32/rv_encode.h"

enum {
    STUB_EXIT,       /* a0 = status */
    STUB_CHECK_READ, /* t3 = addr, t4 = addr hi, t0 = pc | size << 16; returns through ra */
    STUB_CHECK_WRITE,
    STUB_BUDGET,     /* t1 = pc */
    STUB_DEPTH,      /* t1 = pc */
    STUB_HELPER_END,
    STUB_CHECK_READ_OK, STUB_CHECK_READ_FAIL, STUB_CHECK_WRITE_OK, STUB_CHECK_WRITE_FAIL,
};

static const int8_t LO[MBPF_NREGS] = {RV_S2, RV_A0, RV_A2, RV_A4, RV_A6, RV_T5, RV_S4, RV_S6, RV_S8, RV_S10, RV_S0};
static const int8_t HI[MBPF_NREGS] = {RV_S3, RV_A1, RV_A3, RV_A5, RV_A7, RV_T6, RV_S5, RV_S7, RV_S9, RV_S11, RV_ZERO};

#define FRAME 64 /* prologue frame: ra and s0-s11, 16-byte aligned */

typedef struct rv {
    jit_ctx *c;
    uint32_t pc;
    int in_subprog;
    int fixed; /* inside a sequence whose length is assumed: no compressed forms */
} rv;

/* Emit an instruction, in its 16-bit form where one exists (C extension). Sequences whose length
 * other code relies on set t->fixed. */
static void e(rv *t, uint32_t insn)
{
    uint16_t c;
    if (!t->fixed && rv_compress(insn, &c))
        jit_emit16(t->c, c);
    else
        jit_emit32(t->c, insn);
}
static int32_t rel(rv *t, uint32_t to) { return (int32_t)to - (int32_t)t->c->pos; }
static void mv(rv *t, int rd, int rs) { if (rd != rs) e(t, rv_opi(RV_ADD, rd, rs, 0)); }
static void lw_block(rv *t, int rd, uint32_t off) { e(t, rv_load(RV_LW, rd, RV_S1, (int32_t)off)); }
static void sw_block(rv *t, int rs, uint32_t off) { e(t, rv_store(RV_SW, rs, RV_S1, (int32_t)off)); }
static void jump_to(rv *t, uint32_t to) { e(t, rv_jal(RV_ZERO, rel(t, to))); }

/* Branch to `to` when cond(rs1, rs2): inverted short branch over a jal. Always 8 bytes. */
static void branch_to(rv *t, int f3, int rs1, int rs2, uint32_t to)
{
    e(t, rv_branch(f3 ^ 1, rs1, rs2, 8));
    jump_to(t, to);
}

/* Load a constant: one instruction when it fits 12 bits, else lui (+ addi). */
static void li(rv *t, int rd, uint32_t v)
{
    int32_t s = (int32_t)v;
    if (rv_fits12(s)) {
        e(t, rv_opi(RV_ADD, rd, RV_ZERO, s));
        return;
    }
    uint32_t hi = (v + 0x800u) >> 12;
    int32_t lo = (int32_t)(v - (hi << 12));
    e(t, rv_lui(rd, hi));
    if (lo)
        e(t, rv_opi(RV_ADD, rd, rd, lo));
}

/* Always two instructions (sequences with a fixed length). */
static void li_fixed(rv *t, int rd, uint32_t v)
{
    uint32_t hi = (v + 0x800u) >> 12;
    e(t, rv_lui(rd, hi));
    e(t, rv_opi(RV_ADD, rd, rd, (int32_t)(v - (hi << 12))));
}

static void call_block_fn(rv *t, uint32_t off)
{
    lw_block(t, RV_T0, off);
    e(t, rv_jalr(RV_RA, RV_T0, 0));
}

/* r1..r5 live in caller-saved registers: spill them to their slots around C calls. */
static void spill_args(rv *t)
{
    for (int r = 1; r <= 5; r++) {
        sw_block(t, LO[r], MBPF_JB_REG_LO(r));
        sw_block(t, HI[r], MBPF_JB_REG_HI(r));
    }
}

static void reload_args(rv *t)
{
    for (int r = 1; r <= 5; r++) {
        lw_block(t, LO[r], MBPF_JB_REG_LO(r));
        lw_block(t, HI[r], MBPF_JB_REG_HI(r));
    }
}

/* Second operand: a register pair, or the immediate sign-extended into t3:t4. */
static void operand(rv *t, const mbpf_insn *in, int *sl, int *sh)
{
    if (MBPF_SRCBIT(in->code)) {
        *sl = LO[MBPF_SRC(in)];
        *sh = HI[MBPF_SRC(in)];
    } else {
        li(t, RV_T3, (uint32_t)in->imm);
        li(t, RV_T4, in->imm < 0 ? 0xffffffffu : 0);
        *sl = RV_T3;
        *sh = RV_T4;
    }
}

/* ---- ALU -------------------------------------------------------------------------------------- */

static void bswap32(rv *t, int rd, int rs)
{
    e(t, rv_slli(RV_T0, rs, 24));
    e(t, rv_srli(RV_T1, rs, 24));
    e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T1));
    li(t, RV_T2, 0xff00);
    e(t, rv_srli(RV_T1, rs, 8));
    e(t, rv_op(RV_AND, RV_T1, RV_T1, RV_T2));
    e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T1));
    e(t, rv_slli(RV_T1, rs, 8));
    e(t, rv_slli(RV_T2, RV_T2, 8));
    e(t, rv_op(RV_AND, RV_T1, RV_T1, RV_T2));
    e(t, rv_op(RV_OR, rd, RV_T0, RV_T1));
}

static void bswap16(rv *t, int rd, int rs)
{
    e(t, rv_opi(RV_AND, RV_T0, rs, 0xff));
    e(t, rv_slli(RV_T0, RV_T0, 8));
    e(t, rv_srli(RV_T1, rs, 8));
    e(t, rv_opi(RV_AND, RV_T1, RV_T1, 0xff));
    e(t, rv_op(RV_OR, rd, RV_T0, RV_T1));
}

static void zext16(rv *t, int rd)
{
    e(t, rv_slli(rd, rd, 16));
    e(t, rv_srli(rd, rd, 16));
}

static void byteswap(rv *t, const mbpf_insn *in, int dl, int dh)
{
    const int swap = MBPF_CLASS(in->code) == MBPF_ALU64 || MBPF_SRCBIT(in->code) == MBPF_TO_BE;
    if (in->imm == 64) {
        if (swap) {
            mv(t, RV_T3, dl);
            bswap32(t, dl, dh);
            bswap32(t, dh, RV_T3);
        }
        return;
    }
    if (swap) {
        if (in->imm == 16)
            bswap16(t, dl, dl);
        else
            bswap32(t, dl, dl);
    } else if (in->imm == 16) {
        zext16(t, dl);
    }
    mv(t, dh, RV_ZERO);
}

static void shift64_imm(rv *t, int op, int dl, int dh, uint32_t k)
{
    k &= 63;
    if (!k)
        return;
    if (op == MBPF_LSH) {
        if (k < 32) {
            e(t, rv_slli(dh, dh, (int)k));
            e(t, rv_srli(RV_T0, dl, (int)(32 - k)));
            e(t, rv_op(RV_OR, dh, dh, RV_T0));
            e(t, rv_slli(dl, dl, (int)k));
        } else {
            e(t, rv_slli(dh, dl, (int)(k - 32)));
            mv(t, dl, RV_ZERO);
        }
    } else {
        const int arith = op == MBPF_ARSH;
        if (k < 32) {
            e(t, rv_srli(dl, dl, (int)k));
            e(t, rv_slli(RV_T0, dh, (int)(32 - k)));
            e(t, rv_op(RV_OR, dl, dl, RV_T0));
            e(t, arith ? rv_srai(dh, dh, (int)k) : rv_srli(dh, dh, (int)k));
        } else {
            e(t, arith ? rv_srai(dl, dh, (int)(k - 32)) : rv_srli(dl, dh, (int)(k - 32)));
            if (arith)
                e(t, rv_srai(dh, dh, 31));
            else
                mv(t, dh, RV_ZERO);
        }
    }
}

/* 64-bit division/modulo and register shifts through the runtime: a0:a1 = d, then b. */
static void call_rt64(rv *t, uint32_t fn, int dl, int dh, int sl, int sh, uint32_t op, int shift)
{
    mv(t, RV_T1, dl);
    mv(t, RV_T2, dh);
    mv(t, RV_T3, sl);
    mv(t, RV_T4, sh);
    spill_args(t);
    mv(t, RV_A0, RV_T1);
    mv(t, RV_A1, RV_T2);
    mv(t, RV_A2, RV_T3);
    if (shift) {
        li(t, RV_A3, op);
    } else {
        mv(t, RV_A3, RV_T4);
        li(t, RV_A4, op);
    }
    call_block_fn(t, fn);
    mv(t, RV_T1, RV_A0);
    mv(t, RV_T2, RV_A1);
    reload_args(t);
    mv(t, dl, RV_T1);
    mv(t, dh, RV_T2);
}

static int lower_alu64(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    const int dl = LO[d], dh = HI[d];
    int sl, sh;
    switch (op) {
    case MBPF_END:
        byteswap(t, in, dl, dh);
        return 0;
    case MBPF_NEG:
        e(t, rv_op(RV_SLTU, RV_T0, RV_ZERO, dl));
        e(t, rv_sub(dl, RV_ZERO, dl));
        e(t, rv_sub(dh, RV_ZERO, dh));
        e(t, rv_sub(dh, dh, RV_T0));
        return 0;
    case MBPF_MOV:
        if (!MBPF_SRCBIT(in->code)) {
            li(t, dl, (uint32_t)in->imm);
            li(t, dh, in->imm < 0 ? 0xffffffffu : 0);
            return 0;
        }
        sl = LO[MBPF_SRC(in)];
        sh = HI[MBPF_SRC(in)];
        if (in->off == 8 || in->off == 16) {
            e(t, rv_slli(dl, sl, 32 - in->off));
            e(t, rv_srai(dl, dl, 32 - in->off));
            e(t, rv_srai(dh, dl, 31));
        } else if (in->off == 32) {
            mv(t, dl, sl);
            e(t, rv_srai(dh, dl, 31));
        } else {
            mv(t, dl, sl);
            mv(t, dh, sh);
        }
        return 0;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        if (!MBPF_SRCBIT(in->code)) {
            shift64_imm(t, op, dl, dh, (uint32_t)in->imm);
            return 0;
        }
        break;
    default:
        break;
    }
    operand(t, in, &sl, &sh);
    switch (op) {
    case MBPF_ADD:
        e(t, rv_op(RV_ADD, RV_T0, dl, sl));
        e(t, rv_op(RV_SLTU, RV_T1, RV_T0, sl)); /* carry */
        e(t, rv_op(RV_ADD, dh, dh, sh));
        e(t, rv_op(RV_ADD, dh, dh, RV_T1));
        mv(t, dl, RV_T0);
        break;
    case MBPF_SUB:
        e(t, rv_op(RV_SLTU, RV_T1, dl, sl)); /* borrow */
        e(t, rv_sub(dl, dl, sl));
        e(t, rv_sub(dh, dh, sh));
        e(t, rv_sub(dh, dh, RV_T1));
        break;
    case MBPF_AND:
    case MBPF_OR:
    case MBPF_XOR: {
        int f3 = op == MBPF_AND ? RV_AND : op == MBPF_OR ? RV_OR : RV_XOR;
        e(t, rv_op(f3, dl, dl, sl));
        e(t, rv_op(f3, dh, dh, sh));
        break;
    }
    case MBPF_MUL:
        e(t, rv_mop(RV_MUL, RV_T0, dl, sh));
        e(t, rv_mop(RV_MUL, RV_T1, dh, sl));
        e(t, rv_op(RV_ADD, RV_T0, RV_T0, RV_T1));
        e(t, rv_mop(RV_MULHU, RV_T1, dl, sl));
        e(t, rv_op(RV_ADD, dh, RV_T0, RV_T1));
        e(t, rv_mop(RV_MUL, dl, dl, sl));
        break;
    case MBPF_DIV:
    case MBPF_MOD:
        call_rt64(t, MBPF_JB_FN_DIV64, dl, dh, sl, sh,
                  (op == MBPF_MOD ? 1u : 0u) | (in->off == 1 ? 2u : 0u), 0);
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        call_rt64(t, MBPF_JB_FN_SHIFT64, dl, dh, sl, sh,
                  op == MBPF_LSH ? 0u : op == MBPF_RSH ? 1u : 2u, 1);
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 64-bit ALU operation");
    }
    return 0;
}

static int lower_alu32(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    const int dl = LO[d], dh = HI[d];
    const int x = MBPF_SRCBIT(in->code) != 0;
    int sl = RV_T3;
    if (op == MBPF_END) {
        byteswap(t, in, dl, dh);
        return 0;
    }
    if (op == MBPF_NEG) {
        e(t, rv_sub(dl, RV_ZERO, dl));
    } else if (op == MBPF_MOV) {
        if (!x) {
            li(t, dl, (uint32_t)in->imm);
        } else if (in->off == 8 || in->off == 16) {
            e(t, rv_slli(dl, LO[MBPF_SRC(in)], 32 - in->off));
            e(t, rv_srai(dl, dl, 32 - in->off));
        } else {
            mv(t, dl, LO[MBPF_SRC(in)]);
        }
    } else if (!x && (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH)) {
        int k = in->imm & 31;
        e(t, op == MBPF_LSH ? rv_slli(dl, dl, k) : op == MBPF_RSH ? rv_srli(dl, dl, k) : rv_srai(dl, dl, k));
    } else if (!x && rv_fits12(in->imm) && (op == MBPF_ADD || op == MBPF_AND || op == MBPF_OR ||
                                           op == MBPF_XOR)) {
        int f3 = op == MBPF_ADD ? RV_ADD : op == MBPF_AND ? RV_AND : op == MBPF_OR ? RV_OR : RV_XOR;
        e(t, rv_opi(f3, dl, dl, in->imm));
    } else if (!x && op == MBPF_SUB && in->imm != INT32_MIN && rv_fits12(-in->imm)) {
        e(t, rv_opi(RV_ADD, dl, dl, -in->imm));
    } else {
        if (x)
            sl = LO[MBPF_SRC(in)];
        else
            li(t, RV_T3, (uint32_t)in->imm);
        switch (op) {
        case MBPF_ADD: e(t, rv_op(RV_ADD, dl, dl, sl)); break;
        case MBPF_SUB: e(t, rv_sub(dl, dl, sl)); break;
        case MBPF_AND: e(t, rv_op(RV_AND, dl, dl, sl)); break;
        case MBPF_OR: e(t, rv_op(RV_OR, dl, dl, sl)); break;
        case MBPF_XOR: e(t, rv_op(RV_XOR, dl, dl, sl)); break;
        case MBPF_MUL: e(t, rv_mop(RV_MUL, dl, dl, sl)); break;
        case MBPF_LSH: e(t, rv_op(RV_SLL, dl, dl, sl)); break; /* the core masks the amount to 5 bits */
        case MBPF_RSH: e(t, rv_op(RV_SRL, dl, dl, sl)); break;
        case MBPF_ARSH: e(t, rv_sra(dl, dl, sl)); break;
        case MBPF_DIV: /* RISC-V gives all ones for a zero divisor; eBPF wants 0 */
            e(t, rv_mop(in->off == 1 ? RV_DIV : RV_DIVU, RV_T0, dl, sl));
            e(t, rv_opi(RV_SLTU, RV_T1, sl, 1)); /* 1 if the divisor is 0 */
            e(t, rv_opi(RV_ADD, RV_T1, RV_T1, -1)); /* 0 or all ones */
            e(t, rv_op(RV_AND, dl, RV_T0, RV_T1));
            break;
        case MBPF_MOD: /* a zero divisor leaves the dividend, MIN % -1 is 0: as eBPF */
            e(t, rv_mop(in->off == 1 ? RV_REM : RV_REMU, dl, dl, sl));
            break;
        default:
            return jit_fail(t->c, t->pc, "unsupported 32-bit ALU operation");
        }
    }
    mv(t, dh, RV_ZERO);
    return 0;
}

/* ---- jumps ------------------------------------------------------------------------------------ */

static void budget_check(rv *t)
{
    t->fixed = 1;
    li_fixed(t, RV_T1, t->pc);
    lw_block(t, RV_T0, MBPF_JB_BUDGET);
    branch_to(t, RV_BEQ, RV_T0, RV_ZERO, jit_stub_offset(t->c, STUB_BUDGET));
    e(t, rv_opi(RV_ADD, RV_T0, RV_T0, -1));
    sw_block(t, RV_T0, MBPF_JB_BUDGET);
    t->fixed = 0;
}

/* Entry into a loop proven bounded: charge its trip bound (MBPF_FACT_TRIPS, at most 256: an
 * addi immediate) at its first instruction. Its own back edges jump past this sequence. */
#define LOOP_CHARGE_BYTES 32 /* lui addi lw addi bgeu-over-jal(8) sub sw */
static void loop_charge(rv *t, const mbpf_fact *f)
{
    t->fixed = 1;
    li_fixed(t, RV_T1, t->pc);
    lw_block(t, RV_T0, MBPF_JB_BUDGET);
    e(t, rv_opi(RV_ADD, RV_T2, RV_ZERO, (int32_t)MBPF_FACT_TRIPS(f)));
    branch_to(t, RV_BLTU, RV_T0, RV_T2, jit_stub_offset(t->c, STUB_BUDGET));
    e(t, rv_sub(RV_T0, RV_T0, RV_T2));
    sw_block(t, RV_T0, MBPF_JB_BUDGET);
    t->fixed = 0;
}

/* Native target of a jump: a bounded back edge into a loop head skips the entry charge. */
static uint32_t jump_offset(rv *t, const mbpf_fact *f, uint32_t target)
{
    uint32_t to = jit_insn_offset(t->c, target);
    if ((f->flags & MBPF_FACT_BACKEDGE) && (f->flags & MBPF_FACT_BOUNDED) &&
        (t->c->facts[target].flags & MBPF_FACT_LOOP_HEAD))
        to += LOOP_CHARGE_BYTES;
    return to;
}

/* t0 = (a < b) over 64 bits, signed or unsigned. */
static void less64(rv *t, int al, int ah, int bl, int bh, int is_signed)
{
    e(t, rv_op(is_signed ? RV_SLT : RV_SLTU, RV_T0, ah, bh));
    e(t, rv_op(RV_XOR, RV_T1, ah, bh));
    e(t, rv_opi(RV_SLTU, RV_T1, RV_T1, 1)); /* upper halves equal */
    e(t, rv_op(RV_SLTU, RV_T2, al, bl));
    e(t, rv_op(RV_AND, RV_T2, RV_T2, RV_T1));
    e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T2));
}

/* Emit the flag computation; returns the branch (f3, rs1, rs2) that means "taken". */
static void compare(rv *t, const mbpf_insn *in, int *f3, int *r1, int *r2)
{
    const int op = MBPF_OP(in->code), is32 = MBPF_CLASS(in->code) == MBPF_JMP32;
    const int dl = LO[MBPF_DST(in)], dh = HI[MBPF_DST(in)];
    int sl, sh;
    operand(t, in, &sl, &sh);
    if (op == MBPF_JSET) {
        e(t, rv_op(RV_AND, RV_T0, dl, sl));
        if (!is32) {
            e(t, rv_op(RV_AND, RV_T1, dh, sh));
            e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T1));
        }
        *f3 = RV_BNE; *r1 = RV_T0; *r2 = RV_ZERO;
        return;
    }
    if (is32) {
        switch (op) {
        case MBPF_JEQ: *f3 = RV_BEQ; *r1 = dl; *r2 = sl; return;
        case MBPF_JNE: *f3 = RV_BNE; *r1 = dl; *r2 = sl; return;
        case MBPF_JGT: *f3 = RV_BLTU; *r1 = sl; *r2 = dl; return;
        case MBPF_JGE: *f3 = RV_BGEU; *r1 = dl; *r2 = sl; return;
        case MBPF_JLT: *f3 = RV_BLTU; *r1 = dl; *r2 = sl; return;
        case MBPF_JLE: *f3 = RV_BGEU; *r1 = sl; *r2 = dl; return;
        case MBPF_JSGT: *f3 = RV_BLT; *r1 = sl; *r2 = dl; return;
        case MBPF_JSGE: *f3 = RV_BGE; *r1 = dl; *r2 = sl; return;
        case MBPF_JSLT: *f3 = RV_BLT; *r1 = dl; *r2 = sl; return;
        default: *f3 = RV_BGE; *r1 = sl; *r2 = dl; return;
        }
    }
    *r1 = RV_T0;
    *r2 = RV_ZERO;
    switch (op) {
    case MBPF_JEQ:
    case MBPF_JNE:
        e(t, rv_op(RV_XOR, RV_T0, dl, sl));
        e(t, rv_op(RV_XOR, RV_T1, dh, sh));
        e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T1));
        *f3 = op == MBPF_JEQ ? RV_BEQ : RV_BNE;
        return;
    case MBPF_JLT: case MBPF_JSLT:
        less64(t, dl, dh, sl, sh, op == MBPF_JSLT);
        *f3 = RV_BNE;
        return;
    case MBPF_JGE: case MBPF_JSGE:
        less64(t, dl, dh, sl, sh, op == MBPF_JSGE);
        *f3 = RV_BEQ;
        return;
    case MBPF_JGT: case MBPF_JSGT:
        less64(t, sl, sh, dl, dh, op == MBPF_JSGT);
        *f3 = RV_BNE;
        return;
    default: /* JLE, JSLE */
        less64(t, sl, sh, dl, dh, op == MBPF_JSLE);
        *f3 = RV_BEQ;
        return;
    }
}

static int lower_jump(rv *t, const mbpf_insn *in, const mbpf_fact *f, uint32_t target)
{
    const int budgeted = jit_needs_budget(f);
    uint32_t to = jump_offset(t, f, target);
    if (MBPF_OP(in->code) == MBPF_JA) {
        if (budgeted)
            budget_check(t);
        jump_to(t, to);
        return 0;
    }
    int f3, r1, r2;
    compare(t, in, &f3, &r1, &r2);
    if (!budgeted) {
        branch_to(t, f3, r1, r2, to);
        return 0;
    }
    /* not taken: skip the budget check (lui addi lw beq-over-jal(8) addi sw = 28) and the jal */
    e(t, rv_branch(f3 ^ 1, r1, r2, 4 + 28 + 4));
    budget_check(t);
    jump_to(t, to);
    return 0;
}

/* ---- memory ----------------------------------------------------------------------------------- */

/* Inline guard against the region the verifier attributed the access to; falls back to the full
 * check routine. 32 bytes + the 12-byte slow call. */
static int inline_guard(rv *t, const mbpf_fact *f, uint32_t size, int write)
{
    uint32_t start, end;
    if (!jit_region_bounds(f->region, write, &start, &end))
        return 0;
    const uint32_t s0 = t->c->pos, slow = s0 + 32, done = slow + 12;
    t->fixed = 1;
    lw_block(t, RV_T0, start);
    e(t, rv_branch(RV_BLTU, RV_T3, RV_T0, rel(t, slow)));
    e(t, rv_opi(RV_ADD, RV_T1, RV_T3, (int32_t)size));
    e(t, rv_branch(RV_BLTU, RV_T1, RV_T3, rel(t, slow))); /* wrapped */
    if (end)
        lw_block(t, RV_T2, end);
    else
        mv(t, RV_T2, RV_S0); /* live stack ends at the current frame's top */
    e(t, rv_branch(RV_BLTU, RV_T2, RV_T1, rel(t, slow)));
    e(t, rv_branch(RV_BNE, RV_T4, RV_ZERO, rel(t, slow)));
    jump_to(t, done);
    li_fixed(t, RV_T0, t->pc | size << 16);
    e(t, rv_jal(RV_RA, rel(t, jit_stub_offset(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ))));
    t->fixed = 0;
    return 1;
}

/* Address of base + off: returns the base register and offset to use in the access. Guarded
 * accesses go through t3 (upper half t4) and get checked. */
static int address(rv *t, int base, int16_t off, uint32_t size, int write, const mbpf_fact *f,
                   int32_t *use_off)
{
    const int bl = LO[base], bh = HI[base];
    if (f->mem == MBPF_MEM_PROVEN && rv_fits12(off) && rv_fits12(off + 7)) {
        *use_off = off;
        return bl;
    }
    if (rv_fits12(off)) {
        e(t, rv_opi(RV_ADD, RV_T3, bl, off));
    } else {
        li(t, RV_T0, (uint32_t)(int32_t)off);
        e(t, rv_op(RV_ADD, RV_T3, bl, RV_T0));
    }
    *use_off = 0;
    if (f->mem == MBPF_MEM_PROVEN)
        return RV_T3;
    e(t, rv_op(RV_SLTU, RV_T0, RV_T3, bl)); /* carry out of the low half */
    e(t, rv_op(RV_ADD, RV_T4, bh, RV_T0));
    if (off < 0)
        e(t, rv_opi(RV_ADD, RV_T4, RV_T4, -1));
    if (!(f->mem == MBPF_MEM_GUARD_REGION && inline_guard(t, f, size, write))) {
        li_fixed(t, RV_T0, t->pc | size << 16);
        e(t, rv_jal(RV_RA, rel(t, jit_stub_offset(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ))));
    }
    return RV_T3;
}

/* Accesses not proven aligned (MBPF_FACT_ALIGNED) are assembled from byte accesses: many RV32
 * cores trap on a misaligned lw/sw/lh/sh. */
static int plain_access(const mbpf_fact *f, uint32_t size)
{
    return size == 1 || (f->flags & MBPF_FACT_ALIGNED);
}

/* rd = the 32-bit word (or, with bytes == 2, the halfword) at off(b), little-endian, byte by
 * byte; the top byte signed when sx. Uses t1; rd must differ from b and t1. */
static void load_bytes(rv *t, int rd, int b, int32_t off, uint32_t bytes, int sx)
{
    e(t, rv_load(RV_LBU, rd, b, off));
    for (uint32_t i = 1; i < bytes; i++) {
        e(t, rv_load(sx && i == bytes - 1 ? RV_LB : RV_LBU, RV_T1, b, off + (int32_t)i));
        e(t, rv_slli(RV_T1, RV_T1, (int)(8 * i)));
        e(t, rv_op(RV_OR, rd, rd, RV_T1));
    }
}

static void store_bytes(rv *t, int v, int b, int32_t off, uint32_t bytes)
{
    e(t, rv_store(RV_SB, v, b, off));
    for (uint32_t i = 1; i < bytes; i++) {
        e(t, rv_srli(RV_T0, v, (int)(8 * i)));
        e(t, rv_store(RV_SB, RV_T0, b, off + (int32_t)i));
    }
}

static int lower_load(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const int d = MBPF_DST(in), sx = MBPF_MODE(in->code) == MBPF_MEMSX;
    const uint32_t size = mbpf_size_bytes(in->code);
    int32_t off;
    int b = address(t, MBPF_SRC(in), in->off, size, 0, f, &off);
    if (!plain_access(f, size)) {
        /* into t0 (and t2), then the destination: the base may be the destination */
        load_bytes(t, RV_T0, b, off, size == 8 ? 4 : size, sx && size != 8);
        if (size == 8)
            load_bytes(t, RV_T2, b, off + 4, 4, 0);
        mv(t, LO[d], RV_T0);
        if (size == 8)
            mv(t, HI[d], RV_T2);
        else if (sx)
            e(t, rv_srai(HI[d], LO[d], 31));
        else
            mv(t, HI[d], RV_ZERO);
        return 0;
    }
    if (size == 8) {
        /* the base may be the destination: load the upper half first into t0 */
        e(t, rv_load(RV_LW, RV_T0, b, off + 4));
        e(t, rv_load(RV_LW, LO[d], b, off));
        mv(t, HI[d], RV_T0);
        return 0;
    }
    int f3 = size == 1 ? (sx ? RV_LB : RV_LBU) : size == 2 ? (sx ? RV_LH : RV_LHU) : RV_LW;
    e(t, rv_load(f3, LO[d], b, off));
    if (sx)
        e(t, rv_srai(HI[d], LO[d], 31));
    else
        mv(t, HI[d], RV_ZERO);
    return 0;
}

static int lower_store(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    int32_t off;
    int b = address(t, MBPF_DST(in), in->off, size, 1, f, &off);
    int vl, vh;
    if (MBPF_CLASS(in->code) == MBPF_ST) {
        li(t, RV_T1, (uint32_t)in->imm);
        li(t, RV_T2, in->imm < 0 ? 0xffffffffu : 0);
        vl = RV_T1;
        vh = RV_T2;
    } else {
        vl = LO[MBPF_SRC(in)];
        vh = HI[MBPF_SRC(in)];
    }
    if (!plain_access(f, size)) {
        store_bytes(t, vl, b, off, size == 8 ? 4 : size);
        if (size == 8)
            store_bytes(t, vh, b, off + 4, 4);
        return 0;
    }
    e(t, rv_store(size == 1 ? RV_SB : size == 2 ? RV_SH : RV_SW, vl, b, off));
    if (size == 8)
        e(t, rv_store(RV_SW, vh, b, off + 4));
    return 0;
}

static int lower_atomic(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    const int s = MBPF_SRC(in);
    int32_t off;
    int b = address(t, MBPF_DST(in), in->off, size, 1, f, &off);
    if (b != RV_T3 || off)
        e(t, rv_opi(RV_ADD, RV_T3, b, off));
    if (in->imm == MBPF_CMPXCHG) {
        sw_block(t, LO[0], MBPF_JB_R0_LO);
        sw_block(t, HI[0], MBPF_JB_R0_HI);
    }
    mv(t, RV_T1, LO[s]);
    mv(t, RV_T2, HI[s]);
    spill_args(t);
    li(t, RV_T0, (uint32_t)in->imm | size << 16);
    sw_block(t, RV_T0, MBPF_JB_ATOMIC_OP);
    mv(t, RV_A0, RV_S1);
    mv(t, RV_A1, RV_T3);
    mv(t, RV_A2, RV_T1);
    mv(t, RV_A3, RV_T2);
    call_block_fn(t, MBPF_JB_FN_ATOMIC);
    mv(t, RV_T1, RV_A0);
    mv(t, RV_T2, RV_A1);
    reload_args(t);
    if (in->imm == MBPF_CMPXCHG) {
        mv(t, LO[0], RV_T1);
        mv(t, HI[0], RV_T2);
    } else if (in->imm & MBPF_FETCH) {
        mv(t, LO[s], RV_T1);
        mv(t, HI[s], RV_T2);
    }
    return 0;
}

/* ---- calls ------------------------------------------------------------------------------------ */

static int lower_helper_call(rv *t, const mbpf_insn *in)
{
    uint32_t pcw = t->pc;
    spill_args(t); /* the slots of r1..r5 are the argument array */
    if (MBPF_SRCBIT(in->code)) { /* callx: the trampoline reads all 64 bits of the id's slot */
        const int d = MBPF_DST(in);
        if (d < 1 || d > 5) {
            sw_block(t, LO[d], MBPF_JB_REG_LO(d));
            sw_block(t, HI[d], MBPF_JB_REG_HI(d));
        }
        mv(t, RV_T1, LO[d]);
        pcw |= MBPF_JIT_CALLX | MBPF_JIT_CALLX_REG(d);
    } else {
        li(t, RV_T1, (uint32_t)in->imm);
    }
    sw_block(t, RV_S0, MBPF_JB_STACK_CUR);
    mv(t, RV_A0, RV_S1);
    mv(t, RV_A1, RV_T1);
    e(t, rv_opi(RV_ADD, RV_A2, RV_S1, MBPF_JB_REG_LO(1)));
    li(t, RV_A3, pcw);
    call_block_fn(t, MBPF_JB_FN_HELPER);
    mv(t, LO[0], RV_A0);
    mv(t, HI[0], RV_A1);
    reload_args(t);
    lw_block(t, RV_T0, MBPF_JB_STATUS);
    branch_to(t, RV_BNE, RV_T0, RV_ZERO, jit_stub_offset(t->c, STUB_HELPER_END));
    return 0;
}

static int lower_local_call(rv *t, uint32_t target)
{
    budget_check(t); /* t1 = pc */
    lw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    branch_to(t, RV_BEQ, RV_T0, RV_ZERO, jit_stub_offset(t->c, STUB_DEPTH));
    e(t, rv_opi(RV_ADD, RV_T0, RV_T0, -1));
    sw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -48));
    for (int r = 6; r <= 9; r++) {
        e(t, rv_store(RV_SW, LO[r], RV_SP, 8 * (r - 6)));
        e(t, rv_store(RV_SW, HI[r], RV_SP, 8 * (r - 6) + 4));
    }
    e(t, rv_store(RV_SW, RV_S0, RV_SP, 32));
    e(t, rv_opi(RV_ADD, RV_S0, RV_S0, MBPF_STACK_SIZE));
    e(t, rv_jal(RV_RA, rel(t, jit_insn_offset(t->c, target) - 8))); /* the callee's entry */
    for (int r = 6; r <= 9; r++) {
        e(t, rv_load(RV_LW, LO[r], RV_SP, 8 * (r - 6)));
        e(t, rv_load(RV_LW, HI[r], RV_SP, 8 * (r - 6) + 4));
    }
    e(t, rv_load(RV_LW, RV_S0, RV_SP, 32));
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, 48));
    lw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    e(t, rv_opi(RV_ADD, RV_T0, RV_T0, 1));
    sw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    return 0;
}

static int lower_exit(rv *t)
{
    if (t->in_subprog) {
        e(t, rv_load(RV_LW, RV_RA, RV_SP, 0));
        e(t, rv_opi(RV_ADD, RV_SP, RV_SP, 16));
        e(t, rv_jalr(RV_ZERO, RV_RA, 0));
        return 0;
    }
    sw_block(t, LO[0], MBPF_JB_R0_LO);
    sw_block(t, HI[0], MBPF_JB_R0_HI);
    mv(t, RV_A0, RV_ZERO);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));
    return 0;
}

static int lower_insn(rv *t, const mbpf_insn *in, const mbpf_fact *f)
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
        const int dl = LO[MBPF_DST(in)], dh = HI[MBPF_DST(in)];
        const mbpf_insn *next = in + 1;
        if (MBPF_SRC(in) == MBPF_LDDW_REGION) {
            lw_block(t, dl, in->imm == MBPF_REGION_ID_RODATA ? MBPF_JB_RODATA : MBPF_JB_DATA);
            li(t, RV_T0, (uint32_t)next->imm);
            e(t, rv_op(RV_ADD, dl, dl, RV_T0));
            mv(t, dh, RV_ZERO);
        } else {
            li(t, dl, (uint32_t)in->imm);
            li(t, dh, (uint32_t)next->imm);
        }
        return 0;
    }
    default:
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

/* ---- stubs ------------------------------------------------------------------------------------- */

static void emit_check_stub(rv *t, int write)
{
    const uint32_t ok = write ? STUB_CHECK_WRITE_OK : STUB_CHECK_READ_OK;
    const uint32_t fail = write ? STUB_CHECK_WRITE_FAIL : STUB_CHECK_READ_FAIL;
    jit_mark_stub(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ);
    e(t, rv_branch(RV_BNE, RV_T4, RV_ZERO, 8)); /* upper half must be zero */
    e(t, rv_jal(RV_ZERO, 8));
    jump_to(t, jit_stub_offset(t->c, fail));
    e(t, rv_srli(RV_T1, RV_T0, 16));
    e(t, rv_op(RV_ADD, RV_T1, RV_T3, RV_T1)); /* end */
    e(t, rv_branch(RV_BGEU, RV_T1, RV_T3, 8)); /* wrapped? */
    jump_to(t, jit_stub_offset(t->c, fail));
    static const uint8_t regions[4] = {MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_DATA, MBPF_RGN_RODATA};
    for (int i = 0; i < 4; i++) {
        uint32_t start, end;
        if (!jit_region_bounds(regions[i], write, &start, &end))
            continue;
        uint32_t next = t->c->pos + 20; /* five 4-byte instructions per region */
        t->fixed = 1;
        lw_block(t, RV_T2, start);
        e(t, rv_branch(RV_BLTU, RV_T3, RV_T2, rel(t, next)));
        if (end)
            lw_block(t, RV_T2, end);
        else
            mv(t, RV_T2, RV_S0);
        e(t, rv_branch(RV_BLTU, RV_T2, RV_T1, rel(t, next)));
        jump_to(t, jit_stub_offset(t->c, ok));
        t->fixed = 0;
    }
    /* slow path: fn_check(block, addr, size, write) for helper-granted regions */
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -16));
    e(t, rv_store(RV_SW, RV_RA, RV_SP, 0));
    e(t, rv_store(RV_SW, RV_T0, RV_SP, 4));
    e(t, rv_store(RV_SW, RV_T3, RV_SP, 8));
    spill_args(t);
    mv(t, RV_A0, RV_S1);
    mv(t, RV_A1, RV_T3);
    e(t, rv_srli(RV_A2, RV_T0, 16));
    li(t, RV_A3, (uint32_t)write);
    call_block_fn(t, MBPF_JB_FN_CHECK);
    mv(t, RV_T1, RV_A0);
    reload_args(t);
    e(t, rv_load(RV_LW, RV_RA, RV_SP, 0));
    e(t, rv_load(RV_LW, RV_T0, RV_SP, 4));
    e(t, rv_load(RV_LW, RV_T3, RV_SP, 8));
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, 16));
    e(t, rv_branch(RV_BNE, RV_T1, RV_ZERO, 8));
    jump_to(t, jit_stub_offset(t->c, fail));
    jit_mark_stub(t->c, ok);
    e(t, rv_jalr(RV_ZERO, RV_RA, 0));
    jit_mark_stub(t->c, fail);
    e(t, rv_slli(RV_T1, RV_T0, 16));
    e(t, rv_srli(RV_T1, RV_T1, 16));
    sw_block(t, RV_T1, MBPF_JB_FAULT_PC);
    sw_block(t, RV_T3, MBPF_JB_FAULT_ADDR);
    e(t, rv_srli(RV_T1, RV_T0, 16));
    sw_block(t, RV_T1, MBPF_JB_FAULT_SIZE);
    li(t, RV_A0, write ? MBPF_FAULT_MEM_WRITE : MBPF_FAULT_MEM_READ);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));
}

static const int8_t saved[13] = {RV_RA, RV_S0, RV_S1, RV_S2, RV_S3, RV_S4, RV_S5, RV_S6, RV_S7,
                                 RV_S8, RV_S9, RV_S10, RV_S11};

static void emit_stubs(rv *t)
{
    jit_mark_stub(t->c, STUB_EXIT);
    sw_block(t, RV_A0, MBPF_JB_STATUS);
    lw_block(t, RV_SP, MBPF_JB_SAVED_SP);
    for (int i = 0; i < 13; i++)
        e(t, rv_load(RV_LW, saved[i], RV_SP, 4 * i));
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, FRAME));
    e(t, rv_jalr(RV_ZERO, RV_RA, 0));

    jit_mark_stub(t->c, STUB_BUDGET);
    sw_block(t, RV_T1, MBPF_JB_FAULT_PC);
    li(t, RV_A0, MBPF_FAULT_BUDGET);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));

    jit_mark_stub(t->c, STUB_DEPTH);
    sw_block(t, RV_T1, MBPF_JB_FAULT_PC);
    li(t, RV_A0, MBPF_FAULT_CALL_DEPTH);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));

    jit_mark_stub(t->c, STUB_HELPER_END);
    lw_block(t, RV_A0, MBPF_JB_STATUS);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));

    emit_check_stub(t, 0);
    emit_check_stub(t, 1);
}

/* A local-call target saves ra in a 16-byte frame; callers jump 8 bytes before the instruction,
 * so this entry is never compressed. */
static void rv_function_entry(void *b)
{
    rv *t = b;
    t->in_subprog = 1;
    t->fixed = 1;
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -16));
    e(t, rv_store(RV_SW, RV_RA, RV_SP, 0));
    t->fixed = 0;
}

static int rv_insn(void *b, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    rv *t = b;
    t->pc = pc;
    if (f->flags & MBPF_FACT_LOOP_HEAD)
        loop_charge(t, f);
    return lower_insn(t, in, f);
}

int mbpf_rv_emit_program(jit_ctx *c)
{
    rv t;
    t.c = c;
    t.in_subprog = 0;
    t.fixed = 0;

    /* prologue: C ABI entry with the block in a0 */
    e(&t, rv_opi(RV_ADD, RV_SP, RV_SP, -FRAME));
    for (int i = 0; i < 13; i++)
        e(&t, rv_store(RV_SW, saved[i], RV_SP, 4 * i));
    mv(&t, RV_S1, RV_A0);
    sw_block(&t, RV_SP, MBPF_JB_SAVED_SP);
    lw_block(&t, RV_S0, MBPF_JB_STACK_TOP0);
    for (int r = 0; r < 10; r++) {
        lw_block(&t, LO[r], MBPF_JB_REG_LO(r));
        lw_block(&t, HI[r], MBPF_JB_REG_HI(r));
    }

    static const jit_backend_ops ops = {rv_function_entry, rv_insn};
    int rc = jit_emit_body(c, &ops, &t);
    if (rc)
        return rc;
    emit_stubs(&t);
    if (c->pos > (1u << 20))
        return jit_fail(c, 0, "program too large for RV32 jump ranges");
    return 0;
}
