/* RV32IMC lowering of verified eBPF on the middle end's analysis (jit/mid/mid.h).
 *
 * Register model (docs/rv32.md): every eBPF half has a fixed native register: r0 s2:s3,
 * r1 a0:a1, r2 a2:a3, r3 a4:a5, r4 a6:a7, r5 t5:t6, r6 s4:s5, r7 s6:s7, r8 s8:s9, r9 s10:s11;
 * r10 in s0 (upper half: x0); s1 holds the mbpf_jit_block, t4 the budget counter; t0-t3 and ra
 * are scratch. r1-r5 are caller-saved in the C ABI as in eBPF, so only runtime calls that are
 * not eBPF calls (region checks, atomics, 64-bit division) save them.
 *
 * From the middle end: a half that is not live after an instruction is not written, an
 * instruction whose results are all dead emits nothing, an upper half known zero is read as x0,
 * and 64-bit compares and divisions of values below 2^32 are 32-bit ones.
 *
 * Branches: a conditional branch reaches +-4 KiB; beyond that it is an inverted branch over a
 * jal. The measuring pass lays the program out twice: first with long forms everywhere, then
 * with the short form for every instruction whose targets all lie within reach by the first
 * layout's offsets (which only shrink). That choice is kept per instruction in the core's cold
 * words (for a versioned loop's fast copy in its branch-form bytes), so the writing pass makes
 * the same one. Rarely taken paths (a failing inline guard, an
 * exhausted budget) branch to per-instruction cold stubs after the shared stubs. */
#include "jit/jit_core.h"
#include "jit/mid/mid.h"
#include "jit/mid/mid_access.h"
#include "jit/mid/mid_idioms.h"
#include "jit/jit_runtime.h"
#include "jit/rv32/rv_encode.h"
#include "jit/rv32/rv_loops.h"

enum {
    STUB_EXIT,       /* a0 = status */
    STUB_CHECK_READ, /* t3 = addr, t2 = addr hi, t0 = pc | size << 16; returns through ra */
    STUB_CHECK_WRITE,
    STUB_BUDGET,     /* t1 = pc */
    STUB_DEPTH,      /* t1 = pc */
    STUB_HELPER_END,
    STUB_CHECK_READ_OK, STUB_CHECK_READ_FAIL, STUB_CHECK_WRITE_OK, STUB_CHECK_WRITE_FAIL,
};

/* What the cold stub of an instruction does. */
enum { COLD_NONE, COLD_GUARD, COLD_ALIGN, COLD_BUDGET, COLD_CALL };

static const int8_t LO[MBPF_NREGS] = {RV_S2, RV_A0, RV_A2, RV_A4, RV_A6, RV_T5, RV_S4, RV_S6, RV_S8, RV_S10, RV_S0};
static const int8_t HI[MBPF_NREGS] = {RV_S3, RV_A1, RV_A3, RV_A5, RV_A7, RV_T6, RV_S5, RV_S7, RV_S9, RV_S11, RV_ZERO};

/* The callee-saved registers, in the order of their prologue slots. */
static const int8_t saved[13] = {RV_RA, RV_S0, RV_S1, RV_S2, RV_S3, RV_S4, RV_S5, RV_S6, RV_S7,
                                 RV_S8, RV_S9, RV_S10, RV_S11};

#define RV_BUDGET RV_T4
#define FRAME 64            /* prologue frame: ra and s0-s11, 16-byte aligned */
#define CALL_FRAME 48       /* local call: r6-r9 and r10, 16-byte aligned */
#define ENTRY_BYTES 4       /* c.addi16sp sp, -16; c.swsp ra, 0(sp) */
#define LOOP_CHARGE_BYTES 24
#define SHORT_REACH 3584    /* 4 KiB less a margin for the instruction's own length */

#define MAX_FAST_CONSTS 4  /* constants a loop's fast copy keeps in registers */
#define MAX_RUN_CONSTS 4   /* constants kept in registers for the whole run */
#define BOUND_SLOTS 10     /* block words that region bounds come from: offsets 0..36 */
#define MAX_SHIFTED 4      /* region bounds less an access's offset, kept for the whole run */
#define SHIFT_CANDS 8      /* the (bound, amount) pairs pick_run_regs weighs */
#define MAX_SUM_SITES 16   /* 64-bit sums whose upper half only the next guard reads */

typedef struct rv {
    jit_ctx *c;
    const mid_info *m;
    uint32_t pc;
    uint32_t live;     /* halves live after the current instruction */
    uint32_t hz;       /* width state before it */
    int relax;         /* 0: first layout (long branches), 1: choosing, 2: writing pass */
    uint32_t prev_end; /* end of the first layout (relax 1) */
    int shortb;        /* the current instruction's branches use the short form */
    int all_short;     /* choosing without a first layout: every instruction short (below) */
    int spends_budget; /* the budget counter is read (and written back at the exit) */
    uint32_t n_short;  /* short branches chosen (outside fast copies): 4 bytes less each */
    int fixed;         /* no compressed forms (sequences whose length is assumed) */
    int in_subprog;
    int alias_d, alias_s, next_alias_d, next_alias_s;
    uint32_t sunk; /* a mov32 whose result the instruction before it wrote (sink_mov), or 0 */
    /* guard group (see group_step): the current instruction's role, the group's last member,
     * key and the union of its accesses' bytes */
    int role;
    uint32_t g_end;
    int g_base, g_write;
    uint8_t g_region;
    int32_t g_lo, g_hi;
    uint32_t skip_to;     /* instructions before it belong to a window already lowered */
    const ml_loop *fast;  /* loop versioning: the loop whose fast copy is being emitted */
    uint32_t fast_start;  /* where that copy's first instruction starts */
    int n_consts;         /* in that copy: constants kept in registers (fast_consts) */
    uint32_t const_val[MAX_FAST_CONSTS];
    int8_t const_reg[MAX_FAST_CONSTS];
    int8_t bound_reg[BOUND_SLOTS]; /* per block word below BOUND_SLOTS * 4: the register that
                                    * holds it for the whole run (pick_bound_regs), or 0 */
    uint32_t bound_halves;         /* the halves whose homes hold them, run_val or shifted */
    int n_shifted;                 /* bounds less an amount (shifted_bound), for the run */
    uint8_t sh_slot[MAX_SHIFTED];  /* block word index */
    uint16_t sh_k[MAX_SHIFTED];    /* the amount, 1..2047; the register holds max(word - k, 0) */
    int8_t sh_reg[MAX_SHIFTED];
    uint32_t saves;                /* bit i: the prologue saves saved[i] (saves_of) */
    int n_run;                     /* immediates kept in registers for the whole run */
    uint32_t run_val[MAX_RUN_CONSTS];
    int8_t run_reg[MAX_RUN_CONSTS];
    struct rv_stub_layout *stubs; /* the shared stubs' layout: the first layout records it */
    /* add d, s whose upper half only the guard of the access after it reads (sum_for_guard):
     * that access, and the registers the cold stub forms the upper half from */
    int n_sum;
    uint32_t sum_pc[MAX_SUM_SITES];
    int8_t sum_ah[MAX_SUM_SITES], sum_sh[MAX_SUM_SITES], sum_sl[MAX_SUM_SITES];
} rv;

/* Every size in the shared stubs is fixed (long branches, compressed forms chosen by register
 * and offset alone), so their layout is the same wherever they start: the second layout places
 * them from the first one's record instead of emitting them again. */
typedef struct rv_stub_layout {
    uint32_t bytes;
    uint32_t at[JIT_MAX_STUBS]; /* offset of each stub in them, or NO_STUB */
} rv_stub_layout;
#define NO_STUB 0xffffffffu

enum { ROLE_NONE, ROLE_HEAD, ROLE_MEMBER };

/* ---- emission ---------------------------------------------------------------------------------- */

static void e32(rv *t, uint32_t insn) { jit_emit32(t->c, insn); }

/* An instruction in its 16-bit form where one exists. */
static void e(rv *t, uint32_t insn)
{
    uint16_t h;
    if (!t->fixed && rv_compress(insn, &h))
        jit_emit16(t->c, h);
    else
        jit_emit32(t->c, insn);
}

static uint32_t isize(const rv *t, uint32_t insn)
{
    uint16_t h;
    return !t->fixed && rv_compress(insn, &h) ? 2u : 4u;
}

static int32_t rel(rv *t, uint32_t to) { return (int32_t)to - (int32_t)t->c->pos; }
static void mv(rv *t, int rd, int rs) { if (rd != rs) e(t, rv_opi(RV_ADD, rd, rs, 0)); }
static void lw_block(rv *t, int rd, uint32_t off) { e(t, rv_load(RV_LW, rd, RV_S1, (int32_t)off)); }
static void sw_block(rv *t, int rs, uint32_t off) { e(t, rv_store(RV_SW, rs, RV_S1, (int32_t)off)); }
static void jump_to(rv *t, uint32_t to) { e32(t, rv_jal(RV_ZERO, rel(t, to))); }

static uint32_t bsize(const rv *t) { return t->shortb ? 4u : 8u; }

/* Branch to `to` when cond(a, b): one instruction in reach, else inverted over a jal. */
static void bcond(rv *t, int f3, int a, int b, uint32_t to)
{
    if (t->shortb) {
        const int32_t d = rel(t, to);
        t->n_short++; /* 4 bytes less than in the all-long first layout (measure) */
        if (t->c->final_pass && (d < -4096 || d > 4094))
            jit_fail(t->c, t->pc, "internal error: a short branch out of reach");
        e32(t, rv_branch(f3, a, b, d));
    } else {
        e32(t, rv_branch(f3 ^ 1, a, b, 8));
        jump_to(t, to);
    }
}

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

/* A register holding v: the one a loop's fast copy or the whole run keeps it in, else rd
 * after li. */
static int imm_reg(rv *t, int rd, uint32_t v)
{
    for (int i = 0; i < t->n_consts; i++)
        if (t->const_val[i] == v)
            return t->const_reg[i];
    for (int i = 0; i < t->n_run; i++)
        if (t->run_val[i] == v)
            return t->run_reg[i];
    li(t, rd, v);
    return rd;
}

/* Always 8 bytes. */
static void li_fixed(rv *t, int rd, uint32_t v)
{
    uint32_t hi = (v + 0x800u) >> 12;
    e32(t, rv_lui(rd, hi));
    e32(t, rv_opi(RV_ADD, rd, rd, (int32_t)(v - (hi << 12))));
}

static void call_block_fn(rv *t, uint32_t off)
{
    lw_block(t, RV_T0, off);
    e(t, rv_jalr(RV_RA, RV_T0, 0));
}

/* ---- halves ------------------------------------------------------------------------------------ */

static int live_lo(const rv *t, int r) { return (t->live & MID_LO(r)) != 0; }
static int live_hi(const rv *t, int r) { return (t->live & MID_HI(r)) != 0; }
static int hz_r(const rv *t, int r) { return r == MBPF_REG_FP || ((t->hz >> r) & 1u); }

/* Registers holding the halves of r as sources (a fused move reads its source). */
static int lo_of(const rv *t, int r)
{
    return LO[r == t->alias_d ? t->alias_s : r];
}

static int hi_of(const rv *t, int r)
{
    if (hz_r(t, r))
        return RV_ZERO;
    return HI[r == t->alias_d ? t->alias_s : r];
}

/* Upper half of d becomes zero. */
static void hi_zero(rv *t, int d)
{
    if (live_hi(t, d))
        mv(t, HI[d], RV_ZERO);
}

/* r1..r5 (and the budget) live in caller-saved registers: kept in the block around C calls
 * that are not helper calls. */
static void save_args(rv *t)
{
    for (int r = 1; r <= 5; r++) {
        sw_block(t, LO[r], MBPF_JB_REG_LO(r));
        sw_block(t, HI[r], MBPF_JB_REG_HI(r));
    }
    if (t->spends_budget)
        sw_block(t, RV_BUDGET, MBPF_JB_BUDGET);
}

static void restore_args(rv *t)
{
    for (int r = 1; r <= 5; r++) {
        lw_block(t, LO[r], MBPF_JB_REG_LO(r));
        lw_block(t, HI[r], MBPF_JB_REG_HI(r));
    }
    if (t->spends_budget)
        lw_block(t, RV_BUDGET, MBPF_JB_BUDGET);
}

/* ---- cold stubs -------------------------------------------------------------------------------- */

/* cold[2 pc] = the native offset of pc's cold stub; cold[2 pc + 1] = return point << 1 | short
 * branches. */
static uint32_t cold_at(const rv *t) { return t->c->cold[2 * t->pc]; }

static int inline_guard_ok(const mbpf_insn *in, const mbpf_fact *f, int write)
{
    uint32_t start, end;
    const int32_t off = in->off;
    return f->mem == MBPF_MEM_GUARD_REGION && jit_region_bounds(f->region, write, &start, &end) &&
           off >= -2040 && off <= 2039;
}

static int is_write(const mbpf_insn *in)
{
    return MBPF_CLASS(in->code) == MBPF_ST || MBPF_CLASS(in->code) == MBPF_STX;
}

/* An access of 2, 4 or 8 bytes not proven aligned tests its address at run time: aligned, the
 * plain instruction; else the byte-wise form in the cold stub. */
static int needs_align_test(const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    if (cls != MBPF_LDX && cls != MBPF_ST && !(cls == MBPF_STX && MBPF_MODE(in->code) != MBPF_ATOMIC))
        return 0;
    return mbpf_size_bytes(in->code) > 1 && !(f->flags & MBPF_FACT_ALIGNED);
}

static int cold_kind(const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) {
        if (inline_guard_ok(in, f, is_write(in)))
            return COLD_GUARD;
        return needs_align_test(in, f) ? COLD_ALIGN : COLD_NONE;
    }
    if (cls == MBPF_JMP || cls == MBPF_JMP32) {
        if (in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL)
            return COLD_CALL;
        if (jit_needs_budget(f))
            return COLD_BUDGET;
    }
    return COLD_NONE;
}

/* Guard groups. Guarded accesses to one region through one base register within straight-line
 * code are checked once, at the first (the head), over the union of their bytes; a passing
 * check leaves ra = 0, and every later member only tests ra (one branch to its cold stub, which
 * checks the member alone). A failing head goes to its own cold stub, whose call into the check
 * leaves ra nonzero, so that every member then checks itself: faults stay exact. Nothing in the
 * group's range writes ra or the base register. */
static int guard_key(const mbpf_insn *in, const mbpf_fact *f, int *base, int *write)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    if (cls != MBPF_LDX && cls != MBPF_ST && !(cls == MBPF_STX && MBPF_MODE(in->code) != MBPF_ATOMIC))
        return 0;
    *write = is_write(in);
    *base = *write ? MBPF_DST(in) : MBPF_SRC(in);
    return inline_guard_ok(in, f, *write);
}

/* May this instruction stand between a group's head and its members (no ra, no call, no
 * jump)? */
static int group_transparent(const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU:
        return 1;
    case MBPF_ALU64:
        return !((op == MBPF_DIV || op == MBPF_MOD) ||
                 ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && MBPF_SRCBIT(in->code)));
    case MBPF_LD:
        return 1;
    case MBPF_LDX:
    case MBPF_ST:
        return f->mem == MBPF_MEM_PROVEN;
    case MBPF_STX:
        return MBPF_MODE(in->code) != MBPF_ATOMIC && f->mem == MBPF_MEM_PROVEN;
    default:
        return 0;
    }
}

static int writes_reg(const mbpf_insn *in, int r)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    return (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LD || cls == MBPF_LDX) && MBPF_DST(in) == r;
}

static void group_head(rv *t, uint32_t pc, const mbpf_fact *f, int base, int write);

/* The role of pc, with its checked fact f (jit_checked_fact), in program order (the same walk in
 * the body and for the cold stubs). */
static void group_step(rv *t, uint32_t pc, const mbpf_fact *f)
{
    const mbpf_insn *in = &t->c->prog->insns[pc];
    int base, write;
    const int guarded = guard_key(in, f, &base, &write);
    if (t->g_end && pc <= t->g_end) { /* inside the group: a member, or in between */
        t->role = guarded && base == t->g_base && write == t->g_write && f->region == t->g_region
                      ? ROLE_MEMBER : ROLE_NONE;
        return;
    }
    t->role = ROLE_NONE;
    t->g_end = 0;
    if (guarded)
        group_head(t, pc, f, base, write);
}

/* A guarded access outside a group: the head of one if a later access joins it. Out of line, so
 * that group_step's common case does not pay for this scan's registers. */
static __attribute__((noinline)) void group_head(rv *t, uint32_t pc, const mbpf_fact *f, int base,
                                                 int write)
{
    const jit_ctx *c = t->c;
    const mbpf_program *p = c->prog;
    const mbpf_insn *in = &p->insns[pc];
    int32_t lo = in->off, hi = in->off + (int32_t)mbpf_size_bytes(in->code);
    uint32_t end = 0;
    for (uint32_t q = pc + 1; q < p->n_insns; q++) {
        const mbpf_insn *qi = &p->insns[q];
        mbpf_fact qc;
        jit_checked_fact(c, q, &qc);
        const mbpf_fact *qf = &qc;
        if (!(qf->flags & MBPF_FACT_REACHABLE) ||
            (qf->flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD)))
            break;
        int qb, qw;
        if (guard_key(qi, qf, &qb, &qw) && qb == base && qw == write && qf->region == f->region) {
            const int32_t a = qi->off, b = qi->off + (int32_t)mbpf_size_bytes(qi->code);
            lo = a < lo ? a : lo;
            hi = b > hi ? b : hi;
            end = q;
        } else if (!group_transparent(qi, qf)) {
            break;
        }
        if (writes_reg(qi, base))
            break;
        if (qi->code == MBPF_OPC_LDDW)
            q++;
    }
    if (!end)
        return;
    t->role = ROLE_HEAD;
    t->g_end = end;
    t->g_base = base;
    t->g_write = write;
    t->g_region = f->region;
    t->g_lo = lo;
    t->g_hi = hi;
}

static void group_reset(rv *t)
{
    t->role = ROLE_NONE;
    t->g_end = 0;
}

/* ---- a back edge charged at its head ----------------------------------------------------------
 * A loop head may charge the budget for one budgeted conditional back edge into it (the first
 * within HEAD_CHARGE_REACH): that edge's taken path is then its branch and the charge (bnez,
 * addi) instead of an inverted branch over the charge and a jal. Every other edge into the head
 * lands past the charge, a fall-through into it jumps over it. The charge faults through the
 * edge's own cold stub: at the edge's pc, the budget as the edge found it. Not at heads that
 * charge on entry or start a function, nor inside versioned loops (their copies have their own
 * back edges). The measuring pass marks heads and edges in the core's branch-form bytes. */
#define HEAD_CHARGE_REACH 256
#define HEAD_CHARGE_BYTES 12 /* bnez t4, +8; jal cold; addi t4, t4, -1 */
#define FORM_SHORT 1         /* forms[pc]: a fast copy's instruction takes short branches */
#define FORM_EDGE 2          /* a back edge its head charges for */
#define FORM_HEAD 4          /* a head that charges for one of its back edges */

static int is_cond_jump(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    return (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_JA && op != MBPF_CALL &&
           op != MBPF_EXIT;
}

static void mark_head_charges(jit_ctx *c)
{
    const mbpf_program *p = c->prog;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (pc > 0 && p->insns[pc - 1].code == MBPF_OPC_LDDW)
            continue;
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE) || !is_cond_jump(in) ||
            !jit_needs_budget(&c->facts[pc]) || mid_loop_around(c->loops, pc))
            continue;
        const uint32_t head = jit_jump_target(pc, in);
        if (head > pc || pc - head >= HEAD_CHARGE_REACH || (c->forms[head] & FORM_HEAD) ||
            (c->facts[head].flags & (MBPF_FACT_LOOP_HEAD | MBPF_FACT_SUBPROG)) ||
            mid_loop_around(c->loops, head))
            continue;
        c->forms[head] |= FORM_HEAD;
        c->forms[pc] |= FORM_EDGE;
    }
}

/* Is the jump at pc to head the back edge the head charges for? */
static int head_charged_edge(const jit_ctx *c, uint32_t pc, uint32_t head)
{
    return (c->forms[pc] & FORM_EDGE) && (c->forms[head] & FORM_HEAD) &&
           jit_jump_target(pc, &c->prog->insns[pc]) == head;
}

/* The back edge the head at pc charges for. */
static uint32_t head_charge_edge(const jit_ctx *c, uint32_t head)
{
    for (uint32_t pc = head; pc < c->prog->n_insns; pc++)
        if (head_charged_edge(c, pc, head))
            return pc;
    return head; /* not reached: the head was marked with its edge */
}

/* Bytes before the charge at the head: a jump over it when the code before can fall in. */
static uint32_t head_charge_skip(const jit_ctx *c, uint32_t head)
{
    if (head == 0)
        return 4; /* the prologue */
    uint32_t prev = head - 1;
    if (head >= 2 && c->prog->insns[head - 2].code == MBPF_OPC_LDDW)
        prev = head - 2;
    const mbpf_insn *in = &c->prog->insns[prev];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int ends = (cls == MBPF_JMP || cls == MBPF_JMP32) && (op == MBPF_JA || op == MBPF_EXIT);
    return ends && (c->facts[prev].flags & MBPF_FACT_REACHABLE) ? 0 : 4;
}

static void head_charge(rv *t, uint32_t edge)
{
    const uint32_t skip = head_charge_skip(t->c, t->pc);
    if (skip)
        jump_to(t, t->c->pos + 4 + HEAD_CHARGE_BYTES);
    e32(t, rv_branch(RV_BNE, RV_BUDGET, RV_ZERO, 8));
    jump_to(t, t->c->cold[2 * edge]);
    e32(t, rv_opi(RV_ADD, RV_BUDGET, RV_BUDGET, -1));
}

/* Native target of a jump: a bounded back edge into a loop head skips the entry charge; a
 * versioned loop's back edge stays in its copy (past the entry charge and the test); a jump
 * inside the fast copy of a rotated loop lands on that copy's label; a jump from outside into
 * a rotated loop's entry lands on its test, laid out where its head is. */
static uint32_t jump_offset(rv *t, const mbpf_fact *f, uint32_t target)
{
    const jit_ctx *c = t->c;
    const ml_loop *l = mid_loop_around(c->loops, t->pc);
    if (l && target == l->head && target <= t->pc)
        return t->fast ? t->fast_start : c->loop_slow[l - c->loops->loop];
    if (t->fast && t->fast == l)
        for (uint32_t j = 0; j < l->n_targets; j++)
            if (l->target[j] == target)
                return c->loop_fast[l - c->loops->loop][j];
    const ml_loop *into = mid_loop_around(c->loops, target);
    if (into && into != l && (into->flags & ML_ROTATED) && target == into->entry)
        return jit_insn_offset(c, into->head);
    uint32_t to = jit_insn_offset(c, target);
    if ((f->flags & MBPF_FACT_BACKEDGE) && (f->flags & MBPF_FACT_BOUNDED) &&
        (c->facts[target].flags & MBPF_FACT_LOOP_HEAD))
        to += LOOP_CHARGE_BYTES;
    if (c->forms[target] & FORM_HEAD)
        to += head_charge_skip(c, target) + (head_charged_edge(c, t->pc, target) ? 0 : HEAD_CHARGE_BYTES);
    return to;
}

static uint32_t dist(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }

/* Second layout: may this instruction's branches take the short form? Offsets behind are this
 * layout's, offsets ahead the first layout's (upper bounds, as every size only shrinks). */
static int choose_short(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const uint32_t cur = t->c->pos;
    uint32_t need = 0;
    if (cold_kind(in, f) != COLD_NONE || in->code == MBPF_OPC_CALL)
        need = t->prev_end - cur; /* stubs follow the program */
    if ((cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT) {
        uint32_t d = dist(jump_offset(t, f, jit_jump_target(t->pc, in)), cur);
        if (d > need)
            need = d;
    }
    return need < SHORT_REACH;
}

static void access_value(rv *t, const mbpf_insn *in, const mbpf_fact *f, int plain);
static void mark_ret1(rv *t);

static int sum_site(const rv *t, uint32_t pc);
static void add_hi(rv *t, int dh, int ah, int sh, int sum, int sl);
static int access_base(const mbpf_insn *in);

/* The cold stub of a guarded access at pc: 28 or 32 bytes, after the forming of a sum's upper
 * half (sum_for_guard) */
static uint32_t guard_cold_bytes(const rv *t, uint32_t pc, const mbpf_insn *in)
{
    const int site = sum_site(t, pc);
    uint32_t pre = 0;
    if (site >= 0)
        pre = 4u * (1u + (t->sum_ah[site] != RV_ZERO) + (t->sum_sh[site] != RV_ZERO));
    return pre + (in->off < 0 ? 32u : 28u);
}

static void emit_cold_stubs(rv *t)
{
    jit_ctx *c = t->c;
    const mbpf_program *p = c->prog;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code);
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE) || (pc > 0 && p->insns[pc - 1].code == MBPF_OPC_LDDW))
            continue;
        if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LD)
            continue; /* no cold stub; its group step decides nothing a later access reads */
        mbpf_fact fc;
        jit_checked_fact(c, pc, &fc);
        const mbpf_fact *f = &fc;
        group_step(t, pc, f);
        const int kind = cold_kind(in, f);
        if (kind == COLD_NONE)
            continue;
        if (!c->final_pass)
            c->cold[2 * pc] = c->pos;
        if (kind == COLD_BUDGET || kind == COLD_CALL) {
            li_fixed(t, RV_T1, pc);
            jump_to(t, jit_stub_offset(c, STUB_BUDGET));
            if (kind == COLD_CALL) { /* +12: call depth exhausted */
                li_fixed(t, RV_T1, pc);
                jump_to(t, jit_stub_offset(c, STUB_DEPTH));
            }
            continue;
        }
        const uint32_t ret = c->cold[2 * pc + 1], ret1 = ret >> 7, ret2 = ret1 + ((ret >> 1) & 63u);
        const int w = is_write(in), base = w ? MBPF_DST(in) : MBPF_SRC(in);
        if (kind == COLD_GUARD) {
            /* the full check on the whole 64-bit address, then back to the access (fixed
             * length: the unaligned entry follows at +guard_cold_bytes) */
            const uint32_t size = mbpf_size_bytes(in->code);
            const int bh = ((c->mid->hz_in[pc] >> base) & 1u) ? RV_ZERO : HI[base];
            t->fixed = 1;
            const int site = sum_site(t, pc);
            if (site >= 0) /* the upper half of the sum before it */
                add_hi(t, HI[base], t->sum_ah[site], t->sum_sh[site], LO[base], t->sum_sl[site]);
            e(t, rv_opi(RV_ADD, RV_T3, LO[base], in->off)); /* the hot path formed no address */
            e(t, rv_op(RV_SLTU, RV_T0, RV_T3, LO[base])); /* carry out of the lower half */
            e(t, rv_op(RV_ADD, RV_T2, bh, RV_T0));
            if (in->off < 0)
                e(t, rv_opi(RV_ADD, RV_T2, RV_T2, -1));
            li_fixed(t, RV_T0, pc | size << 16);
            e32(t, rv_jal(RV_RA, rel(t, jit_stub_offset(c, w ? STUB_CHECK_WRITE : STUB_CHECK_READ))));
            jump_to(t, ret1);
            t->fixed = 0;
        }
        if (needs_align_test(in, f)) { /* the byte-wise access, then after the plain one */
            t->pc = pc;
            t->live = c->mid->live_out[pc];
            t->hz = c->mid->hz_in[pc];
            t->alias_d = t->alias_s = -1;
            access_value(t, in, f, 0);
            jump_to(t, ret2);
        }
    }
}

/* ---- budget ------------------------------------------------------------------------------------ */

/* One unit; none left: the fault at this pc. */
static void budget_charge(rv *t)
{
    bcond(t, RV_BEQ, RV_BUDGET, RV_ZERO, cold_at(t));
    e32(t, rv_opi(RV_ADD, RV_BUDGET, RV_BUDGET, -1));
}

static uint32_t budget_charge_bytes(const rv *t) { return bsize(t) + 4; }

/* Entering a bounded loop charges its trip bound (at most 256). Fixed length: its bounded back
 * edges jump past it. */
static void loop_charge(rv *t, const mbpf_fact *f)
{
    e32(t, rv_opi(RV_ADD, RV_T0, RV_ZERO, (int32_t)MBPF_FACT_TRIPS(f)));
    e32(t, rv_branch(RV_BGEU, RV_BUDGET, RV_T0, 16));
    li_fixed(t, RV_T1, t->pc);
    jump_to(t, jit_stub_offset(t->c, STUB_BUDGET));
    e32(t, rv_sub(RV_BUDGET, RV_BUDGET, RV_T0));
}

/* ---- ALU --------------------------------------------------------------------------------------- */

/* "mov d, s" followed by a two-operand operation on d of the same class becomes one
 * three-address operation d = s op x: the move emits nothing, the next instruction reads s for
 * d. Only when no jump lands on the second instruction. */
static int fuse_mov(rv *t, const mbpf_insn *in)
{
    const jit_ctx *c = t->c;
    const uint32_t next = t->pc + 1;
    if (!MBPF_SRCBIT(in->code) || in->off != 0 || MBPF_DST(in) == MBPF_SRC(in) ||
        next >= c->prog->n_insns)
        return 0;
    if (c->facts[next].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
        return 0;
    const mbpf_insn *n = &c->prog->insns[next];
    if (MBPF_CLASS(n->code) != MBPF_CLASS(in->code) || MBPF_DST(n) != MBPF_DST(in))
        return 0;
    const uint8_t op = MBPF_OP(n->code);
    const int x = MBPF_SRCBIT(n->code) != 0;
    if (MBPF_CLASS(in->code) == MBPF_ALU64 && !x && (op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR))
        return 0; /* these keep an upper half of d */
    switch (op) {
    case MBPF_ADD: case MBPF_SUB: case MBPF_AND: case MBPF_OR: case MBPF_XOR: case MBPF_MUL:
        break;
    case MBPF_LSH: case MBPF_RSH: case MBPF_ARSH: /* 64-bit: by a nonzero constant only */
        if (MBPF_CLASS(in->code) != MBPF_ALU && (x || !(n->imm & 63)))
            return 0;
        break;
    case MBPF_DIV: case MBPF_MOD:
        if (MBPF_CLASS(in->code) != MBPF_ALU)
            return 0;
        break;
    default:
        return 0;
    }
    t->next_alias_d = MBPF_DST(in);
    t->next_alias_s = MBPF_SRC(in);
    return 1;
}

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

/* Byte swaps and le16/le32/le64 truncations (END), both classes. */
static void byteswap(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in);
    const int swap = MBPF_CLASS(in->code) == MBPF_ALU64 || MBPF_SRCBIT(in->code) == MBPF_TO_BE;
    if (in->imm == 64) {
        if (!swap)
            return;
        const int a = hi_of(t, d), b = LO[d];
        if (live_hi(t, d)) {
            bswap32(t, RV_T3, b);
            if (live_lo(t, d))
                bswap32(t, b, a);
            mv(t, HI[d], RV_T3);
        } else if (live_lo(t, d)) {
            bswap32(t, b, a);
        }
        return;
    }
    if (live_lo(t, d)) {
        if (swap && in->imm == 16) {
            bswap16(t, LO[d], LO[d]);
        } else if (swap) {
            bswap32(t, LO[d], LO[d]);
        } else if (in->imm == 16) {
            e(t, rv_slli(LO[d], LO[d], 16));
            e(t, rv_srli(LO[d], LO[d], 16));
        }
    }
    hi_zero(t, d);
}

static void shift64_imm(rv *t, int op, int d, uint32_t k)
{
    const int ld = live_lo(t, d), hd = live_hi(t, d);
    const int al = lo_of(t, d), ah = hi_of(t, d), dl = LO[d], dh = HI[d];
    if (op == MBPF_LSH) {
        if (k < 32) {
            if (hd) {
                if (ah == RV_ZERO) {
                    e(t, rv_srli(dh, al, (int)(32 - k)));
                } else {
                    e(t, rv_slli(dh, ah, (int)k));
                    e(t, rv_srli(RV_T0, al, (int)(32 - k)));
                    e(t, rv_op(RV_OR, dh, dh, RV_T0));
                }
            }
            if (ld)
                e(t, rv_slli(dl, al, (int)k));
        } else {
            if (hd) {
                if (k == 32)
                    mv(t, dh, al);
                else
                    e(t, rv_slli(dh, al, (int)(k - 32)));
            }
            if (ld)
                mv(t, dl, RV_ZERO);
        }
        return;
    }
    const int arith = op == MBPF_ARSH;
    if (k < 32) {
        if (ld) {
            e(t, rv_srli(dl, al, (int)k));
            if (ah != RV_ZERO) {
                e(t, rv_slli(RV_T0, ah, (int)(32 - k)));
                e(t, rv_op(RV_OR, dl, dl, RV_T0));
            }
        }
        if (hd) {
            if (ah == RV_ZERO)
                mv(t, dh, RV_ZERO);
            else
                e(t, arith ? rv_srai(dh, ah, (int)k) : rv_srli(dh, ah, (int)k));
        }
    } else {
        if (ld) {
            if (k == 32)
                mv(t, dl, ah);
            else if (ah == RV_ZERO)
                mv(t, dl, RV_ZERO);
            else
                e(t, arith ? rv_srai(dl, ah, (int)(k - 32)) : rv_srli(dl, ah, (int)(k - 32)));
        }
        if (hd) {
            if (arith && ah != RV_ZERO)
                e(t, rv_srai(dh, ah, 31));
            else
                mv(t, dh, RV_ZERO);
        }
    }
}

/* 64-bit division/modulo and register shifts through the runtime: a0:a1 = d, then b. */
static void call_rt64(rv *t, uint32_t fn, int d, int sl, int sh, uint32_t op, int shift)
{
    mv(t, RV_T3, sl); /* the operand may be in t1:t2 */
    mv(t, RV_T0, sh);
    mv(t, RV_T1, LO[d]);
    mv(t, RV_T2, hi_of(t, d));
    save_args(t);
    mv(t, RV_A0, RV_T1);
    mv(t, RV_A1, RV_T2);
    mv(t, RV_A2, RV_T3);
    if (shift) {
        li(t, RV_A3, op);
    } else {
        mv(t, RV_A3, RV_T0);
        li(t, RV_A4, op);
    }
    call_block_fn(t, fn);
    mv(t, RV_T1, RV_A0);
    mv(t, RV_T2, RV_A1);
    restore_args(t);
    if (live_lo(t, d))
        mv(t, LO[d], RV_T1);
    if (live_hi(t, d))
        mv(t, HI[d], RV_T2);
}

/* Second operand: register halves, or the immediate in t1 (x0 when 0) and its sign in t2. */
static void operand(rv *t, const mbpf_insn *in, int need_hi, int *sl, int *sh)
{
    if (MBPF_SRCBIT(in->code)) {
        *sl = lo_of(t, MBPF_SRC(in));
        *sh = hi_of(t, MBPF_SRC(in));
        return;
    }
    *sl = RV_ZERO;
    if (in->imm)
        *sl = imm_reg(t, RV_T1, (uint32_t)in->imm);
    *sh = RV_ZERO;
    if (need_hi && in->imm < 0)
        *sh = imm_reg(t, RV_T2, 0xffffffffu);
}

static int pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* dh = ah + sh + (sum < sl), the carry out of sum = al + sl: an add fewer for each side known
 * zero. dh may be ah or sh, not sum or sl. */
static void add_hi(rv *t, int dh, int ah, int sh, int sum, int sl)
{
    if (ah == RV_ZERO && sh == RV_ZERO) {
        e(t, rv_op(RV_SLTU, dh, sum, sl));
        return;
    }
    e(t, rv_op(RV_SLTU, RV_T0, sum, sl));
    if (ah != RV_ZERO && sh != RV_ZERO) {
        e(t, rv_op(RV_ADD, dh, ah, sh));
        e(t, rv_op(RV_ADD, dh, dh, RV_T0));
    } else {
        e(t, rv_op(RV_ADD, dh, ah == RV_ZERO ? sh : ah, RV_T0));
    }
}

/* add d, s (64-bit) whose upper half nobody but the guard of the next instruction reads (an
 * access through d, the only way in, d's upper half dead after it): the sum's lower half alone;
 * the guard tests the carry and the operands' upper halves instead (a superset of the cases the
 * formed half fails in), and its cold stub forms the half before the full check. */
static int sum_for_guard(const rv *t, const mbpf_insn *in)
{
    const jit_ctx *c = t->c;
    const uint32_t q = t->pc + 1;
    const int d = MBPF_DST(in);
    if (!MBPF_SRCBIT(in->code) || d == MBPF_SRC(in) || q >= c->prog->n_insns ||
        t->n_sum == MAX_SUM_SITES || t->fast || t->pc < t->skip_to ||
        mid_loop_around(c->loops, t->pc) || mid_loop_around(c->loops, q) ||
        (c->facts[q].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD)))
        return 0;
    const mbpf_insn *n = &c->prog->insns[q];
    const uint8_t cls = MBPF_CLASS(n->code);
    mbpf_fact f;
    jit_checked_fact(c, q, &f);
    if (cold_kind(n, &f) != COLD_GUARD || access_base(n) != d || ((t->m->hz_in[q] >> d) & 1u) ||
        (cls == MBPF_STX && MBPF_SRC(n) == d))
        return 0;
    return (cls == MBPF_LDX && MBPF_DST(n) == d) || !(t->m->live_out[q] & MID_HI(d));
}

/* t0-t3 and ra: what a guard or a cold stub may overwrite. */
static int scratch_reg(int r)
{
    return r == RV_T0 || r == RV_T1 || r == RV_T2 || r == RV_T3 || r == RV_RA;
}

/* The sum site whose access is at pc, or -1. */
static int sum_site(const rv *t, uint32_t pc)
{
    for (int i = 0; i < t->n_sum; i++)
        if (t->sum_pc[i] == pc)
            return i;
    return -1;
}

static int lower_alu64(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code), x = MBPF_SRCBIT(in->code) != 0;
    const int ld = live_lo(t, d), hd = live_hi(t, d);
    const int dl = LO[d], dh = HI[d];
    int sl, sh;
    if (!ld && !hd)
        return 0;
    switch (op) {
    case MBPF_END:
        byteswap(t, in);
        return 0;
    case MBPF_MOV:
        if (x && in->off == 0) {
            const int s = MBPF_SRC(in);
            if (fuse_mov(t, in))
                return 0;
            if (ld)
                mv(t, dl, LO[s]);
            if (hd)
                mv(t, dh, hi_of(t, s));
        } else if (x) {
            const int s = LO[MBPF_SRC(in)];
            const int r = ld ? dl : RV_T0;
            if (in->off == 8 || in->off == 16) {
                e(t, rv_slli(r, s, 32 - in->off));
                e(t, rv_srai(r, r, 32 - in->off));
            } else {
                mv(t, r, s);
            }
            if (hd)
                e(t, rv_srai(dh, r, 31));
        } else {
            if (ld)
                li(t, dl, (uint32_t)in->imm);
            if (hd)
                li(t, dh, in->imm < 0 ? 0xffffffffu : 0);
        }
        return 0;
    case MBPF_NEG: {
        const int al = LO[d], ah = hi_of(t, d);
        if (hd) {
            e(t, rv_op(RV_SLTU, RV_T0, RV_ZERO, al));
            e(t, rv_sub(dh, RV_ZERO, ah));
            e(t, rv_sub(dh, dh, RV_T0));
        }
        e(t, rv_sub(dl, RV_ZERO, al));
        return 0;
    }
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        if (!x) {
            const uint32_t k = (uint32_t)in->imm & 63u;
            if (k)
                shift64_imm(t, op, d, k);
            return 0;
        }
        if (!hd && (op == MBPF_LSH || (op == MBPF_RSH && hz_r(t, d)))) {
            /* only the lower half is wanted: an amount of 32..63 gives 0 */
            sl = lo_of(t, MBPF_SRC(in));
            e(t, rv_opi(RV_AND, RV_T0, sl, 32));
            e(t, rv_op(op == MBPF_LSH ? RV_SLL : RV_SRL, dl, lo_of(t, d), sl));
            e32(t, rv_branch(RV_BEQ, RV_T0, RV_ZERO, 4 + (int32_t)isize(t, rv_opi(RV_ADD, dl, 0, 0))));
            mv(t, dl, RV_ZERO);
            return 0;
        }
        operand(t, in, 1, &sl, &sh);
        call_rt64(t, MBPF_JB_FN_SHIFT64, d, sl, sh, op == MBPF_LSH ? 0u : op == MBPF_RSH ? 1u : 2u, 1);
        return 0;
    default:
        break;
    }
    const int al = lo_of(t, d), ah = hi_of(t, d);
    if (!x && (op == MBPF_ADD || op == MBPF_SUB) && in->imm != INT32_MIN) {
        const int32_t v = op == MBPF_SUB ? -in->imm : in->imm;
        if (rv_fits12(v) && v != -2048) {
            if (!hd) {
                e(t, rv_opi(RV_ADD, dl, al, v));
            } else if (v >= 0) {
                e(t, rv_opi(RV_ADD, dl, al, v));
                e(t, rv_opi(RV_SLTU, ah == RV_ZERO ? dh : RV_T0, dl, v)); /* carry */
                if (ah != RV_ZERO)
                    e(t, rv_op(RV_ADD, dh, ah, RV_T0));
            } else {
                e(t, rv_opi(RV_SLTU, RV_T0, al, -v)); /* borrow */
                e(t, rv_opi(RV_ADD, dl, al, v));
                e(t, rv_sub(dh, ah, RV_T0));
            }
            return 0;
        }
    }
    if (!x && rv_fits12(in->imm) && (op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR)) {
        const int f3 = op == MBPF_AND ? RV_AND : op == MBPF_OR ? RV_OR : RV_XOR;
        if (ld)
            e(t, rv_opi(f3, dl, al, in->imm));
        if (hd) {
            if (op == MBPF_AND)
                mv(t, dh, in->imm < 0 ? ah : RV_ZERO);
            else if (op == MBPF_OR && in->imm < 0)
                li(t, dh, 0xffffffffu);
            else if (op == MBPF_XOR && in->imm < 0)
                e(t, rv_opi(RV_XOR, dh, ah, -1));
            else
                mv(t, dh, ah);
        }
        return 0;
    }
    if ((op == MBPF_DIV || op == MBPF_MOD) && mid_divmod_narrow(in, t->hz)) {
        /* both operands in [0, 2^32): the unsigned 32-bit operation */
        if (!x && in->imm == 0) {
            if (op == MBPF_DIV)
                mv(t, dl, RV_ZERO);
            else
                mv(t, dl, al);
        } else if (!x) {
            if (pow2((uint32_t)in->imm) && op == MBPF_DIV) {
                e(t, rv_srli(dl, al, __builtin_ctz((uint32_t)in->imm)));
            } else if (pow2((uint32_t)in->imm) && rv_fits12(in->imm - 1)) {
                e(t, rv_opi(RV_AND, dl, al, in->imm - 1));
            } else {
                e(t, rv_mop(op == MBPF_DIV ? RV_DIVU : RV_REMU, dl, al,
                            imm_reg(t, RV_T1, (uint32_t)in->imm)));
            }
        } else {
            sl = lo_of(t, MBPF_SRC(in));
            if (op == MBPF_MOD) {
                e(t, rv_mop(RV_REMU, dl, al, sl));
            } else {
                const int q = dl == sl ? RV_T0 : dl;
                e(t, rv_mop(RV_DIVU, q, al, sl));
                e32(t, rv_branch(RV_BNE, sl, RV_ZERO, 4 + (int32_t)isize(t, rv_opi(RV_ADD, q, 0, 0))));
                mv(t, q, RV_ZERO);
                mv(t, dl, q);
            }
        }
        hi_zero(t, d);
        return 0;
    }
    const int need_hi = hd || op == MBPF_DIV || op == MBPF_MOD;
    operand(t, in, need_hi, &sl, &sh);
    switch (op) {
    case MBPF_ADD:
        if (hd && sum_for_guard(t, in) && !scratch_reg(ah) && !scratch_reg(sh) && !scratch_reg(sl)) {
            t->sum_pc[t->n_sum] = t->pc + 1;
            t->sum_ah[t->n_sum] = (int8_t)ah;
            t->sum_sh[t->n_sum] = (int8_t)sh;
            t->sum_sl[t->n_sum++] = (int8_t)sl;
            e(t, rv_op(RV_ADD, dl, al, sl));
        } else if (!hd) {
            e(t, rv_op(RV_ADD, dl, al, sl));
        } else {
            const int sum = dl != sl ? dl : RV_T3;
            e(t, rv_op(RV_ADD, sum, al, sl));
            add_hi(t, dh, ah, sh, sum, sl);
            mv(t, dl, sum);
        }
        break;
    case MBPF_SUB:
        if (hd) {
            e(t, rv_op(RV_SLTU, RV_T0, al, sl)); /* borrow */
            if (sh != RV_ZERO) {
                e(t, rv_sub(dh, ah, sh));
                e(t, rv_sub(dh, dh, RV_T0));
            } else {
                e(t, rv_sub(dh, ah, RV_T0));
            }
        }
        e(t, rv_sub(dl, al, sl));
        break;
    case MBPF_AND:
    case MBPF_OR:
    case MBPF_XOR: {
        const int f3 = op == MBPF_AND ? RV_AND : op == MBPF_OR ? RV_OR : RV_XOR;
        if (ld)
            e(t, rv_op(f3, dl, al, sl));
        if (hd && (ah == RV_ZERO || sh == RV_ZERO)) /* one side zero: 0, or the other side */
            mv(t, dh, op == MBPF_AND ? RV_ZERO : ah == RV_ZERO ? sh : ah);
        else if (hd)
            e(t, rv_op(f3, dh, ah, sh));
        break;
    }
    case MBPF_MUL:
        if (hd) {
            /* dh = al * sh + ah * sl + high(al * sl), before dl is written (dh is none of al,
             * sl; it may be ah, read before the last step) */
            const int cross = (sh != RV_ZERO) + (ah != RV_ZERO);
            e(t, rv_mop(RV_MULHU, cross ? RV_T0 : dh, al, sl));
            if (sh != RV_ZERO) {
                e(t, rv_mop(RV_MUL, RV_T3, al, sh));
                e(t, rv_op(RV_ADD, cross == 1 ? dh : RV_T0, RV_T0, RV_T3));
            }
            if (ah != RV_ZERO) {
                e(t, rv_mop(RV_MUL, RV_T3, ah, sl));
                e(t, rv_op(RV_ADD, dh, RV_T0, RV_T3));
            }
        }
        e(t, rv_mop(RV_MUL, dl, al, sl));
        break;
    case MBPF_DIV:
    case MBPF_MOD:
        call_rt64(t, MBPF_JB_FN_DIV64, d, sl, sh, (op == MBPF_MOD ? 1u : 0u) | (in->off == 1 ? 2u : 0u), 0);
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 64-bit ALU operation");
    }
    return 0;
}

/* op32 d, ...; mov32 y, d with d dead after the mov: the operation writes y's home, and the
 * mov only clears y's upper half. Returns y's lower-half register, or -1. */
static int sink_mov(rv *t, const mbpf_insn *in)
{
    const jit_ctx *c = t->c;
    const uint32_t next = t->pc + 1;
    const int d = MBPF_DST(in);
    if (next >= c->prog->n_insns || t->alias_d >= 0 || t->pc < t->skip_to ||
        (c->facts[next].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD)) ||
        mid_loop_around(c->loops, t->pc) != mid_loop_around(c->loops, next) ||
        mid_loop_at_head(c->loops, next))
        return -1;
    const mbpf_insn *n = &c->prog->insns[next];
    const int y = MBPF_DST(n);
    if (n->code != (MBPF_ALU | MBPF_MOV | MBPF_X) || n->off != 0 || MBPF_SRC(n) != d || y == d ||
        y == MBPF_REG_FP || (t->m->live_out[next] & MID_BOTH(d)) || !(t->m->live_out[next] & MID_LO(y)))
        return -1;
    t->sunk = next;
    return LO[y];
}

static int lower_alu32(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    const int x = MBPF_SRCBIT(in->code) != 0;
    int dl = LO[d];
    if (!(t->live & MID_BOTH(d)))
        return 0;
    if (op == MBPF_END) {
        byteswap(t, in);
        return 0;
    }
    if (op == MBPF_MOV) {
        if (x && fuse_mov(t, in))
            return 0;
        if (live_lo(t, d)) {
            if (!x)
                li(t, dl, (uint32_t)in->imm);
            else if (in->off == 8 || in->off == 16) {
                e(t, rv_slli(dl, LO[MBPF_SRC(in)], 32 - in->off));
                e(t, rv_srai(dl, dl, 32 - in->off));
            } else {
                mv(t, dl, LO[MBPF_SRC(in)]);
            }
        }
        hi_zero(t, d);
        return 0;
    }
    const int al = lo_of(t, d);
    int sl = RV_T1, done = 1;
    const int y = op == MBPF_DIV ? -1 : sink_mov(t, in);
    if (y >= 0)
        dl = y;
    if (op == MBPF_NEG) {
        e(t, rv_sub(dl, RV_ZERO, al));
    } else if (!x) {
        const int32_t k = in->imm;
        const uint32_t u = (uint32_t)k;
        if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) {
            const int s = (int)(u & 31);
            if (!s)
                mv(t, dl, al);
            else
                e(t, op == MBPF_LSH ? rv_slli(dl, al, s) : op == MBPF_RSH ? rv_srli(dl, al, s) : rv_srai(dl, al, s));
        } else if (op == MBPF_ADD && rv_fits12(k)) {
            e(t, rv_opi(RV_ADD, dl, al, k));
        } else if (op == MBPF_SUB && k != INT32_MIN && rv_fits12(-k)) {
            e(t, rv_opi(RV_ADD, dl, al, -k));
        } else if ((op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR) && rv_fits12(k)) {
            e(t, rv_opi(op == MBPF_AND ? RV_AND : op == MBPF_OR ? RV_OR : RV_XOR, dl, al, k));
        } else if (op == MBPF_MUL && pow2(u)) {
            e(t, rv_slli(dl, al, __builtin_ctz(u)));
        } else if ((op == MBPF_DIV || op == MBPF_MOD) && u == 0) {
            mv(t, dl, op == MBPF_DIV ? RV_ZERO : al); /* x / 0 = 0, x % 0 = x */
        } else if (op == MBPF_DIV && in->off == 0 && pow2(u)) {
            e(t, rv_srli(dl, al, __builtin_ctz(u)));
        } else if (op == MBPF_MOD && in->off == 0 && pow2(u) && u <= 2048) { /* u - 1 fits andi */
            e(t, rv_opi(RV_AND, dl, al, (int32_t)(u - 1)));
        } else if (op == MBPF_DIV || op == MBPF_MOD) { /* a constant divisor is not 0 */
            e(t, rv_mop(op == MBPF_DIV ? (in->off == 1 ? RV_DIV : RV_DIVU) : (in->off == 1 ? RV_REM : RV_REMU),
                        dl, al, imm_reg(t, RV_T1, u)));
        } else {
            sl = imm_reg(t, RV_T1, u);
            done = 0;
        }
    } else {
        sl = lo_of(t, MBPF_SRC(in));
        done = 0;
    }
    if (!done) {
        switch (op) {
        case MBPF_ADD: e(t, rv_op(RV_ADD, dl, al, sl)); break;
        case MBPF_SUB: e(t, rv_sub(dl, al, sl)); break;
        case MBPF_AND: e(t, rv_op(RV_AND, dl, al, sl)); break;
        case MBPF_OR: e(t, rv_op(RV_OR, dl, al, sl)); break;
        case MBPF_XOR: e(t, rv_op(RV_XOR, dl, al, sl)); break;
        case MBPF_MUL: e(t, rv_mop(RV_MUL, dl, al, sl)); break;
        case MBPF_LSH: e(t, rv_op(RV_SLL, dl, al, sl)); break; /* the core masks the amount to 5 bits */
        case MBPF_RSH: e(t, rv_op(RV_SRL, dl, al, sl)); break;
        case MBPF_ARSH: e(t, rv_sra(dl, al, sl)); break;
        case MBPF_DIV: { /* RISC-V gives all ones for a zero divisor; eBPF wants 0 */
            const int q = dl == sl ? RV_T0 : dl;
            e(t, rv_mop(in->off == 1 ? RV_DIV : RV_DIVU, q, al, sl));
            e32(t, rv_branch(RV_BNE, sl, RV_ZERO, 4 + (int32_t)isize(t, rv_opi(RV_ADD, q, 0, 0))));
            mv(t, q, RV_ZERO);
            mv(t, dl, q);
            break;
        }
        case MBPF_MOD: /* a zero divisor leaves the dividend, MIN % -1 is 0: as eBPF */
            e(t, rv_mop(in->off == 1 ? RV_REM : RV_REMU, dl, al, sl));
            break;
        default:
            return jit_fail(t->c, t->pc, "unsupported 32-bit ALU operation");
        }
    }
    if (y < 0)
        hi_zero(t, d); /* else d is dead after the mov, which clears y's upper half */
    return 0;
}

/* ---- jumps ------------------------------------------------------------------------------------- */

/* A compare is a list of branches: to the target, or (skip) over the rest of the list. */
typedef struct br {
    uint8_t f3, a, b, skip;
} br;

static int add_br(br *l, int n, int f3, int a, int b, int skip)
{
    l[n].f3 = (uint8_t)f3;
    l[n].a = (uint8_t)a;
    l[n].b = (uint8_t)b;
    l[n].skip = (uint8_t)skip;
    return n + 1;
}

static int cmp32(br *l, int op, int a, int b, int unsign)
{
    switch (op) {
    case MBPF_JEQ: return add_br(l, 0, RV_BEQ, a, b, 0);
    case MBPF_JNE: return add_br(l, 0, RV_BNE, a, b, 0);
    case MBPF_JGT: return add_br(l, 0, RV_BLTU, b, a, 0);
    case MBPF_JGE: return add_br(l, 0, RV_BGEU, a, b, 0);
    case MBPF_JLT: return add_br(l, 0, RV_BLTU, a, b, 0);
    case MBPF_JLE: return add_br(l, 0, RV_BGEU, b, a, 0);
    case MBPF_JSGT: return add_br(l, 0, unsign ? RV_BLTU : RV_BLT, b, a, 0);
    case MBPF_JSGE: return add_br(l, 0, unsign ? RV_BGEU : RV_BGE, a, b, 0);
    case MBPF_JSLT: return add_br(l, 0, unsign ? RV_BLTU : RV_BLT, a, b, 0);
    default: return add_br(l, 0, unsign ? RV_BGEU : RV_BGE, b, a, 0); /* JSLE */
    }
}

/* The upper halves of a 64-bit ordered compare (a, b: the side that must be below, the other):
 * taken when a < b, over the lower halves' test when they differ. Unsigned with a zero on one
 * side, one branch does: "a < 0" never holds, "0 < b" is b != 0 and leaves them equal. Returns
 * the number of branches. */
static int upper_branches(br *l, int sign, int a, int b)
{
    if (!sign && b == RV_ZERO)
        return add_br(l, 0, RV_BNE, a, RV_ZERO, 1);
    if (!sign && a == RV_ZERO)
        return add_br(l, 0, RV_BNE, b, RV_ZERO, 0);
    add_br(l, 0, sign ? RV_BLT : RV_BLTU, a, b, 0);
    return add_br(l, 1, RV_BNE, a, b, 1);
}

/* Emit what the compare needs before its branches; fill the branch list. */
static int compare(rv *t, const mbpf_insn *in, br *l)
{
    const int op = MBPF_OP(in->code), d = MBPF_DST(in), x = MBPF_SRCBIT(in->code) != 0;
    const int narrow = MBPF_CLASS(in->code) == MBPF_JMP && mid_jump_narrow(in, t->hz);
    const int is32 = MBPF_CLASS(in->code) == MBPF_JMP32 || narrow;
    const int dl = LO[d];
    int sl, sh;
    if (op == MBPF_JSET) {
        if (!x && rv_fits12(in->imm) && (is32 || in->imm >= 0)) {
            e(t, rv_opi(RV_AND, RV_T0, dl, in->imm));
        } else {
            operand(t, in, !is32, &sl, &sh);
            e(t, rv_op(RV_AND, RV_T0, dl, sl));
            const int dh = hi_of(t, d);
            if (!is32 && dh != RV_ZERO && sh != RV_ZERO) {
                e(t, rv_op(RV_AND, RV_T3, dh, sh));
                e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T3));
            }
        }
        return add_br(l, 0, RV_BNE, RV_T0, RV_ZERO, 0);
    }
    operand(t, in, !is32, &sl, &sh);
    if (is32)
        return cmp32(l, op, dl, sl, narrow);
    const int dh = hi_of(t, d);
    const int s = op == MBPF_JSGT || op == MBPF_JSGE || op == MBPF_JSLT || op == MBPF_JSLE;
    int n;
    switch (op) {
    case MBPF_JEQ:
        add_br(l, 0, RV_BNE, dh, sh, 1);
        return add_br(l, 1, RV_BEQ, dl, sl, 0);
    case MBPF_JNE:
        add_br(l, 0, RV_BNE, dh, sh, 0);
        return add_br(l, 1, RV_BNE, dl, sl, 0);
    case MBPF_JGT: case MBPF_JSGT:
    case MBPF_JGE: case MBPF_JSGE:
        n = upper_branches(l, s, sh, dh);
        return add_br(l, n, op == MBPF_JGT || op == MBPF_JSGT ? RV_BLTU : RV_BGEU,
                      op == MBPF_JGT || op == MBPF_JSGT ? sl : dl, op == MBPF_JGT || op == MBPF_JSGT ? dl : sl, 0);
    default: /* JLT, JSLT, JLE, JSLE */
        n = upper_branches(l, s, dh, sh);
        return add_br(l, n, op == MBPF_JLT || op == MBPF_JSLT ? RV_BLTU : RV_BGEU,
                      op == MBPF_JLT || op == MBPF_JSLT ? dl : sl, op == MBPF_JLT || op == MBPF_JSLT ? sl : dl, 0);
    }
}

static void emit_branches(rv *t, const br *l, int n, uint32_t to)
{
    for (int i = 0; i < n; i++) {
        if (l[i].skip) {
            uint32_t rest = 4;
            for (int j = i + 1; j < n; j++)
                rest += l[j].skip ? 4 : bsize(t);
            e32(t, rv_branch(l[i].f3, l[i].a, l[i].b, (int32_t)rest));
        } else {
            bcond(t, l[i].f3, l[i].a, l[i].b, to);
        }
    }
}

/* Does this jump charge a budget unit? Not the back edge of a fast copy whose test charged
 * them all. */
static int charges_budget(const rv *t, const mbpf_fact *f)
{
    if (!jit_needs_budget(f))
        return 0;
    if (t->fast)
        return !((t->fast->flags & ML_PRECHARGE) && mid_loop_back_edge(t->fast, t->c->prog, t->pc));
    return !(t->c->forms[t->pc] & FORM_EDGE);
}

static int lower_jump(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const int budgeted = charges_budget(t, f);
    const uint32_t target = jit_jump_target(t->pc, in);
    const uint32_t to = jump_offset(t, f, target);
    if (MBPF_OP(in->code) == MBPF_JA) {
        if (budgeted && (t->c->forms[target] & FORM_HEAD)) {
            /* into the head's charge for another edge, at its addi: the taken branch and the
             * addi instead of a branch, the addi and a jal; its own cold stub when exhausted */
            const uint32_t addi = jit_insn_offset(t->c, target) + head_charge_skip(t->c, target) + 8;
            bcond(t, RV_BNE, RV_BUDGET, RV_ZERO, addi);
            jump_to(t, cold_at(t));
            return 0;
        }
        if (budgeted)
            budget_charge(t);
        jump_to(t, to);
        return 0;
    }
    br l[3];
    const int n = compare(t, in, l);
    if (!budgeted) {
        emit_branches(t, l, n, to);
        return 0;
    }
    if (n == 1) { /* not taken: over the charge and the jump */
        e32(t, rv_branch(l[0].f3 ^ 1, l[0].a, l[0].b, (int32_t)(4 + budget_charge_bytes(t) + 4)));
    } else {      /* taken: to the charge after the jump over it */
        uint32_t len = 0;
        for (int i = 0; i < n; i++)
            len += l[i].skip ? 4 : bsize(t);
        const uint32_t charge = t->c->pos + len + 4;
        emit_branches(t, l, n, charge);
        jump_to(t, charge + budget_charge_bytes(t) + 4);
    }
    budget_charge(t);
    jump_to(t, to);
    return 0;
}

/* ---- memory ------------------------------------------------------------------------------------ */

/* The register holding block word off: its own register when the program keeps it in one,
 * else scratch, loaded. */
static int bound(rv *t, int scratch, uint32_t off)
{
    if (off / 4 < BOUND_SLOTS && t->bound_reg[off / 4])
        return t->bound_reg[off / 4];
    lw_block(t, scratch, off);
    return scratch;
}

/* The register holding max(block word off - k, 0) for the whole run (pick_run_regs), or 0. */
static int shifted_bound(const rv *t, uint32_t off, uint32_t k)
{
    for (int i = 0; i < t->n_shifted; i++)
        if (t->sh_slot[i] == off / 4 && t->sh_k[i] == k)
            return t->sh_reg[i];
    return 0;
}

/* Inline guard against the region the verifier attributed the access to (the access then
 * uses its base and offset as they are); anything unusual (an upper half, a wrap, outside the
 * region) goes to the cold stub, which forms the address, runs the full check and comes back
 * to the access. */
static void inline_guard(rv *t, const mbpf_fact *f, int base, int32_t off, uint32_t size, int write)
{
    uint32_t start, end;
    jit_region_bounds(f->region, write, &start, &end);
    const uint32_t cold = cold_at(t);
    const int bl = LO[base], bh = hi_of(t, base);
    const int head = t->role == ROLE_HEAD;
    const int32_t lo = head ? t->g_lo : off, hi = head ? t->g_hi : off + (int32_t)size;
    int first = bl; /* the lowest address checked */
    /* at offsets >= 0 the last byte is checked (below the end), which for a byte at the base
     * is the base itself: no sum and no wrap to test; else the end of the bytes (not above it).
     * A bound kept less the offset for the run compares with the base itself: base < end - k
     * (k = the last byte's offset) also rules out a wrap */
    const int by_last = lo >= 0;
    const int s_sh = by_last && lo > 0 ? shifted_bound(t, start, (uint32_t)lo) : 0;
    const int e_sh = by_last && hi > 1 && end ? shifted_bound(t, end, (uint32_t)hi - 1u) : 0;
    int last = RV_T2;
    if (!by_last || (hi > 1 && !e_sh))
        e(t, rv_opi(RV_ADD, RV_T2, bl, by_last ? hi - 1 : hi));
    else
        last = bl;
    if (lo != 0 && !s_sh) {
        e(t, rv_opi(RV_ADD, RV_T1, bl, lo));
        first = RV_T1;
    }
    const int site = sum_site(t, t->pc);
    if (site >= 0) { /* the sum's upper half is not formed: no carry, both operands' zero */
        bcond(t, RV_BLTU, bl, t->sum_sl[site], cold);
        if (t->sum_ah[site] != RV_ZERO)
            bcond(t, RV_BNE, t->sum_ah[site], RV_ZERO, cold);
        if (t->sum_sh[site] != RV_ZERO)
            bcond(t, RV_BNE, t->sum_sh[site], RV_ZERO, cold);
    } else if (bh != RV_ZERO) {
        bcond(t, RV_BNE, bh, RV_ZERO, cold);
    }
    if (by_last) {
        if (last != bl)
            bcond(t, RV_BLTU, last, bl, cold); /* an address wrapped */
    } else {
        bcond(t, RV_BLTU, bl, first, cold); /* below 0 */
        if (hi > 0)
            bcond(t, RV_BLTU, RV_T2, first, cold);
    }
    bcond(t, RV_BLTU, first, s_sh ? s_sh : bound(t, RV_T0, start), cold);
    int e_reg = RV_S0; /* the live stack ends at the current frame's top */
    if (end)
        e_reg = e_sh ? e_sh : bound(t, RV_T1, end);
    if (by_last)
        bcond(t, RV_BGEU, last, e_reg, cold);
    else
        bcond(t, RV_BLTU, e_reg, RV_T2, cold);
    if (head)
        mv(t, RV_RA, RV_ZERO); /* the whole group is in bounds */
    mark_ret1(t);
}

/* Address of base + off: the register and displacement the access uses. Accesses the inline
 * guard checks use the base; those the shared check checks go through t3. Proven accesses keep
 * their address computation in this one place. */
static int address(rv *t, const mbpf_insn *in, const mbpf_fact *f, int base, uint32_t size, int write,
                   int32_t *disp)
{
    const int16_t off = in->off;
    const int bl = LO[base];
    *disp = 0;
    if (f->mem == MBPF_MEM_PROVEN) {
        if (rv_fits12(off) && rv_fits12(off + 7)) {
            *disp = off;
            return bl;
        }
        li(t, RV_T0, (uint32_t)(int32_t)off);
        e(t, rv_op(RV_ADD, RV_T3, bl, RV_T0));
        return RV_T3;
    }
    if (t->role == ROLE_MEMBER) { /* the head checked this access's bytes when ra = 0 */
        bcond(t, RV_BNE, RV_RA, RV_ZERO, cold_at(t));
        mark_ret1(t);
        *disp = off;
        return bl;
    }
    if (cold_kind(in, f) == COLD_GUARD) {
        inline_guard(t, f, base, off, size, write);
        *disp = off;
        return bl;
    }
    if (rv_fits12(off)) {
        e(t, rv_opi(RV_ADD, RV_T3, bl, off));
    } else {
        li(t, RV_T0, (uint32_t)(int32_t)off);
        e(t, rv_op(RV_ADD, RV_T3, bl, RV_T0));
    }
    e(t, rv_op(RV_SLTU, RV_T0, RV_T3, bl)); /* carry out of the lower half */
    e(t, rv_op(RV_ADD, RV_T2, hi_of(t, base), RV_T0));
    if (off < 0)
        e(t, rv_opi(RV_ADD, RV_T2, RV_T2, -1));
    li(t, RV_T0, t->pc | size << 16);
    e32(t, rv_jal(RV_RA, rel(t, jit_stub_offset(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ))));
    return RV_T3;
}

/* rd = the little-endian value of `bytes` bytes at off(b), the top byte signed when sx. Uses
 * t1; rd differs from b and t1. */
static void load_bytes(rv *t, int rd, int b, int32_t off, uint32_t bytes, int sx)
{
    e(t, rv_load(bytes == 1 && sx ? RV_LB : RV_LBU, rd, b, off));
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
        if (v != RV_ZERO)
            e(t, rv_srli(RV_T0, v, (int)(8 * i)));
        e(t, rv_store(RV_SB, v != RV_ZERO ? RV_T0 : RV_ZERO, b, off + (int32_t)i));
    }
}

/* The register and displacement of an access (as address() formed them). */
static int addr_reg(const rv *t, const mbpf_insn *in, const mbpf_fact *f, int base, int32_t *disp)
{
    *disp = 0;
    if (t->role == ROLE_MEMBER || cold_kind(in, f) == COLD_GUARD ||
        (f->mem == MBPF_MEM_PROVEN && rv_fits12(in->off) && rv_fits12(in->off + 7))) {
        *disp = in->off;
        return LO[base];
    }
    return RV_T3;
}

static int access_base(const mbpf_insn *in)
{
    return MBPF_CLASS(in->code) == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
}

/* A store's value halves: a register pair, or the immediate in t1 (sign in t2). */
static void store_value(rv *t, const mbpf_insn *in, int emit, int *vl, int *vh)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    if (MBPF_CLASS(in->code) != MBPF_ST) {
        *vl = LO[MBPF_SRC(in)];
        *vh = size == 8 ? hi_of(t, MBPF_SRC(in)) : RV_ZERO;
        return;
    }
    *vl = in->imm ? RV_T1 : RV_ZERO;
    *vh = size == 8 && in->imm < 0 ? (in->imm == -1 ? RV_T1 : RV_T2) : RV_ZERO;
    if (emit && in->imm)
        li(t, RV_T1, (uint32_t)in->imm);
    if (emit && *vh == RV_T2)
        li(t, RV_T2, 0xffffffffu);
}

/* The access itself: plain instructions, or byte by byte (correct at any address). For a load
 * of fewer than 8 bytes the value goes to the lower half of d (t0 when only its sign is
 * wanted); the caller sets the upper half. */
static void access_value(rv *t, const mbpf_insn *in, const mbpf_fact *f, int plain)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    int32_t off;
    const int b = addr_reg(t, in, f, access_base(in), &off);
    if (MBPF_CLASS(in->code) != MBPF_LDX) {
        int vl, vh;
        store_value(t, in, 0, &vl, &vh);
        if (!plain) {
            store_bytes(t, vl, b, off, size == 8 ? 4 : size);
            if (size == 8)
                store_bytes(t, vh, b, off + 4, 4);
            return;
        }
        e(t, rv_store(size == 1 ? RV_SB : size == 2 ? RV_SH : RV_SW, vl, b, off));
        if (size == 8)
            e(t, rv_store(RV_SW, vh, b, off + 4));
        return;
    }
    const int d = MBPF_DST(in), sx = MBPF_MODE(in->code) == MBPF_MEMSX;
    const int ld = live_lo(t, d), hd = live_hi(t, d);
    const int dl = LO[d], dh = HI[d];
    if (size == 8) { /* the upper half first: the base may be the lower half of d */
        if (plain) {
            if (hd)
                e(t, rv_load(RV_LW, dh, b, off + 4));
            if (ld)
                e(t, rv_load(RV_LW, dl, b, off));
        } else {
            if (hd)
                load_bytes(t, dh, b, off + 4, 4, 0);
            if (ld) {
                const int r = b == dl ? RV_T0 : dl;
                load_bytes(t, r, b, off, 4, 0);
                mv(t, dl, r);
            }
        }
        return;
    }
    if (!ld && !sx)
        return;
    const int r = ld ? dl : RV_T0;
    if (plain) {
        const int f3 = size == 1 ? (sx ? RV_LB : RV_LBU) : size == 2 ? (sx ? RV_LH : RV_LHU) : RV_LW;
        e(t, rv_load(f3, r, b, off));
    } else {
        const int tmp = r == b ? RV_T0 : r;
        load_bytes(t, tmp, b, off, size, sx);
        mv(t, r, tmp);
    }
}

/* Where a failed guard comes back to (ret1), and where the byte-wise form comes back to after
 * the plain access (ret2): cold[2 pc + 1] = ret1 << 7 | (ret2 - ret1) << 1 | short. */
static void mark_ret1(rv *t)
{
    if (!t->c->final_pass)
        t->c->cold[2 * t->pc + 1] = t->c->pos << 7 | (uint32_t)t->shortb;
}

static void mark_ret2(rv *t)
{
    if (!t->c->final_pass)
        t->c->cold[2 * t->pc + 1] |= ((t->c->pos - (t->c->cold[2 * t->pc + 1] >> 7)) & 63u) << 1;
}

/* Bytes the access itself takes in this form (measured by a silent emission). */
static uint32_t access_bytes(rv *t, const mbpf_insn *in, const mbpf_fact *f, int plain)
{
    jit_ctx *c = t->c;
    const uint32_t pos = c->pos;
    const int final_pass = c->final_pass;
    c->final_pass = 0; /* nothing written */
    access_value(t, in, f, plain);
    const uint32_t n = c->pos - pos;
    c->pos = pos;
    c->final_pass = final_pass;
    return n;
}

/* The alignment test in a loop's fast copy, which has no cold stubs of its own: the byte-wise
 * form inline, skipped by the branch an aligned address takes, so the aligned path runs as
 * many instructions as with a cold stub. */
static void access_both_forms(rv *t, const mbpf_insn *in, const mbpf_fact *f, int b, int32_t off,
                              uint32_t size)
{
    if (off & (int32_t)(size - 1)) {
        e(t, rv_opi(RV_ADD, RV_T0, b, off));
        e(t, rv_opi(RV_AND, RV_T0, RV_T0, (int32_t)size - 1));
    } else {
        e(t, rv_opi(RV_AND, RV_T0, b, (int32_t)size - 1));
    }
    const uint32_t bytewise = access_bytes(t, in, f, 0), plain = access_bytes(t, in, f, 1);
    e32(t, rv_branch(RV_BEQ, RV_T0, RV_ZERO, (int32_t)(4 + bytewise + 4)));
    access_value(t, in, f, 0);
    e32(t, rv_jal(RV_ZERO, (int32_t)(4 + plain)));
    access_value(t, in, f, 1);
}

/* Load or store: guard, value, then (not proven aligned) a run-time test of the address with
 * the byte-wise form out of line. */
static int lower_access(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    const int load = MBPF_CLASS(in->code) == MBPF_LDX;
    int32_t off;
    const int b = address(t, in, f, access_base(in), size, !load, &off);
    const int kind = cold_kind(in, f);
    if (!load) {
        int vl, vh;
        store_value(t, in, 1, &vl, &vh);
    } else if (!(t->live & MID_BOTH(MBPF_DST(in)))) {
        return 0; /* the guard ran; nobody reads the value */
    }
    if (needs_align_test(in, f) && t->fast) {
        access_both_forms(t, in, f, b, off, size);
    } else if (needs_align_test(in, f)) {
        if (kind == COLD_ALIGN)
            mark_ret1(t);
        const uint32_t entry = cold_at(t) + (kind == COLD_GUARD ? guard_cold_bytes(t, t->pc, in) : 0);
        if (off & (int32_t)(size - 1)) {
            e(t, rv_opi(RV_ADD, RV_T0, b, off));
            e(t, rv_opi(RV_AND, RV_T0, RV_T0, (int32_t)size - 1));
        } else {
            e(t, rv_opi(RV_AND, RV_T0, b, (int32_t)size - 1));
        }
        bcond(t, RV_BNE, RV_T0, RV_ZERO, entry);
        access_value(t, in, f, 1);
        mark_ret2(t);
    } else {
        access_value(t, in, f, 1);
    }
    if (load && size < 8) {
        const int d = MBPF_DST(in), r = live_lo(t, d) ? LO[d] : RV_T0;
        if (live_hi(t, d)) {
            if (MBPF_MODE(in->code) == MBPF_MEMSX)
                e(t, rv_srai(HI[d], r, 31));
            else
                mv(t, HI[d], RV_ZERO);
        }
    }
    return 0;
}

/* Atomics go through the runtime: fn_atomic(block, addr, value), the operation in atomic_op. */
static int lower_atomic(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    const int s = MBPF_SRC(in);
    int32_t off;
    const int b = address(t, in, f, MBPF_DST(in), size, 1, &off);
    if (b != RV_T3 || off)
        e(t, rv_opi(RV_ADD, RV_T3, b, off));
    if (in->imm == MBPF_CMPXCHG) {
        sw_block(t, LO[0], MBPF_JB_R0_LO);
        sw_block(t, hi_of(t, 0), MBPF_JB_R0_HI);
    }
    mv(t, RV_T1, LO[s]);
    mv(t, RV_T2, hi_of(t, s));
    save_args(t);
    li(t, RV_T0, (uint32_t)in->imm | size << 16);
    sw_block(t, RV_T0, MBPF_JB_ATOMIC_OP);
    mv(t, RV_A0, RV_S1);
    mv(t, RV_A1, RV_T3);
    mv(t, RV_A2, RV_T1);
    mv(t, RV_A3, RV_T2);
    call_block_fn(t, MBPF_JB_FN_ATOMIC);
    mv(t, RV_T1, RV_A0);
    mv(t, RV_T2, RV_A1);
    restore_args(t);
    const int r = in->imm == MBPF_CMPXCHG ? 0 : s;
    if (in->imm == MBPF_CMPXCHG || (in->imm & MBPF_FETCH)) {
        if (live_lo(t, r))
            mv(t, LO[r], RV_T1);
        if (live_hi(t, r))
            mv(t, HI[r], RV_T2);
    }
    return 0;
}

/* ---- calls ------------------------------------------------------------------------------------- */

static int lower_helper_call(rv *t, const mbpf_insn *in)
{
    uint32_t pcw = t->pc;
    for (int r = 1; r <= 5; r++) { /* the slots of r1..r5 are the argument array */
        sw_block(t, LO[r], MBPF_JB_REG_LO(r));
        sw_block(t, hi_of(t, r), MBPF_JB_REG_HI(r));
    }
    if (MBPF_SRCBIT(in->code)) { /* callx: the trampoline reads all 64 bits of the id's slot */
        const int d = MBPF_DST(in);
        if (d < 1 || d > 5) {
            sw_block(t, LO[d], MBPF_JB_REG_LO(d));
            sw_block(t, hi_of(t, d), MBPF_JB_REG_HI(d));
        }
        mv(t, RV_A1, LO[d]);
        pcw |= MBPF_JIT_CALLX | MBPF_JIT_CALLX_REG(d);
    } else {
        li(t, RV_A1, (uint32_t)in->imm);
    }
    sw_block(t, RV_BUDGET, MBPF_JB_BUDGET);
    sw_block(t, RV_S0, MBPF_JB_STACK_CUR);
    mv(t, RV_A0, RV_S1);
    e(t, rv_opi(RV_ADD, RV_A2, RV_S1, MBPF_JB_REG_LO(1)));
    li(t, RV_A3, pcw);
    call_block_fn(t, MBPF_JB_FN_HELPER);
    if (live_lo(t, 0))
        mv(t, LO[0], RV_A0);
    if (live_hi(t, 0))
        mv(t, HI[0], RV_A1);
    lw_block(t, RV_BUDGET, MBPF_JB_BUDGET);
    lw_block(t, RV_T0, MBPF_JB_STATUS);
    bcond(t, RV_BNE, RV_T0, RV_ZERO, jit_stub_offset(t->c, STUB_HELPER_END));
    return 0;
}

static int lower_local_call(rv *t, uint32_t target)
{
    budget_charge(t);
    lw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    bcond(t, RV_BEQ, RV_T0, RV_ZERO, cold_at(t) + 12);
    e(t, rv_opi(RV_ADD, RV_T0, RV_T0, -1));
    sw_block(t, RV_T0, MBPF_JB_DEPTH_LEFT);
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -CALL_FRAME));
    for (int r = 6; r <= 9; r++) { /* the halves of r6..r9 read after the call */
        if (live_lo(t, r))
            e(t, rv_store(RV_SW, LO[r], RV_SP, 8 * (r - 6)));
        if (live_hi(t, r))
            e(t, rv_store(RV_SW, HI[r], RV_SP, 8 * (r - 6) + 4));
    }
    e(t, rv_store(RV_SW, RV_S0, RV_SP, 32));
    e(t, rv_opi(RV_ADD, RV_S0, RV_S0, MBPF_STACK_SIZE));
    e32(t, rv_jal(RV_RA, rel(t, jit_insn_offset(t->c, target) - ENTRY_BYTES)));
    for (int r = 6; r <= 9; r++) {
        if (live_lo(t, r))
            e(t, rv_load(RV_LW, LO[r], RV_SP, 8 * (r - 6)));
        if (live_hi(t, r))
            e(t, rv_load(RV_LW, HI[r], RV_SP, 8 * (r - 6) + 4));
    }
    e(t, rv_load(RV_LW, RV_S0, RV_SP, 32));
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, CALL_FRAME));
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
    sw_block(t, hi_of(t, 0), MBPF_JB_R0_HI);
    mv(t, RV_A0, RV_ZERO);
    jump_to(t, jit_stub_offset(t->c, STUB_EXIT));
    return 0;
}

static int lower_lddw(rv *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in);
    const mbpf_insn *next = in + 1;
    if (MBPF_SRC(in) == MBPF_LDDW_REGION) {
        if (live_lo(t, d)) {
            lw_block(t, LO[d], in->imm == MBPF_REGION_ID_RODATA ? MBPF_JB_RODATA : MBPF_JB_DATA);
            if (rv_fits12(next->imm)) {
                if (next->imm)
                    e(t, rv_opi(RV_ADD, LO[d], LO[d], next->imm));
            } else {
                li(t, RV_T0, (uint32_t)next->imm);
                e(t, rv_op(RV_ADD, LO[d], LO[d], RV_T0));
            }
        }
        hi_zero(t, d);
        return 0;
    }
    if (live_lo(t, d))
        li(t, LO[d], (uint32_t)in->imm);
    if (live_hi(t, d))
        li(t, HI[d], (uint32_t)next->imm);
    return 0;
}

static int lower_insn(rv *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU64: return lower_alu64(t, in);
    case MBPF_ALU: return lower_alu32(t, in);
    case MBPF_LDX:
    case MBPF_ST: return lower_access(t, in, f);
    case MBPF_STX:
        return MBPF_MODE(in->code) == MBPF_ATOMIC ? lower_atomic(t, in, f) : lower_access(t, in, f);
    case MBPF_LD: return lower_lddw(t, in);
    default:
        if (op == MBPF_EXIT)
            return lower_exit(t);
        if (op == MBPF_CALL) {
            if (!MBPF_SRCBIT(in->code) && MBPF_SRC(in) == MBPF_CALL_LOCAL)
                return lower_local_call(t, (uint32_t)((int64_t)t->pc + 1 + in->imm));
            return lower_helper_call(t, in);
        }
        return lower_jump(t, in, f);
    }
}

/* ---- stubs ------------------------------------------------------------------------------------- */

/* Region checks: [t3, t3 + size) inside stack (live part), ctx, data or, for reads, rodata;
 * else the runtime's slow check (helper-granted regions); else a fault. t3 is kept. */
static void emit_check_stub(rv *t, int write)
{
    const uint32_t ok = write ? STUB_CHECK_WRITE_OK : STUB_CHECK_READ_OK;
    const uint32_t fail = write ? STUB_CHECK_WRITE_FAIL : STUB_CHECK_READ_FAIL;
    jit_mark_stub(t->c, write ? STUB_CHECK_WRITE : STUB_CHECK_READ);
    t->fixed = 1;
    t->shortb = 0;
    bcond(t, RV_BNE, RV_T2, RV_ZERO, jit_stub_offset(t->c, fail)); /* upper half must be zero */
    e(t, rv_srli(RV_T1, RV_T0, 16));
    e(t, rv_op(RV_ADD, RV_T1, RV_T3, RV_T1)); /* end */
    bcond(t, RV_BLTU, RV_T1, RV_T3, jit_stub_offset(t->c, fail)); /* wrapped */
    static const uint8_t regions[4] = {MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_DATA, MBPF_RGN_RODATA};
    for (int i = 0; i < 4; i++) {
        uint32_t start, end;
        if (!jit_region_bounds(regions[i], write, &start, &end))
            continue;
        const uint32_t next = t->c->pos + 20; /* five 4-byte instructions per region */
        lw_block(t, RV_T2, start);
        e(t, rv_branch(RV_BLTU, RV_T3, RV_T2, rel(t, next)));
        if (end)
            lw_block(t, RV_T2, end);
        else
            mv(t, RV_T2, RV_S0);
        e(t, rv_branch(RV_BLTU, RV_T2, RV_T1, rel(t, next)));
        jump_to(t, jit_stub_offset(t->c, ok));
    }
    t->fixed = 0;
    /* slow path: fn_check(block, addr, size, write) for helper-granted regions; it checks the
     * stack too, against the current frame's top (after a local call, not the frame of the
     * last helper call) */
    sw_block(t, RV_S0, MBPF_JB_STACK_CUR);
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -16));
    e(t, rv_store(RV_SW, RV_RA, RV_SP, 0));
    e(t, rv_store(RV_SW, RV_T0, RV_SP, 4));
    e(t, rv_store(RV_SW, RV_T3, RV_SP, 8));
    save_args(t);
    mv(t, RV_A0, RV_S1);
    mv(t, RV_A1, RV_T3);
    e(t, rv_srli(RV_A2, RV_T0, 16));
    li(t, RV_A3, (uint32_t)write);
    call_block_fn(t, MBPF_JB_FN_CHECK);
    mv(t, RV_T1, RV_A0);
    restore_args(t);
    e(t, rv_load(RV_LW, RV_RA, RV_SP, 0));
    e(t, rv_load(RV_LW, RV_T0, RV_SP, 4));
    e(t, rv_load(RV_LW, RV_T3, RV_SP, 8));
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, 16));
    bcond(t, RV_BEQ, RV_T1, RV_ZERO, jit_stub_offset(t->c, fail));
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

/* The budget counter = the budget word (mbpf_jit_budget_word) of the 64-bit budget at the
 * block's budget_at: its low word, all ones when unlimited (0) or 2^32 or more. Clobbers t0, t1
 * (before the arguments are moved: a1-a3 are kept). */
static void budget_word(rv *t)
{
    lw_block(t, RV_BUDGET, MBPF_JB_BUDGET_AT);
    e(t, rv_load(RV_LW, RV_T0, RV_BUDGET, 4));
    e(t, rv_load(RV_LW, RV_BUDGET, RV_BUDGET, 0));
    e(t, rv_opi(RV_SLTU, RV_T1, RV_BUDGET, 1)); /* seqz: unlimited */
    e(t, rv_op(RV_SLTU, RV_T0, RV_ZERO, RV_T0)); /* snez: 2^32 or more */
    e(t, rv_op(RV_OR, RV_T0, RV_T0, RV_T1));
    e(t, rv_sub(RV_T0, RV_ZERO, RV_T0));
    e(t, rv_op(RV_OR, RV_BUDGET, RV_BUDGET, RV_T0));
}

static void emit_stubs(rv *t)
{
    jit_mark_stub(t->c, STUB_EXIT);
    sw_block(t, RV_A0, MBPF_JB_STATUS);
    if (t->spends_budget)
        sw_block(t, RV_BUDGET, MBPF_JB_BUDGET);
    lw_block(t, RV_SP, MBPF_JB_SAVED_SP);
    for (int i = 0; i < 13; i++)
        if ((t->saves >> i) & 1u)
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

    if (t->c->context & JIT_CONTEXT_ENDS) {
        emit_check_stub(t, 0);
        emit_check_stub(t, 1);
    }
}

/* A local-call target saves ra in a 16-byte frame; callers jump ENTRY_BYTES before it. */
static void rv_function_entry(void *b)
{
    rv *t = b;
    t->in_subprog = 1;
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -16));
    e(t, rv_store(RV_SW, RV_RA, RV_SP, 0));
}

/* x %= k (mid_umod): one remainder instead of a division, a multiply and a subtraction. */
static void lower_umod(rv *t, const mid_umod *u)
{
    const int x = u->x;
    if (live_lo(t, x)) {
        if (pow2(u->k) && rv_fits12((int32_t)(u->k - 1))) {
            e(t, rv_opi(RV_AND, LO[x], LO[x], (int32_t)(u->k - 1)));
        } else {
            e(t, rv_mop(RV_REMU, LO[x], LO[x], imm_reg(t, RV_T1, u->k)));
        }
    }
    hi_zero(t, x);
}

/* One instruction at pc, or the idiom window starting there (its later instructions are then
 * skipped), in whichever copy of a versioned loop is being emitted. */
/* The fact an instruction of the fast copy being emitted is lowered with: its checked one, its
 * access proven when the loop's test covers it. */
static void fast_fact(const rv *t, uint32_t pc, mbpf_fact *f)
{
    const ml_loop *l = t->fast;
    jit_checked_fact(t->c, pc, f); /* as jit_emit_body gives every other instruction */
    if (mid_loop_hoisted(l, f)) {
        f->mem = MBPF_MEM_PROVEN;
        if (mid_loop_aligned(l)) /* the test checked the groups' alignment */
            f->flags |= MBPF_FACT_ALIGNED;
    }
}

/* The fast copy's state at pc (after rv_at): liveness and width as the test leaves them, no
 * guard group, the branch form of the copy. */
static int fast_prepare(rv *t, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    jit_ctx *c = t->c;
    const ml_loop *l = t->fast;
    t->live &= ~l->dead;
    t->hz |= l->hz_fast;
    if (mid_loop_narrow_update(l, in, t->hz))
        t->live &= ~MID_HI(MBPF_DST(in)); /* the test checked it does not carry */
    group_reset(t);
    const int kind = cold_kind(in, f);
    if (kind == COLD_GUARD || kind == COLD_CALL)
        return jit_fail(c, pc, "internal error: a guard or a call in a loop's fast copy");
    if (t->relax == 1)
        c->forms[pc] = (uint8_t)((c->forms[pc] & ~FORM_SHORT) |
                                 (t->all_short || choose_short(t, in, f) ? FORM_SHORT : 0));
    t->shortb = t->relax && (c->forms[pc] & FORM_SHORT);
    return 0;
}

/* The fact pc is lowered with, in whichever copy is being emitted. */
static void copy_fact(const rv *t, uint32_t pc, mbpf_fact *f)
{
    if (t->fast)
        fast_fact(t, pc, f);
    else
        jit_checked_fact(t->c, pc, f);
}

/* ---- fused multi-byte reads -------------------------------------------------------------------- */

/* A little-endian read clang writes byte by byte from one base: byte loads, shifts left by whole
 * bytes and ors of disjoint byte lanes, in two registers, with no other instruction between and
 * no jump into it. It ends at an or that completes 2, 4 or 8 consecutive bytes in dst, the
 * other register dead after it (the longest such window is taken). All its loads are proven, or
 * all are guarded members (or the head) of one guard group. */
typedef struct rv_read {
    uint32_t first, last;
    int base, dst, guarded;
    int16_t off;   /* the value is the `width` bytes at base + off */
    uint32_t width;
} rv_read;

#define READ_WINDOW 24

static int match_read(rv *t, uint32_t first, rv_read *r)
{
    const jit_ctx *c = t->c;
    const mbpf_program *p = c->prog;
    int reg[2] = {-1, -1};
    uint8_t lanes[2] = {0, 0};
    int32_t lane_off[2][8];
    int base = -1, kind = -1;
    r->last = 0;
    if (t->alias_d >= 0)
        return 0;
    for (uint32_t pc = first; pc < p->n_insns && pc < first + READ_WINDOW; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        mbpf_fact f;
        copy_fact(t, pc, &f);
        if (pc > first && ((f.flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD)) ||
                           mid_loop_at_head(c->loops, pc) ||
                           mid_loop_around(c->loops, pc) != mid_loop_around(c->loops, first)))
            break;
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        const int d = MBPF_DST(in);
        int i = reg[0] == d ? 0 : reg[1] == d ? 1 : -1;
        if (in->code == (MBPF_LDX | MBPF_MEM | MBPF_B)) {
            const int k = f.mem == MBPF_MEM_PROVEN ? 0 : cold_kind(in, &f) == COLD_GUARD ? 1 : -1;
            if (k < 0 || (kind >= 0 && k != kind) || (base >= 0 && MBPF_SRC(in) != base))
                break;
            if (k && (pc == first ? t->role == ROLE_NONE : t->g_end < pc || f.region != t->g_region))
                break; /* not one group's (whose head checked every byte of it) */
            kind = k;
            base = MBPF_SRC(in);
            if (i < 0)
                i = reg[0] < 0 ? 0 : reg[1] < 0 ? 1 : -1;
            if (i < 0 || d == base)
                break;
            reg[i] = d;
            lanes[i] = 1;
            lane_off[i][0] = in->off;
            continue;
        }
        if (i < 0 || !lanes[i] || (cls != MBPF_ALU && cls != MBPF_ALU64))
            break;
        const unsigned top = cls == MBPF_ALU ? 4 : 8;
        if (op == MBPF_LSH && !MBPF_SRCBIT(in->code)) {
            const uint32_t k = (uint32_t)in->imm;
            if (!k || k % 8 || k / 8 >= top || (lanes[i] << (k / 8)) >> top)
                break;
            for (int l = 7; l >= (int)(k / 8); l--)
                lane_off[i][l] = lane_off[i][l - k / 8];
            lanes[i] = (uint8_t)(lanes[i] << (k / 8));
            continue;
        }
        if (op != MBPF_OR || !MBPF_SRCBIT(in->code))
            break;
        const int s = MBPF_SRC(in), j = reg[0] == s ? 0 : reg[1] == s ? 1 : -1;
        if (j < 0 || j == i || !lanes[j] || (lanes[i] & lanes[j]) || ((lanes[i] | lanes[j]) >> top))
            break;
        for (int l = 0; l < 8; l++)
            if ((lanes[j] >> l) & 1u)
                lane_off[i][l] = lane_off[j][l];
        lanes[i] |= lanes[j];
        const uint32_t w = lanes[i] == 0x03 ? 2 : lanes[i] == 0x0f ? 4 : lanes[i] == 0xff ? 8 : 0;
        int ok = w != 0 && !(t->m->live_out[pc] & MID_BOTH(s)) && (t->m->live_out[pc] & MID_LO(d));
        for (uint32_t l = 1; ok && l < w; l++)
            ok = lane_off[i][l] == lane_off[i][0] + (int32_t)l;
        if (ok && rv_fits12(lane_off[i][0]) && rv_fits12(lane_off[i][0] + 7)) {
            r->first = first;
            r->last = pc;
            r->base = base;
            r->dst = d;
            r->guarded = kind;
            r->off = (int16_t)lane_off[i][0];
            r->width = w;
        }
    }
    return r->last != 0;
}

static int lower_insn(rv *t, const mbpf_insn *in, const mbpf_fact *f);
static void rv_at(rv *t, uint32_t pc);

/* When base + off is a multiple of the width and, for guarded loads, the group's check passed
 * at the first load (that check laid out first: ra = 0), one lhu, lw or two lw and a jump behind
 * the window; else the window's instructions as they are (their own checks keep faults exact). slow and done are the
 * offsets of that byte-wise part and of its end (from a first emission: every instruction before
 * them has a fixed size). */
static int emit_read(rv *t, const rv_read *r, const mbpf_fact *f0, uint32_t slow, uint32_t done,
                     uint32_t *slow_at, uint32_t *done_at)
{
    jit_ctx *c = t->c;
    const mbpf_insn *p = c->prog->insns;
    mbpf_fact f;
    const mbpf_insn *lead = &p[r->first];
    int32_t disp;
    if (r->guarded) /* its check (its cold stub comes back behind it, with ra nonzero) */
        (void)address(t, lead, f0, r->base, 1, 0, &disp);
    int rc;
    const int bl = LO[r->base], dl = LO[r->dst], dh = HI[r->dst];
    const uint32_t live = t->m->live_out[r->last];
    if (r->guarded)
        e32(t, rv_branch(RV_BNE, RV_RA, RV_ZERO, rel(t, slow)));
    const int32_t mis = r->off & (int32_t)(r->width - 1);
    if (mis) {
        e32(t, rv_opi(RV_ADD, RV_T0, bl, mis));
        e32(t, rv_opi(RV_AND, RV_T0, RV_T0, (int32_t)r->width - 1));
    } else {
        e32(t, rv_opi(RV_AND, RV_T0, bl, (int32_t)r->width - 1));
    }
    e32(t, rv_branch(RV_BNE, RV_T0, RV_ZERO, rel(t, slow)));
    e32(t, rv_load(r->width == 2 ? RV_LHU : RV_LW, dl, bl, r->off));
    if (live & MID_HI(r->dst)) {
        if (r->width == 8)
            e32(t, rv_load(RV_LW, dh, bl, r->off + 4));
        else
            e32(t, rv_opi(RV_ADD, dh, RV_ZERO, 0));
    }
    e32(t, rv_jal(RV_ZERO, rel(t, done)));
    *slow_at = c->pos;
    t->skip_to = r->last + 1; /* no window of their own inside (sink_mov) */
    if (r->guarded) { /* the rest of lower_access for a byte load */
        const int d = MBPF_DST(lead);
        if (t->live & MID_BOTH(d)) {
            access_value(t, lead, f0, 1);
            hi_zero(t, d);
        }
    } else {
        rc = lower_insn(t, lead, f0);
        if (rc)
            return rc;
    }
    for (uint32_t pc = r->first + 1; pc <= r->last; pc++) {
        rv_at(t, pc);
        if (t->fast) { /* as emit_fast_loop lowers it */
            fast_fact(t, pc, &f);
            rc = fast_prepare(t, pc, &p[pc], &f);
            if (rc)
                return rc;
        } else if (jit_checked_fact(c, pc, &f), group_step(t, pc, &f), t->relax == 0) {
            t->shortb = 0;
        } else if (t->relax == 1) {
            t->shortb = t->all_short || choose_short(t, &p[pc], &f);
            c->cold[2 * pc + 1] = (uint32_t)t->shortb;
        } else {
            t->shortb = (int)(c->cold[2 * pc + 1] & 1u);
        }
        rc = lower_insn(t, &p[pc], &f);
        if (rc)
            return rc;
    }
    *done_at = c->pos;
    return 0;
}

/* A fused read starting at pc, laid out twice: the first time for the offsets of its parts. */
static int lower_read(rv *t, const rv_read *r, const mbpf_fact *f0)
{
    rv before;
    jit_copy_words(&before, t, sizeof before);
    const uint32_t start = t->c->pos;
    uint32_t slow, done;
    int rc = emit_read(t, r, f0, start, start, &slow, &done);
    if (rc)
        return rc;
    jit_copy_words(t, &before, sizeof *t);
    t->c->pos = start;
    uint32_t s2, d2;
    rc = emit_read(t, r, f0, slow, done, &s2, &d2);
    if (!rc && (s2 != slow || d2 != done))
        return jit_fail(t->c, r->first, "internal error: a fused read's layout changed");
    return rc;
}

static int lower_at(rv *t, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    mid_umod u;
    if (t->sunk && t->sunk == pc) { /* the instruction before wrote its result (sink_mov) */
        t->sunk = 0;
        hi_zero(t, MBPF_DST(in));
        return 0;
    }
    rv_read rd;
    if (in->code == (MBPF_LDX | MBPF_MEM | MBPF_B) && match_read(t, pc, &rd))
        return lower_read(t, &rd, f);
    if (t->alias_d < 0 && mid_match_umod(t->c->prog, t->c->facts, t->m, pc, &u)) {
        t->live = t->m->live_out[pc + u.len - 1] & (t->fast ? ~t->fast->dead : ~0u);
        lower_umod(t, &u);
        t->skip_to = pc + u.len;
        return 0;
    }
    return lower_insn(t, in, f);
}

/* The state of the lowering at pc (a fused move's alias passes on to the next instruction). */
static void rv_at(rv *t, uint32_t pc)
{
    t->pc = pc;
    t->alias_d = t->next_alias_d;
    t->alias_s = t->next_alias_s;
    t->next_alias_d = t->next_alias_s = -1;
    t->live = t->m->live_out[pc];
    t->hz = t->m->hz_in[pc];
}

/* ---- loop versioning (jit/mid/mid_loops.h, rv_loops.c) ------------------------------------------
 * At the head of a versioned loop: the test, the fast copy (its grouped accesses lowered as
 * proven ones, its back edges uncharged when the test charged the budget), a jump past the loop,
 * then the original loop as usual. A rotated loop's test is reached by the jumps into its entry
 * (nothing falls into its head), runs with the values the loop is entered with and, when it
 * passes, jumps to the fast copy's entry, else to the original's. Register homes are fixed, so
 * both copies agree at every instruction. The fast copy has no cold stubs of its own: it shares
 * the original's budget stubs (which do not return) and keeps its alignment tests inline (none
 * when the test checked the groups' alignment, mid_loop_aligned); its jumps inside the loop
 * land on its own labels (jit_ctx.loop_fast), recorded by the measuring pass. Its branch forms
 * are chosen as the original's are, kept in the core's branch-form bytes (the cold words hold
 * the original's). */

/* Does the lowering of in materialise its immediate (imm_reg) rather than encode it? */
static int imm_materialised(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if (MBPF_SRCBIT(in->code) || in->imm == 0)
        return 0;
    if (cls == MBPF_JMP || cls == MBPF_JMP32)
        return is_cond_jump(in) && !(op == MBPF_JSET && rv_fits12(in->imm));
    if (cls != MBPF_ALU && cls != MBPF_ALU64)
        return 0;
    if (op == MBPF_MUL || op == MBPF_DIV || op == MBPF_MOD)
        return !pow2((uint32_t)in->imm);
    if (op == MBPF_ADD || op == MBPF_SUB) /* neither k nor -k fits an addi */
        return in->imm > 2048 || in->imm < -2048;
    return (op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR) && !rv_fits12(in->imm);
}

/* The halves instructions [from, to) read, write or keep live after them. */
static uint32_t halves_used_in(const rv *t, uint32_t from, uint32_t to)
{
    const jit_ctx *c = t->c;
    uint32_t touched = 0;
    for (uint32_t pc = from; pc < to; pc++) {
        uint32_t use, def;
        mid_use_def(&c->prog->insns[pc], &c->facts[pc], t->m->live_out[pc], t->m->hz_in[pc], &use,
                    &def);
        touched |= use | (def & t->m->live_out[pc]) | t->m->live_out[pc];
        if (c->prog->insns[pc].code == MBPF_OPC_LDDW)
            pc++;
    }
    return touched;
}

/* The fast copy of l keeps up to MAX_FAST_CONSTS of the immediates its instructions
 * materialise in registers of its own: homes of halves it never touches (not live anywhere in
 * the loop, read or written by none of its instructions), callee-saved ones, so that no call
 * sequence uses them. The test loads them once it has passed. */
static void fast_consts(rv *t, const ml_loop *l)
{
    const jit_ctx *c = t->c;
    uint32_t touched = mid_live_in(c->prog, c->facts, t->m, l->head) |
                       mid_live_in(c->prog, c->facts, t->m, l->entry);
    touched |= halves_used_in(t, l->head, l->latch + 1);
    touched |= t->bound_halves; /* region bounds and constants for the whole run */
    static const int8_t regs[] = {0, 6, 7, 8, 9}; /* homes in s2-s11 */
    int8_t free_reg[2 * sizeof regs];
    int n_free = 0;
    for (unsigned i = 0; i < sizeof regs; i++) {
        if (!(touched & MID_LO(regs[i])))
            free_reg[n_free++] = LO[regs[i]];
        if (!(touched & MID_HI(regs[i])))
            free_reg[n_free++] = HI[regs[i]];
    }
    t->n_consts = 0;
    for (uint32_t pc = l->head; pc <= l->latch && t->n_consts < n_free &&
                                t->n_consts < MAX_FAST_CONSTS; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        if (in->code == MBPF_OPC_LDDW) {
            pc++;
            continue;
        }
        if (!imm_materialised(in))
            continue;
        const uint32_t v = (uint32_t)in->imm;
        int seen = 0;
        for (int i = 0; i < t->n_consts; i++)
            seen |= t->const_val[i] == v;
        if (seen)
            continue;
        t->const_val[t->n_consts] = v;
        t->const_reg[t->n_consts] = free_reg[t->n_consts];
        t->n_consts++;
    }
    for (int i = 0; i < t->n_consts; i++)
        li(t, t->const_reg[i], t->const_val[i]);
}

/* The test, its loaded constants, the fast copy; the original follows (rv_insn). */
static int emit_fast_loop(rv *t, const ml_loop *l)
{
    jit_ctx *c = t->c;
    const uint32_t i = (uint32_t)(l - c->loops->loop);
    const int rotated = (l->flags & ML_ROTATED) != 0;
    const rv_loop_regs rg = {LO, HI, RV_BUDGET, t->m->hz_in[l->entry]};
    rv_loop_test(c, l, &rg, rotated ? jit_insn_offset(c, l->entry) : c->loop_slow[i]);
    rv before;
    jit_copy_words(&before, t, sizeof before);
    fast_consts(t, l);
    if (rotated)
        jump_to(t, c->loop_fast[i][0]); /* the fast copy's entry */
    t->fast = l;
    t->fast_start = c->pos;
    t->next_alias_d = t->next_alias_s = -1;
    for (uint32_t pc = l->head; pc <= l->latch; pc++) {
        for (uint32_t j = 0; j < l->n_targets && !c->final_pass; j++)
            if (l->target[j] == pc)
                c->loop_fast[i][j] = c->pos;
        const mbpf_insn *in = &c->prog->insns[pc];
        mbpf_fact f;
        fast_fact(t, pc, &f);
        rv_at(t, pc);
        if (pc < t->skip_to)
            continue; /* inside a window lowered at its first instruction */
        int rc = fast_prepare(t, pc, in, &f);
        if (rc)
            return rc;
        rc = lower_at(t, pc, in, &f);
        if (rc)
            return rc;
        if (in->code == MBPF_OPC_LDDW)
            pc++;
    }
    jump_to(t, jit_insn_offset(c, l->latch + 1));
    jit_copy_words(t, &before, sizeof *t);
    if (!c->final_pass)
        c->loop_slow[i] = c->pos;
    return 0;
}

static int rv_insn(void *b, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    rv *t = b;
    jit_ctx *c = t->c;
    rv_at(t, pc);
    group_step(t, pc, f);
    if (pc < t->skip_to)
        return 0; /* inside a window lowered at its first instruction */
    if (f->flags & MBPF_FACT_LOOP_HEAD)
        loop_charge(t, f);
    if (c->forms[pc] & FORM_HEAD)
        head_charge(t, head_charge_edge(c, pc));
    const ml_loop *l = mid_loop_at_head(c->loops, pc);
    if (l) {
        const int rc = emit_fast_loop(t, l);
        if (rc)
            return rc;
    }
    if (t->relax == 0) {
        t->shortb = 0;
    } else if (t->relax == 1) {
        t->shortb = t->all_short || choose_short(t, in, f);
        c->cold[2 * pc + 1] = (uint32_t)t->shortb;
    } else {
        t->shortb = (int)(c->cold[2 * pc + 1] & 1u);
    }
    return lower_at(t, pc, in, f);
}

/* Halves the program reads, writes or keeps live anywhere (and those a loop test zeroes):
 * the homes of the others are free for the whole run. */
static uint32_t halves_touched(const rv *t)
{
    const jit_ctx *c = t->c;
    uint32_t touched = c->prog->n_insns ? mid_live_in(c->prog, c->facts, t->m, 0) : 0;
    touched |= halves_used_in(t, 0, c->prog->n_insns);
    for (uint32_t i = 0; c->loops && i < c->loops->n; i++)
        touched |= (uint32_t)c->loops->loop[i].hz_fast << 16;
    return touched;
}

/* The callee-saved registers the code may write, as bits of saved[]: ra, s0 and s1 always; a
 * home in s2-s11 when its half is touched, or may hold a constant or bound for the run or a
 * loop's fast copy (pick_run_regs, fast_consts). */
static uint32_t saves_of(const rv *t, uint32_t touched)
{
    const jit_ctx *c = t->c;
    if (c->loops && c->loops->n)
        return 0x1fffu;
    static const int8_t regs[] = {0, 6, 7, 8, 9}; /* homes in s2-s11, in saved[] order */
    uint32_t m = 7u;
    for (unsigned i = 0; i < sizeof regs; i++) {
        if (touched & MID_LO(regs[i]))
            m |= 1u << (3 + 2 * i);
        if (touched & MID_HI(regs[i]))
            m |= 1u << (4 + 2 * i);
    }
    return m;
}

/* Cost in instructions of li v. */
static uint32_t li_cost(uint32_t v)
{
    const uint32_t hi = (v + 0x800u) >> 12;
    return rv_fits12((int32_t)v) ? 1u : 1u + (v - (hi << 12) != 0);
}

/* Region bounds the inline guards compare with, and immediates that instructions in loops
 * materialise, kept for the whole run in the homes of halves the program never touches
 * (loaded once at entry) instead of being loaded or formed at every use: the ones that save
 * most first, uses weighted by loop depth (one use outside loops does not pay for the load).
 * The block's bounds do not change during a run. Loops the middle end versions are left out:
 * their fast copies run without guards and keep their own constants. */
static void pick_run_regs(rv *t)
{
    const jit_ctx *c = t->c;
    /* bound words, then immediates, then bounds less an amount */
    uint32_t weight[BOUND_SLOTS + MAX_RUN_CONSTS * 4 + SHIFT_CANDS] = {0};
    uint32_t imm[MAX_RUN_CONSTS * 4];
    uint8_t cand_slot[SHIFT_CANDS];
    uint16_t cand_k[SHIFT_CANDS];
    unsigned n_imm = 0, n_cand = 0;
    uint32_t *const cand_weight = weight + BOUND_SLOTS + MAX_RUN_CONSTS * 4;
    for (int i = 0; i < BOUND_SLOTS; i++)
        t->bound_reg[i] = 0;
    t->bound_halves = 0;
    t->n_run = 0;
    t->n_shifted = 0;
    group_reset(t);
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        mbpf_fact f;
        jit_checked_fact(c, pc, &f);
        group_step(t, pc, &f); /* a group's members compare with no bound */
        if (in->code == MBPF_OPC_LDDW) {
            pc++;
            continue;
        }
        if (mid_loop_around(c->loops, pc))
            continue;
        const uint32_t w = 1u << (3 * (t->m->depth[pc] < 3 ? t->m->depth[pc] : 3));
        if (cold_kind(in, &f) == COLD_GUARD) {
            if (t->role == ROLE_MEMBER)
                continue;
            uint32_t start, end;
            jit_region_bounds(f.region, is_write(in), &start, &end);
            weight[start / 4] += w;
            if (end)
                weight[end / 4] += w;
            /* as inline_guard: the start less the lowest offset saves its sum, the end less
             * the last byte's offset the sum and the wrap test */
            const int head = t->role == ROLE_HEAD;
            const int32_t lo = head ? t->g_lo : in->off,
                          hi = head ? t->g_hi : in->off + (int32_t)mbpf_size_bytes(in->code);
            for (int side = 0; side < 2 && lo >= 0; side++) {
                const uint32_t slot = (side ? end : start) / 4,
                               k = side ? (uint32_t)hi - 1u : (uint32_t)lo;
                if (k == 0 || k > 2047 || (side && !end) || slot >= BOUND_SLOTS)
                    continue;
                unsigned j = 0;
                while (j < n_cand && (cand_slot[j] != slot || cand_k[j] != k))
                    j++;
                if (j == n_cand) {
                    if (n_cand == SHIFT_CANDS)
                        continue;
                    cand_slot[n_cand] = (uint8_t)slot;
                    cand_k[n_cand++] = (uint16_t)k;
                }
                cand_weight[j] += side ? 2 * w : w;
            }
        } else if (t->m->depth[pc] && imm_materialised(in) && (MBPF_CLASS(in->code) == MBPF_JMP || MBPF_CLASS(in->code) == MBPF_JMP32 ||
                    (t->m->live_out[pc] & MID_BOTH(MBPF_DST(in))))) {
            const uint32_t v = (uint32_t)in->imm;
            unsigned k = 0;
            while (k < n_imm && imm[k] != v)
                k++;
            if (k == n_imm) {
                if (n_imm == MAX_RUN_CONSTS * 4)
                    continue;
                imm[n_imm++] = v;
            }
            weight[BOUND_SLOTS + k] += w * li_cost(v);
        }
    }
    group_reset(t);
    const uint32_t touched = halves_touched(t);
    t->saves = saves_of(t, touched);
    /* r1-r5 first (touched by any call: a program that calls helpers has none of them free;
     * the runtime's routines save and restore them); s2-s11 only without versioned loops, whose
     * fast copies keep constants there */
    static const int8_t regs[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    const unsigned n = c->loops && c->loops->n ? 10 : 2 * sizeof regs;
    const int first_cand = BOUND_SLOTS + MAX_RUN_CONSTS * 4;
    for (unsigned i = 0; i < n; i++) {
        const uint32_t half = i & 1u ? MID_HI(regs[i / 2]) : MID_LO(regs[i / 2]);
        if (touched & half)
            continue;
        int best = -1;
        uint32_t best_net = 0;
        for (int k = 0; k < first_cand + (int)n_cand; k++) {
            if (k >= BOUND_SLOTS + (int)n_imm && k < first_cand)
                continue;
            const uint32_t cost = k < BOUND_SLOTS ? 1u : k < first_cand ? li_cost(imm[k - BOUND_SLOTS])
                                                                         : 5u;
            if ((k >= first_cand ? t->n_shifted == MAX_SHIFTED
                                 : k >= BOUND_SLOTS && t->n_run == MAX_RUN_CONSTS) ||
                weight[k] <= cost)
                continue;
            const uint32_t net = weight[k] - cost; /* what it saves, less forming it once */
            if (best < 0 || net > best_net || (net == best_net && k >= BOUND_SLOTS && k < first_cand))
                best = k, best_net = net;
        }
        if (best < 0)
            return;
        const int8_t reg = i & 1u ? HI[regs[i / 2]] : LO[regs[i / 2]];
        if (best < BOUND_SLOTS) {
            t->bound_reg[best] = reg;
        } else if (best < first_cand) {
            t->run_val[t->n_run] = imm[best - BOUND_SLOTS];
            t->run_reg[t->n_run++] = reg;
        } else {
            t->sh_slot[t->n_shifted] = cand_slot[best - first_cand];
            t->sh_k[t->n_shifted] = cand_k[best - first_cand];
            t->sh_reg[t->n_shifted++] = reg;
        }
        weight[best] = 0;
        t->bound_halves |= half;
        for (int j = 0; j < 13; j++)
            if (saved[j] == reg)
                t->saves |= 1u << j;
    }
}

static int emit_once(rv *t)
{
    jit_ctx *c = t->c;
    t->in_subprog = 0;
    t->fixed = 0;
    t->shortb = 0;
    t->alias_d = t->alias_s = t->next_alias_d = t->next_alias_s = -1;
    t->sunk = 0;
    t->fast = NULL;
    t->fast_start = 0;
    t->n_consts = 0;
    t->skip_to = 0;
    t->n_sum = 0;
    group_reset(t);
    pick_run_regs(t);

    /* prologue: C ABI entry with the block in a0, the context in a1 and its length in a2
     * (mbpf_jit_fn); only what the program uses is kept, the budget word computed only by code
     * that spends budget. r1 lives in a0/a1 and r2 in a2/a3, so the order of the moves matters. */
    e(t, rv_opi(RV_ADD, RV_SP, RV_SP, -FRAME));
    for (int i = 0; i < 13; i++)
        if ((t->saves >> i) & 1u)
            e(t, rv_store(RV_SW, saved[i], RV_SP, 4 * i));
    mv(t, RV_S1, RV_A0);
    sw_block(t, RV_SP, MBPF_JB_SAVED_SP);
    lw_block(t, RV_S0, MBPF_JB_STACK_TOP0);
    const uint32_t context = c->context;
    const uint32_t entry_live = c->prog->n_insns ? mid_live_in(c->prog, c->facts, t->m, 0) : 0;
    if ((context & (JIT_CONTEXT_ARGS | JIT_CONTEXT_ENDS)) || (entry_live & MID_LO(2))) {
        e(t, rv_op(RV_SLTU, RV_T0, RV_ZERO, RV_A1)); /* no context: no length either */
        e(t, rv_sub(RV_T0, RV_ZERO, RV_T0));
        e(t, rv_op(RV_AND, RV_A2, RV_A2, RV_T0));
    }
    t->spends_budget = (c->context & JIT_CONTEXT_BUDGET) != 0;
    if (t->spends_budget)
        budget_word(t);
    if (context & JIT_CONTEXT_ARGS) {
        sw_block(t, RV_A1, MBPF_JB_CTX);
        sw_block(t, RV_A2, MBPF_JB_CTX_LEN);
        sw_block(t, RV_BUDGET, MBPF_JB_BUDGET_SYNC);
        sw_block(t, RV_ZERO, MBPF_JB_EXEC_READY); /* the exec is filled by the first routine */
    }
    if (context & JIT_CONTEXT_ENDS) {
        static const uint32_t mask[2] = {MBPF_JB_CTX_MASK_R, MBPF_JB_CTX_MASK_W};
        static const uint32_t end[2] = {MBPF_JB_CTX_END_R, MBPF_JB_CTX_END_W};
        for (int w = 0; w < 2; w++) { /* the region's end: ctx + (len & mask) */
            lw_block(t, RV_T0, mask[w]);
            e(t, rv_op(RV_AND, RV_T0, RV_T0, RV_A2));
            e(t, rv_op(RV_ADD, RV_T0, RV_T0, RV_A1));
            sw_block(t, RV_T0, end[w]);
        }
    }
    if (entry_live & MID_LO(1))
        mv(t, LO[1], RV_A1); /* r1 = ctx (a0 = a1) */
    if (entry_live & MID_HI(1))
        mv(t, HI[1], RV_ZERO);
    if (entry_live & MID_HI(2))
        mv(t, HI[2], RV_ZERO); /* r2 = len: its lower half is a2 already */
    for (int r = 0; r < 10; r++) { /* any other register live at entry (none in verified code) */
        if (r == 1 || r == 2)
            continue;
        if (entry_live & MID_LO(r))
            lw_block(t, LO[r], MBPF_JB_REG_LO(r));
        if (entry_live & MID_HI(r))
            lw_block(t, HI[r], MBPF_JB_REG_HI(r));
    }
    for (int k = 0; k < BOUND_SLOTS; k++) /* after the entry's arguments are used */
        if (t->bound_reg[k])
            lw_block(t, t->bound_reg[k], 4u * (uint32_t)k);
    for (int i = 0; i < t->n_run; i++)
        li(t, t->run_reg[i], t->run_val[i]);
    for (int i = 0; i < t->n_shifted; i++) { /* max(word - k, 0): a borrow clears it */
        const int r = t->sh_reg[i], b = bound(t, RV_T0, 4u * t->sh_slot[i]);
        e(t, rv_opi(RV_ADD, r, b, -(int32_t)t->sh_k[i]));
        e(t, rv_op(RV_SLTU, RV_T1, b, r));
        e(t, rv_opi(RV_ADD, RV_T1, RV_T1, -1));
        e(t, rv_op(RV_AND, r, r, RV_T1));
    }

    static const jit_backend_ops ops = {rv_function_entry, rv_insn};
    int rc = jit_emit_body(c, &ops, t);
    if (rc)
        return rc;
    t->shortb = 0;
    const uint32_t start = c->pos;
    if (t->relax == 1 && !t->all_short) {
        for (uint32_t id = 0; id < JIT_MAX_STUBS; id++) {
            c->pos = start + t->stubs->at[id];
            if (t->stubs->at[id] != NO_STUB)
                jit_mark_stub(c, id);
        }
        c->pos = start + t->stubs->bytes;
    } else {
        emit_stubs(t);
    }
    if (t->relax == 0) { /* the context was zeroed: only the stubs just emitted lie here */
        t->stubs->bytes = c->pos - start;
        for (uint32_t id = 0; id < JIT_MAX_STUBS; id++) {
            const uint32_t at = jit_stub_offset(c, id);
            t->stubs->at[id] = at >= start ? at - start : NO_STUB;
        }
    }
    group_reset(t);
    emit_cold_stubs(t);
    return 0;
}

/* Measuring: the layout whose branch forms the writing pass replays. A branch's form changes
 * only the size of its own bcond (8 bytes long, 4 short), so the first layout (all long) is the
 * second one with each of its short branches 4 bytes longer. When a layout choosing short
 * everywhere stays below SHORT_REACH that way, every distance in the first layout does, and the
 * second layout would have chosen exactly that: it is laid out once, without the first. */
static int measure(rv *t)
{
    jit_ctx *c = t->c;
    if (c->prog->n_insns < SHORT_REACH / 16) { /* else it is too long anyway, most likely */
        t->relax = 1;
        t->all_short = 1;
        const int rc = emit_once(t);
        if (!rc && c->pos + 4 * t->n_short < SHORT_REACH)
            return 0;
        t->all_short = 0; /* as if never tried: the first layout starts from a zeroed context */
        c->err = NULL;
        c->err_pc = 0;
        jit_zero_words(c->insn_off, ((size_t)c->prog->n_insns + 1) * sizeof *c->insn_off);
        jit_zero_words(c->stub_off, sizeof c->stub_off);
        jit_zero_words(c->loop_slow, sizeof c->loop_slow);
        jit_zero_words(c->cold, 2 * sizeof *c->cold * c->cold_cap);
        c->pos = 0;
    }
    t->relax = 0; /* first layout, long branches */
    int rc = emit_once(t);
    if (!rc) {
        t->prev_end = c->pos;
        c->pos = 0;
        t->relax = 1;
        rc = emit_once(t);
    }
    return rc;
}

int mbpf_rv_emit_program(jit_ctx *c)
{
    rv t;
    rv_stub_layout stubs;
    t.c = c;
    t.m = c->mid;
    t.prev_end = 0;
    t.stubs = &stubs;
    t.all_short = 0;
    t.n_short = 0;
    if (!t.m)
        return jit_fail(c, 0, "the RV32 backend needs the middle end's analysis");
    if (c->final_pass)
        t.relax = 2;
    if (!c->final_pass)
        mark_head_charges(c); /* before any layout: the forms it marks hold for all of them */
    const int rc = c->final_pass ? emit_once(&t) : measure(&t);
    if (rc)
        return rc;
    if (c->pos > (1u << 20))
        return jit_fail(c, 0, "program too large for RV32 jump ranges");
    return 0;
}
