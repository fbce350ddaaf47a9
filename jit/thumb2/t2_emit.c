/* Thumb-2 lowering of verified eBPF on the middle end's analysis (jit/mid/mid.h).
 *
 * Register model (docs/thumb2.md): r11 holds the mbpf_jit_block; eBPF r10 lives in native r10
 * (its upper half is always zero). The lower and upper halves of r0-r9 are allocated separately:
 * the halves (or the budget counter) with the highest loop-weighted use get r4-r9 and lr (lr is
 * kept in its block slot across calls), the others live in the block's register slots, except
 * values local to straight-line code, which borrow a home register whose half is dead there. A
 * half that is not live after an instruction is not written; an instruction whose results are
 * all dead emits nothing; 64-bit compares, divisions and shifts on values whose upper halves are
 * known zero are done in 32 bits, and a known-zero upper half is read as 0. r0-r3 and r12 are
 * scratch.
 *
 * Encodings are 16-bit where that does the same (t2_narrow); every size depends only on the
 * instruction and on branch forms the measuring pass chose and recorded (see "branch forms"), so
 * the writing pass lays the code out exactly as measured. Rarely taken paths (a guard that fails its inline test,
 * a budget that runs out) branch to per-site cold stubs after the shared stubs, so the hot path
 * carries no fault bookkeeping. */
#include "jit/jit_core.h"
#include "jit/mid/mid.h"
#include "jit/mid/mid_access.h"
#include "jit/mid/mid_idioms.h"
#include "jit/jit_runtime.h"
#include "jit/thumb2/t2_consts.h"
#include "jit/thumb2/t2_encode.h"
#include "jit/thumb2/t2_groups.h"
#include "jit/thumb2/t2_loops.h"
#include "jit/thumb2/t2_mulrot.h"
#include "jit/thumb2/t2_reads.h"

enum {
    STUB_EXIT,        /* r0 = status: store it, restore sp, return it */
    STUB_CHECK_READ,  /* r12 = addr, r1 = addr hi, r0 = pc, r3 = size; keeps r2 and r3 */
    STUB_CHECK_WRITE,
    STUB_BUDGET,      /* r0 = pc */
    STUB_DEPTH,       /* r0 = pc */
    STUB_HELPER_END,  /* the helper trampoline has set the status */
    STUB_CHECK_READ_OK, STUB_CHECK_READ_FAIL, STUB_CHECK_WRITE_OK, STUB_CHECK_WRITE_FAIL,
    STUB_RETURN,      /* in the exit: status stored (or 0 as at entry) */
};

/* Cold stubs, at most one per instruction, described by kind | write << 3 | size << 4 |
 * address register << 8 | upper-half register << 12 | pc << 16. */
enum {
    COLD_BUDGET,   /* r0 = pc, to STUB_BUDGET */
    COLD_GUARD,    /* r1 holds the address's upper half: full check, back to the site */
    COLD_GUARD_HZ, /* upper half known zero: r1 = 0 at +0; the address wrapped past 2^32: r1 = 1
                    * at +COLD_WRAP (the check then faults) */
    COLD_GROUP,    /* as COLD_GUARD for the lowest address of a load group: every member's */
    COLD_GROUP_HZ, /* full check in order (t2_groups.h); as COLD_GUARD_HZ */
};
#define COLD_WRITE 8u
#define COLD_WRAP 4u

#define NO_REG (-1)
#define H_LO(r) (r)
#define H_HI(r) (16 + (r))
#define BUDGET_CAND 32 /* allocation candidate index of the budget counter */
#define CONST_CAND 33  /* ...and of the first constant (t2_consts.h) */

typedef struct t2 {
    jit_ctx *c;
    const mid_info *m;
    int8_t loc[MID_NHALVES]; /* native register of each half, or NO_REG */
    int budget_reg;          /* native register of the budget counter, or NO_REG */
    int lr_half;             /* the half homed in lr (clobbered by every call), or NO_REG */
    int8_t owner[16];        /* per native register: the half homed there, or NO_REG */
    uint16_t kregs;          /* native registers holding a constant from the entry on... */
    uint32_t kval[16];       /* ...this one */
    int8_t local[MID_NHALVES];    /* a half without a home: register holding its local value */
    uint32_t local_end[MID_NHALVES]; /* ...up to and including this pc */
    uint32_t busy_end[16];   /* per native register: holds a local value up to this pc + 1 */
    int8_t fwd_h[4], fwd_r[4]; /* halves just stored to their slots from these registers... */
    int fwd_n;               /* ...(this many), still there if nothing was emitted after the stores */
    uint32_t fwd_pos;        /* ...and the offset right after the last of those stores */
    uint32_t pc;
    uint32_t live;           /* halves live after the current instruction */
    uint32_t live_in;        /* halves live before it (valid where they are) */
    uint32_t use, def;       /* halves it reads and writes (mid_use_def) */
    uint32_t hz;             /* width state before it (mid.h: upper halves known zero) */
    uint32_t n_cold;
    int alias_d, alias_s;    /* fused "mov d, s; op d, x": reads of d come from s */
    int next_alias_d, next_alias_s;
    int in_subprog;          /* current function is a local-call target (returns with pop {pc}) */
    uint32_t skip_to;        /* instructions before this pc were lowered with an earlier one */
    int flags_live;          /* a flag-setting instruction was emitted for this eBPF instruction */
    int in_it;               /* the next in_it instructions are those of an IT block */
    uint32_t stubs_used;     /* the shared stubs code branches to, by id */
    int relax;               /* branch forms: 0 first layout, 1 choosing, 2 writing (replay) */
    uint32_t stubs_end;      /* choosing: where the first layout's shared stubs ended */
    uint8_t decided;         /* choosing: the classes of this copy of pc already chosen */
    uint16_t saved;          /* callee-saved registers the entry pushes (with lr, even count) */
    int sp_saved, fp_used;   /* the entry keeps sp in the block; the code uses r10 (frame_needs) */
    int r10_free;            /* no instruction reads r10 and none calls: native r10 may be a home,
                              * and the live stack ends at the block's initial frame top */
    int exit_inline;         /* a normal exit is the epilogue itself, not a branch to it */
    t2_group group;          /* the load group whose leader was lowered last (t2_groups.h) */
    t2_read read;            /* the fused read under way (t2_reads.h); read.last = 0: none */
    const ml_loop *fast;     /* loop versioning: the loop whose fast copy is being emitted */
    uint32_t fast_start;     /* ...and the native offset of that copy's first instruction */
    struct t2_stub_layout *stubs; /* the shared stubs' layout: the first layout records it */
} t2;

/* Every branch in the shared stubs is a backward one to a stub among them, so their layout is
 * the same wherever they start: the second layout places the same set of stubs from the first
 * one's record instead of emitting them again. */
typedef struct t2_stub_layout {
    uint32_t used;              /* t2.stubs_used they were emitted for */
    uint32_t bytes;
    uint32_t at[JIT_MAX_STUBS]; /* offset of each stub in them, or NO_STUB */
} t2_stub_layout;
#define NO_STUB 0xffffffffu

/* The size of v as e32 emits it here, and whether the flags may be live after it. */
/* In an IT block only a comparison keeps its meaning in 16 bits (it sets the flags anyway). */
static int narrow_here(const t2 *t, uint32_t v, int flags_live, uint16_t *h)
{
    if (t->in_it)
        return t2_sets_flags(v) && (v >> 24 & 15u) == 15u && t2_narrow(v, h);
    return flags_live ? t2_narrow(v, h) : t2_narrow_flags_free(v, h); /* the latter tries both */
}

static uint32_t isize(const t2 *t, uint32_t v, int *flags_live)
{
    uint16_t h;
    const int narrow = narrow_here(t, v, *flags_live, &h);
    *flags_live |= t2_sets_flags(v);
    return narrow ? 2u : 4u;
}

/* A 32-bit encoding, in its 16-bit form where one does the same here: flags may be set where
 * they are dead (before the first flag-setting instruction of an eBPF instruction's code: no
 * flags live across eBPF instructions); none inside an IT block. */
static void e32(t2 *t, uint32_t v)
{
    uint16_t h;
    const int narrow = narrow_here(t, v, t->flags_live, &h);
    t->flags_live |= t2_sets_flags(v);
    if (t->in_it)
        t->in_it--;
    if (narrow)
        jit_emit16(t->c, h);
    else
        jit_emit32(t->c, v);
}

static void e16(t2 *t, uint16_t v) { jit_emit16(t->c, v); }

/* The last instruction of an eBPF instruction's code to read the flags: it may set them. */
static void e32_last_reader(t2 *t, uint32_t v)
{
    uint16_t h;
    if (!t->in_it && t2_narrow_flags_free(v, &h))
        jit_emit16(t->c, h);
    else
        e32(t, v);
}

/* A shared stub as a branch target: it is emitted because something branches to it. */
static uint32_t stub(t2 *t, uint32_t id)
{
    t->stubs_used |= 1u << id;
    return jit_stub_offset(t->c, id);
}

/* A shared stub starts here: reached by branches, it reads no flags its callers set. */
static void stub_label(t2 *t, uint32_t id)
{
    jit_mark_stub(t->c, id);
    t->flags_live = 0;
}

/* Bytes of a sequence of 32-bit encodings emitted from the current state. */
static uint32_t seq_bytes(const t2 *t, const uint32_t *seq, int n)
{
    int live = t->flags_live;
    uint32_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += isize(t, seq[i], &live);
    return bytes;
}

/* Branch offset from the instruction about to be emitted to native offset `to`. */
static int32_t rel(t2 *t, uint32_t to)
{
    return (int32_t)to - (int32_t)(t->c->pos + 4);
}

/* ---- branch forms ------------------------------------------------------------------------------
 * A branch takes its 16-bit form (b<c>.n +-256 bytes, b.n +-2 KiB) where its target is in reach.
 * Backward: from the exact distance, the same in every layout. Forward: the measuring pass lays
 * the program out twice, first with long forward branches; the second layout chooses per
 * instruction (per copy, in a versioned loop) and class of targets, at the first such branch,
 * from an upper bound on the distance (the first layout's offsets ahead, which only shrink),
 * and records the choice in the core's branch-form bytes; the writing pass replays it. */
enum { BR_BACK = -1, BR_J, BR_C, BR_S, BR_T, BR_H }; /* jump target, cold path, shared stub,
                                                       * loop test, loop entry charge */

static uint8_t form_bit(const t2 *t, int cls)
{
    const int bit = !t->fast ? cls : cls <= BR_S ? 5 + cls : -1; /* a loop's fast copy: 5-7 */
    return (uint8_t)(bit < 0 ? 0u : 1u << bit);
}

static int reach(int cond, int32_t d)
{
    return cond >= 0 ? t2_b_cond16_fits(d) : t2_b16_fits(d);
}

/* May this forward branch of class cls take the 16-bit form? `bound`: its target, or beyond. */
static int forward_short(t2 *t, int cls, int cond, uint32_t bound)
{
    const uint8_t bit = form_bit(t, cls);
    uint8_t *f = &t->c->forms[t->pc];
    if (t->relax == 0 || !bit)
        return 0;
    if (t->relax == 1 && !(t->decided & bit)) {
        t->decided |= bit;
        if (cls == BR_S || cls == BR_H)
            bound = t->stubs_end; /* any shared stub */
        if (cls == BR_C)
            cond = T2_EQ, bound += 8; /* conditional ones, to the stub or its wrap entry */
        if (reach(cond, (int32_t)bound - (int32_t)(t->c->pos + 4)))
            *f |= bit;
        else
            *f &= (uint8_t)~bit;
    }
    return (*f & bit) != 0;
}

/* Bytes of a branch that would be emitted at `at` (forward: chosen now). */
static uint32_t branch_bytes(t2 *t, int cond, uint32_t to, int cls, uint32_t at)
{
    if (cls == BR_BACK)
        return to <= at && reach(cond, (int32_t)to - (int32_t)(at + 4)) ? 2u : 4u;
    return forward_short(t, cls, cond, to) ? 2u : 4u;
}

/* cond < 0: unconditional. */
static void br(t2 *t, int cond, uint32_t to, int cls)
{
    const int32_t d = rel(t, to);
    if (branch_bytes(t, cond, to, cls, t->c->pos) == 2) {
        if (t->c->final_pass && !reach(cond, d))
            jit_fail(t->c, t->pc, "internal error: a short branch out of reach");
        e16(t, cond >= 0 ? t2_b_cond16(cond, d) : t2_b16(d));
    } else {
        e32(t, cond >= 0 ? t2_b_cond(cond, d) : t2_b(d));
    }
}

static void b_to(t2 *t, uint32_t to) { br(t, -1, to, BR_BACK); }
static void bcond_to(t2 *t, int cond, uint32_t to) { br(t, cond, to, BR_BACK); }
static void bl_to(t2 *t, uint32_t to) { e32(t, t2_bl(rel(t, to))); }

/* Load a 32-bit constant in as few instructions as its value allows (the size depends only on
 * the value, so both passes agree). */
static void load_imm(t2 *t, int rd, uint32_t v)
{
    if (t2_modimm(v) >= 0) {
        e32(t, t2_dp_modimm(T2_ORR, 0, rd, T2_PC, t2_modimm(v))); /* mov.w rd, #v */
    } else if (t2_modimm(~v) >= 0) {
        e32(t, t2_dp_modimm(T2_ORN, 0, rd, T2_PC, t2_modimm(~v))); /* mvn rd, #~v */
    } else {
        e32(t, t2_movw(rd, v & 0xffff));
        if (v >> 16)
            e32(t, t2_movt(rd, v >> 16));
    }
}

/* The register holding constant v for the whole run, or NO_REG. */
static int const_reg(const t2 *t, uint32_t v)
{
    for (uint32_t b = t->kregs; b; b &= b - 1)
        if (t->kval[__builtin_ctz(b)] == v)
            return __builtin_ctz(b);
    return NO_REG;
}

/* An immediate operand the instruction reads from a register: its constant's, or rd loaded. */
static int imm_reg(t2 *t, int rd, uint32_t v)
{
    const int r = const_reg(t, v);
    if (r != NO_REG)
        return r;
    load_imm(t, rd, v);
    return rd;
}

static void ldr_block(t2 *t, int rt, uint32_t off) { e32(t, t2_ldst_imm12(T2_LDR, rt, T2_R11, off)); }
static void str_block(t2 *t, int rt, uint32_t off) { e32(t, t2_ldst_imm12(T2_STR, rt, T2_R11, off)); }
static void mov(t2 *t, int rd, int rm) { if (rd != rm) e32(t, t2_mov_reg(rd, rm)); }
static void mov0(t2 *t, int rd) { e32(t, t2_dp_imm8(T2_ORR, 0, rd, T2_PC, 0)); }
static void cmp_imm(t2 *t, int rn, uint32_t imm8) { e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, rn, imm8)); }

/* ---- halves ----------------------------------------------------------------------------------- */

static uint32_t slot(int h)
{
    return h < 16 ? MBPF_JB_REG_LO(h) : MBPF_JB_REG_HI(h - 16);
}

static int live_h(const t2 *t, int h)
{
    return (t->live >> h) & 1u;
}

static int hz_r(const t2 *t, int r)
{
    return r == MBPF_REG_FP || ((t->hz >> r) & 1u);
}

/* The native register holding half h here: its home, or the register lent to its current local
 * value (local_window), or NO_REG (the block slot). */
static int where(const t2 *t, int h)
{
    if (t->loc[h] != NO_REG)
        return t->loc[h];
    if (t->local[h] != NO_REG && t->local_end[h] >= t->pc)
        return t->local[h];
    return NO_REG;
}

/* Store forwarding: a half stored to its slot from a register, with nothing but such stores
 * emitted since and no label in between, is still in that register; loading it into the same
 * register again emits nothing. Entries die at every label (jump targets, calls' entries, cold
 * paths' return points), at any instruction not lowered right after the one before, and with
 * any other instruction emitted. */
static void fwd_note(t2 *t, int h, int reg, uint32_t before)
{
    if (before != t->fwd_pos || t->in_it)
        t->fwd_n = 0;
    for (int i = 0; i < t->fwd_n; i++)
        if (t->fwd_h[i] == h) {
            t->fwd_h[i] = t->fwd_h[t->fwd_n - 1];
            t->fwd_r[i] = t->fwd_r[--t->fwd_n];
            break;
        }
    if (t->fwd_n < 4 && !t->in_it) {
        t->fwd_h[t->fwd_n] = (int8_t)h;
        t->fwd_r[t->fwd_n++] = (int8_t)reg;
    }
    t->fwd_pos = t->c->pos;
}

static int fwd_hit(const t2 *t, int h, int reg)
{
    if (t->fwd_pos != t->c->pos || t->in_it)
        return 0;
    for (int i = 0; i < t->fwd_n; i++)
        if (t->fwd_h[i] == h && t->fwd_r[i] == reg)
            return 1;
    return 0;
}

/* Load half h from its slot into scratch register reg (nothing when it is there already). */
static void ldr_slot(t2 *t, int reg, int h)
{
    if (!fwd_hit(t, h, reg))
        ldr_block(t, reg, slot(h));
}

/* Half h as a source: its native register, the frame pointer, or loaded into scratch. */
static int rd_h(t2 *t, int h, int scratch)
{
    /* an upper half known zero may not be demanded (mid.h): then it is stale where it lives */
    const int zero = (h & 16) && hz_r(t, h & 15);
    if ((h & 15) == t->alias_d)
        h = (h & 16) | t->alias_s;
    if (h == H_LO(MBPF_REG_FP))
        return T2_R10;
    const int r = h == H_HI(MBPF_REG_FP) ? NO_REG : where(t, h);
    if (h == H_HI(MBPF_REG_FP) || (zero && !(r != NO_REG && ((t->live_in >> h) & 1u)))) {
        mov0(t, scratch);
        return scratch;
    }
    if (r != NO_REG)
        return r;
    ldr_slot(t, scratch, h);
    return scratch;
}

/* Where to compute half h: its native register or scratch (loaded first when `load`). */
static int dst_h(t2 *t, int h, int scratch, int load)
{
    const int r = where(t, h);
    if (r != NO_REG)
        return r;
    if (load)
        ldr_slot(t, scratch, h);
    return scratch;
}

/* Half h was computed in reg: move or store it to its home, when anyone reads it later. */
static void put_h(t2 *t, int h, int reg)
{
    if (!live_h(t, h))
        return;
    const int r = where(t, h);
    if (r != NO_REG) {
        mov(t, r, reg);
    } else {
        const uint32_t before = t->c->pos;
        str_block(t, reg, slot(h));
        fwd_note(t, h, reg, before);
    }
}

/* Upper half of d becomes zero. */
static void put_hi_zero(t2 *t, int d)
{
    const int h = H_HI(d);
    if (!live_h(t, h))
        return;
    const int r = dst_h(t, h, T2_R1, 0);
    mov0(t, r);
    put_h(t, h, r);
}

static void call_block_fn(t2 *t, uint32_t off)
{
    ldr_block(t, T2_R12, off);
    e16(t, t2_blx16(T2_R12));
}

/* A call clobbers lr: the half homed there waits in its block slot (call-saved r4-r9 need
 * nothing), a constant there is loaded again. lr_save goes before the call, lr_restore after it
 * and before the results are put. */
static void lr_save(t2 *t)
{
    if (t->lr_half != NO_REG && (((t->live_in | t->live) >> t->lr_half) & 1u))
        str_block(t, T2_LR, slot(t->lr_half));
}

static void lr_restore(t2 *t)
{
    if (t->lr_half != NO_REG && live_h(t, t->lr_half))
        ldr_block(t, T2_LR, slot(t->lr_half));
    if ((t->kregs >> T2_LR) & 1u)
        load_imm(t, T2_LR, t->kval[T2_LR]);
}

/* Move src[i] into native register i (i < n; NO_REG: nothing) as one parallel move; a cycle is
 * broken through r12. The sources are never r12. */
static void move_to_args(t2 *t, int *src, int n)
{
    for (;;) {
        int pending = -1, moved = 0;
        for (int i = 0; i < n; i++) {
            if (src[i] == NO_REG || src[i] == i)
                continue;
            int read_later = 0;
            for (int j = 0; j < n; j++)
                read_later |= j != i && src[j] == i;
            if (read_later) {
                if (pending < 0)
                    pending = i;
                continue;
            }
            mov(t, i, src[i]);
            src[i] = NO_REG;
            moved = 1;
        }
        if (pending < 0)
            return;
        if (!moved) { /* every remaining move waits on another: park register `pending` */
            mov(t, T2_R12, pending);
            for (int j = 0; j < n; j++)
                if (src[j] == pending)
                    src[j] = T2_R12;
        }
    }
}

/* ---- cold stubs -------------------------------------------------------------------------------- */

/* Reserve the cold stub of this site; returns its index. Its offset is known after the measuring
 * pass (the final pass reads it before the site records its return point). */
static uint32_t cold_new(t2 *t, uint32_t kind, uint32_t size, int reg, int hreg)
{
    jit_ctx *c = t->c;
    uint32_t k = t->n_cold++;
    t->stubs_used |= 1u << ((kind & 7u) == COLD_BUDGET ? STUB_BUDGET
                            : (kind & COLD_WRITE) ? STUB_CHECK_WRITE : STUB_CHECK_READ);
    if (k < c->cold_cap)
        c->cold[2 * k] = kind | size << 4 | (uint32_t)reg << 8 | (uint32_t)hreg << 12 | t->pc << 16;
    return k;
}

static uint32_t cold_off(t2 *t, uint32_t k)
{
    return t->relax && k < t->c->cold_cap ? t->c->cold[2 * k + 1] : 0;
}

static void cold_return_here(t2 *t, uint32_t k)
{
    t->flags_live = 0; /* the check's branches were the last to read its flags */
    t->fwd_n = 0;      /* a label: the cold path comes back here */
    if (k < t->c->cold_cap)
        t->c->cold[2 * k + 1] = t->c->pos;
}

/* r1:r12 += step (a 64-bit address moved by a small constant). */
static void step_address(t2 *t, int32_t step)
{
    if (step > 0) {
        e32(t, t2_dp_imm8(T2_ADD, 1, T2_R12, T2_R12, (uint32_t)step));
        e32(t, t2_dp_imm8(T2_ADC, 0, T2_R1, T2_R1, 0));
    } else if (step < 0) {
        e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, (uint32_t)-step));
        e32(t, t2_dp_imm8(T2_SBC, 0, T2_R1, T2_R1, 0));
    }
}

/* A load group's check failed inline: the full check of each member's address, in program
 * order (the first that fails is the interpreter's fault), then back with r1:r12 as they came
 * (the group's lowest address). The check stub keeps r1, r2, r3 and r12. */
static void group_checks(t2 *t, uint32_t pc)
{
    const jit_ctx *c = t->c;
    t2_group g;
    t2_group_scan(c, pc, &g);
    int32_t at = 0;
    for (uint32_t i = pc; i <= g.last; i++) {
        if (i != pc && !t2_group_member(c, &g, i))
            continue;
        const mbpf_insn *in = &c->prog->insns[i];
        const int32_t d = in->off - g.min_off;
        step_address(t, d - at);
        at = d;
        e32(t, t2_movw(T2_R0, i));
        e16(t, t2_movs16(T2_R3, mbpf_size_bytes(in->code)));
        bl_to(t, stub(t, STUB_CHECK_READ));
    }
    step_address(t, -at);
}

static void emit_cold_stubs(t2 *t)
{
    jit_ctx *c = t->c;
    t->fwd_n = 0;
    for (uint32_t k = 0; k < t->n_cold && k < c->cold_cap; k++) {
        const uint32_t d = c->cold[2 * k], kind = d & 7u, size = (d >> 4) & 15u, pc = d >> 16;
        const int a = (int)((d >> 8) & 15u), ah = (int)((d >> 12) & 15u);
        const uint32_t ret = c->cold[2 * k + 1];
        if (!c->final_pass)
            c->cold[2 * k + 1] = c->pos;
        t->flags_live = 0; /* nothing after a cold path's return point reads the flags */
        if (kind == COLD_BUDGET) {
            e32(t, t2_movw(T2_R0, pc));
            b_to(t, stub(t, STUB_BUDGET));
            continue;
        }
        if (kind == COLD_GUARD_HZ || kind == COLD_GROUP_HZ) { /* the flags are dead here */
            e16(t, t2_movs16(T2_R1, 0));
            e16(t, t2_b16(0)); /* over the next one: to +6 */
            e16(t, t2_movs16(T2_R1, 1)); /* +COLD_WRAP */
        }
        const int keep_lr = t->lr_half != NO_REG || ((t->kregs >> T2_LR) & 1u);
        if (keep_lr) /* bl overwrites lr; the check keeps r2 */
            mov(t, T2_R2, T2_LR);
        if (kind == COLD_GUARD || kind == COLD_GROUP)
            mov(t, T2_R1, ah);
        mov(t, T2_R12, a);
        if (kind == COLD_GROUP || kind == COLD_GROUP_HZ) {
            group_checks(t, pc);
        } else {
            e32(t, t2_movw(T2_R0, pc));
            e16(t, t2_movs16(T2_R3, size));
            bl_to(t, stub(t, (d & COLD_WRITE) ? STUB_CHECK_WRITE : STUB_CHECK_READ));
        }
        if (keep_lr)
            mov(t, T2_LR, T2_R2);
        b_to(t, ret);
    }
}

/* ---- budget ------------------------------------------------------------------------------------ */

/* Charge one unit; out of budget: MBPF_FAULT_BUDGET at this pc. */
static void budget_charge(t2 *t)
{
    const uint32_t k = cold_new(t, COLD_BUDGET, 0, 0, 0);
    if (t->budget_reg != NO_REG) {
        e32(t, t2_dp_imm8(T2_SUB, 1, t->budget_reg, t->budget_reg, 1));
        br(t, T2_CC, cold_off(t, k), BR_C);
    } else {
        ldr_block(t, T2_R12, MBPF_JB_BUDGET);
        e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, 1));
        br(t, T2_CC, cold_off(t, k), BR_C);
        str_block(t, T2_R12, MBPF_JB_BUDGET);
    }
}

/* A taken back edge not proven bounded: one unit, then the jump; when none is left the code
 * after the branch reports MBPF_FAULT_BUDGET at this pc. With the counter in a register the hot
 * path is subs + branch. cond < 0: unconditional jump; else the jump is taken on cond and the
 * fall-through skips the charge. */
static void budgeted_jump(t2 *t, int cond, uint32_t to, int cls)
{
    const int r = t->budget_reg != NO_REG ? t->budget_reg : T2_R12;
    const uint32_t seq[4] = {t2_ldst_imm12(T2_LDR, T2_R12, T2_R11, MBPF_JB_BUDGET),
                             t2_dp_imm8(T2_SUB, 1, r, r, 1),
                             t2_ldst_imm12(T2_STR, T2_R12, T2_R11, MBPF_JB_BUDGET), t2_movw(T2_R0, t->pc)};
    const int first = t->budget_reg != NO_REG ? 1 : 0, n = t->budget_reg != NO_REG ? 1 : 3;
    if (cond >= 0) { /* not taken: skip the charge, the jump and the budget exit (one b<c>.n) */
        int live = 1;
        uint32_t skip = 0;
        for (int i = first; i < first + n; i++)
            skip += isize(t, seq[i], &live);
        const uint32_t at = t->c->pos + 2 + skip; /* the taken jump */
        const uint32_t jump = branch_bytes(t, T2_CS, to, cls, at), movw = isize(t, seq[3], &live);
        skip += jump + movw + branch_bytes(t, -1, jit_stub_offset(t->c, STUB_BUDGET), BR_S, at + jump + movw);
        e16(t, t2_b_cond16(cond ^ 1, (int32_t)skip - 2));
    }
    for (int i = first; i < first + n; i++)
        e32(t, seq[i]);
    br(t, T2_CS, to, cls);
    e32(t, seq[3]);
    br(t, -1, stub(t, STUB_BUDGET), BR_S);
}
/* Entering a bounded loop charges its trip bound (r0 = pc set first: loop entries are not hot). */
/* The charge as a sequence (the branch, a placeholder, at [k] where *branch = k); both the
 * emission and the size bounded back edges skip come from it. */
static int loop_entry_seq(const t2 *t, uint32_t pc, uint32_t trips, uint32_t *seq, int *branch)
{
    const int r = t->budget_reg != NO_REG ? t->budget_reg : T2_R12;
    int n = 0;
    seq[n++] = t2_movw(T2_R0, pc);
    if (t->budget_reg == NO_REG)
        seq[n++] = t2_ldst_imm12(T2_LDR, T2_R12, T2_R11, MBPF_JB_BUDGET);
    if (trips <= 255) {
        seq[n++] = t2_dp_imm8(T2_SUB, 1, r, r, trips);
    } else {
        seq[n++] = t2_movw(T2_R2, trips);
        seq[n++] = t2_dp_reg(T2_SUB, 1, r, r, T2_R2, 0, 0);
    }
    *branch = n;
    seq[n++] = t2_b_cond(T2_CC, 0);
    if (t->budget_reg == NO_REG)
        seq[n++] = t2_ldst_imm12(T2_STR, T2_R12, T2_R11, MBPF_JB_BUDGET);
    return n;
}

/* Emitted first for its instruction: the flags are not live before it. */
static void loop_entry_charge(t2 *t, uint32_t trips)
{
    uint32_t seq[6];
    int b;
    const int n = loop_entry_seq(t, t->pc, trips, seq, &b);
    for (int i = 0; i < n; i++) {
        if (i == b)
            br(t, T2_CC, stub(t, STUB_BUDGET), BR_H);
        else
            e32(t, seq[i]);
    }
    t->flags_live = 0; /* its branch was the last to read its flags */
}

static uint32_t loop_entry_bytes(const t2 *t, uint32_t pc, uint32_t trips)
{
    uint32_t seq[6], bytes = 0;
    int b, live = 0;
    const int n = loop_entry_seq(t, pc, trips, seq, &b);
    for (int i = 0; i < n; i++)
        bytes += i == b && t->relax && (t->c->forms[pc] & (1u << BR_H)) ? 2u : isize(t, seq[i], &live);
    return bytes;
}

/* ---- ALU --------------------------------------------------------------------------------------- */

/* "mov d, s" followed by a two-operand operation on d of the same width becomes one three-address
 * operation d = s op x: the move emits nothing, the next instruction reads s for d. Only when no
 * jump lands on the second instruction. */
static int fuses_at(const jit_ctx *c, uint32_t pc)
{
    const mbpf_insn *in = &c->prog->insns[pc];
    const uint32_t next = pc + 1;
    if (MBPF_OP(in->code) != MBPF_MOV || (MBPF_CLASS(in->code) != MBPF_ALU &&
                                          MBPF_CLASS(in->code) != MBPF_ALU64))
        return 0;
    if (!MBPF_SRCBIT(in->code) || in->off != 0 || MBPF_DST(in) == MBPF_SRC(in) ||
        next >= c->prog->n_insns)
        return 0;
    if (c->facts[next].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
        return 0;
    const mbpf_insn *n = &c->prog->insns[next];
    if (MBPF_CLASS(n->code) != MBPF_CLASS(in->code) || MBPF_DST(n) != MBPF_DST(in))
        return 0;
    switch (MBPF_OP(n->code)) {
    case MBPF_ADD: case MBPF_SUB: case MBPF_AND: case MBPF_OR: case MBPF_XOR: case MBPF_MUL:
        return 1;
    case MBPF_LSH: case MBPF_RSH: case MBPF_ARSH:
        /* a 64-bit shift by a constant reads its source through the alias too */
        return MBPF_CLASS(in->code) == MBPF_ALU || (!MBPF_SRCBIT(n->code) && (n->imm & 63));
    case MBPF_DIV: case MBPF_MOD:
        return MBPF_CLASS(in->code) == MBPF_ALU;
    default:
        return 0;
    }
}

static int fuse_mov(t2 *t, const mbpf_insn *in)
{
    if (!fuses_at(t->c, t->pc))
        return 0;
    t->next_alias_d = MBPF_DST(in);
    t->next_alias_s = MBPF_SRC(in);
    return 1;
}

/* 64-bit operations done by a runtime routine: (dl,dh) op (sl,sh) -> r0:r1. */
static void call_rt64(t2 *t, uint32_t fn, int dl, int dh, int sl, int sh, uint32_t op, int shift)
{
    int src[4] = {dl, dh, sl, shift ? NO_REG : sh};
    lr_save(t);
    move_to_args(t, src, 4);
    if (shift) {
        load_imm(t, T2_R3, op);
    } else {
        /* the op goes on the stack (fifth word): keep sp 8-byte aligned */
        load_imm(t, T2_R12, op);
        e32(t, t2_push((1u << T2_R12) | (1u << T2_LR)));
    }
    call_block_fn(t, fn);
    if (!shift)
        e32(t, t2_pop((1u << T2_R12) | (1u << T2_LR)));
    lr_restore(t);
}

static void shift64_imm(t2 *t, int op, int d, uint32_t k)
{
    const int ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    int dl, dh;
    if (op == MBPF_LSH) {
        /* sources through rd_h: a "mov d, s" before may be fused (reads of d come from s), and
         * an upper half known zero is not read: the upper result is then lo >> (32 - k) */
        if (k < 32) {
            const int al = rd_h(t, H_LO(d), T2_R0);
            const int ah = hd && !hz_r(t, d) ? rd_h(t, H_HI(d), T2_R1) : NO_REG;
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            dh = dst_h(t, H_HI(d), T2_R1, 0);
            if (hd && ah == NO_REG) {
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, al, T2_LSR, (int)(32 - k)));
            } else if (hd) {
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, ah, T2_LSL, (int)k));
                e32(t, t2_dp_reg(T2_ORR, 0, dh, dh, al, T2_LSR, (int)(32 - k)));
            }
            if (ld)
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, al, T2_LSL, (int)k));
        } else {
            const int al = hd ? rd_h(t, H_LO(d), T2_R0) : NO_REG;
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            dh = dst_h(t, H_HI(d), T2_R1, 0);
            if (hd)
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, al, T2_LSL, (int)(k - 32)));
            if (ld)
                mov0(t, dl);
        }
    } else { /* RSH, ARSH: logical or arithmetic on the upper half; sources through rd_h as
              * above, and a known-zero upper half of a logical shift is not read */
        const int type = op == MBPF_ARSH ? T2_ASR : T2_LSR;
        const int zero = op == MBPF_RSH && hz_r(t, d);
        const int al = ld && k < 32 ? rd_h(t, H_LO(d), T2_R0) : NO_REG;
        const int ah = !zero && (ld || (hd && (k < 32 || type == T2_ASR))) ? rd_h(t, H_HI(d), T2_R1)
                                                                           : NO_REG;
        dl = dst_h(t, H_LO(d), T2_R0, 0);
        dh = dst_h(t, H_HI(d), T2_R1, 0);
        if (k < 32) {
            if (ld) {
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, al, T2_LSR, (int)k));
                if (ah != NO_REG)
                    e32(t, t2_dp_reg(T2_ORR, 0, dl, dl, ah, T2_LSL, (int)(32 - k)));
            }
            if (hd && ah == NO_REG)
                mov0(t, dh);
            else if (hd)
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, ah, type, (int)k));
        } else {
            if (ld && ah == NO_REG)
                mov0(t, dl);
            else if (ld && k == 32)
                mov(t, dl, ah);
            else if (ld)
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, ah, type, (int)(k - 32)));
            if (hd && type == T2_ASR)
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, ah, T2_ASR, 31));
            else if (hd)
                mov0(t, dh);
        }
    }
    put_h(t, H_LO(d), dl);
    put_h(t, H_HI(d), dh);
}

/* Second operand halves: register halves, or the immediate (sign-extended) in r2 / r3. */
static int src_lo(t2 *t, const mbpf_insn *in)
{
    if (MBPF_SRCBIT(in->code))
        return rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
    return imm_reg(t, T2_R2, (uint32_t)in->imm);
}

static int src_hi(t2 *t, const mbpf_insn *in)
{
    if (MBPF_SRCBIT(in->code))
        return rd_h(t, H_HI(MBPF_SRC(in)), T2_R3);
    load_imm(t, T2_R3, in->imm < 0 ? 0xffffffffu : 0);
    return T2_R3;
}

static void bswap64(t2 *t, int d)
{
    const int ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    const int a = ld ? rd_h(t, H_HI(d), T2_R2) : NO_REG;
    const int b = hd ? rd_h(t, H_LO(d), T2_R3) : NO_REG;
    if (ld)
        e32(t, t2_rev(T2_R12, a));
    if (hd)
        e32(t, t2_rev(T2_R3, b));
    put_h(t, H_LO(d), T2_R12);
    put_h(t, H_HI(d), T2_R3);
}

static int lower_alu64(t2 *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code), x = MBPF_SRCBIT(in->code) != 0;
    const int ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    int dl, dh, sl, sh;
    if (!ld && !hd)
        return 0; /* dead result */
    if (op == MBPF_END) { /* bswap16/32/64 */
        if (in->imm == 64) {
            bswap64(t, d);
            return 0;
        }
        if (ld) {
            dl = dst_h(t, H_LO(d), T2_R0, 1);
            if (in->imm == 16) {
                e32(t, t2_rev16(dl, dl));
                e32(t, t2_uxth(dl, dl));
            } else {
                e32(t, t2_rev(dl, dl));
            }
            put_h(t, H_LO(d), dl);
        }
        put_hi_zero(t, d);
        return 0;
    }
    if (op == MBPF_MOV) {
        if (x && in->off == 0) {
            const int s = MBPF_SRC(in);
            if (fuse_mov(t, in))
                return 0;
            if (ld)
                put_h(t, H_LO(d), rd_h(t, H_LO(s), T2_R2));
            if (hd)
                put_h(t, H_HI(d), rd_h(t, H_HI(s), T2_R3));
        } else if (x) {
            sl = rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            if (in->off == 8)
                e32(t, t2_sxtb(dl, sl));
            else if (in->off == 16)
                e32(t, t2_sxth(dl, sl));
            else
                mov(t, dl, sl);
            if (hd) {
                dh = dst_h(t, H_HI(d), T2_R1, 0);
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dl, T2_ASR, 31));
                put_h(t, H_HI(d), dh);
            }
            put_h(t, H_LO(d), dl);
        } else {
            if (ld) {
                dl = dst_h(t, H_LO(d), T2_R0, 0);
                load_imm(t, dl, (uint32_t)in->imm);
                put_h(t, H_LO(d), dl);
            }
            if (hd) {
                dh = dst_h(t, H_HI(d), T2_R1, 0);
                load_imm(t, dh, in->imm < 0 ? 0xffffffffu : 0);
                put_h(t, H_HI(d), dh);
            }
        }
        return 0;
    }
    if (op == MBPF_NEG) {
        dl = dst_h(t, H_LO(d), T2_R0, 1);
        dh = dst_h(t, H_HI(d), T2_R1, hd);
        e32(t, t2_dp_imm8(T2_RSB, hd, dl, dl, 0));
        if (hd)
            e32(t, t2_dp_reg(T2_SBC, 0, dh, dh, dh, T2_LSL, 1)); /* -dh - borrow */
        put_h(t, H_LO(d), dl);
        put_h(t, H_HI(d), dh);
        return 0;
    }
    if ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && !x) {
        const uint32_t k = (uint32_t)in->imm & 63u;
        if (k)
            shift64_imm(t, op, d, k);
        return 0;
    }
    const int logic = op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR;
    if (!x && ((in->imm >= -255 && in->imm <= 255 && (op == MBPF_ADD || op == MBPF_SUB)) ||
               (logic && in->imm >= 0 && (t2_modimm((uint32_t)in->imm) >= 0 ||
                                          (op == MBPF_AND && (in->imm == 0xffff)))))) {
        int32_t v = op == MBPF_SUB ? -in->imm : in->imm;
        if (op == MBPF_ADD || op == MBPF_SUB) {
            const int al = rd_h(t, H_LO(d), T2_R0), ah = hd ? rd_h(t, H_HI(d), T2_R1) : NO_REG;
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            dh = dst_h(t, H_HI(d), T2_R1, 0);
            if (!hd)
                e32(t, v >= 0 ? t2_addw(dl, al, (uint32_t)v) : t2_subw(dl, al, (uint32_t)-v));
            else if (v >= 0) {
                e32(t, t2_dp_imm8(T2_ADD, 1, dl, al, (uint32_t)v));
                e32(t, t2_dp_imm8(T2_ADC, 0, dh, ah, 0));
            } else {
                e32(t, t2_dp_imm8(T2_SUB, 1, dl, al, (uint32_t)-v));
                e32(t, t2_dp_imm8(T2_SBC, 0, dh, ah, 0));
            }
            put_h(t, H_LO(d), dl);
            put_h(t, H_HI(d), dh);
        } else {
            if (ld) {
                const int al = rd_h(t, H_LO(d), T2_R0);
                dl = dst_h(t, H_LO(d), T2_R0, 0);
                if (op == MBPF_AND && v == 0xffff) /* zero-extend */
                    e32(t, t2_uxth(dl, al));
                else
                    e32(t, t2_dp_modimm(op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR, 0,
                                        dl, al, t2_modimm((uint32_t)v)));
                put_h(t, H_LO(d), dl);
            }
            if (op == MBPF_AND)
                put_hi_zero(t, d); /* OR, XOR with a non-negative immediate keep the upper half */
            else if (hd && t->alias_d == d)
                put_h(t, H_HI(d), rd_h(t, H_HI(d), T2_R1)); /* ...which is s's */
        }
        return 0;
    }
    if ((op == MBPF_DIV || op == MBPF_MOD) && mid_divmod_narrow(in, t->hz)) {
        /* both operands in [0, 2^32): the unsigned 32-bit operation is the 64-bit one */
        sl = src_lo(t, in);
        dl = dst_h(t, H_LO(d), T2_R0, 1);
        if (op == MBPF_DIV) {
            e32(t, t2_udiv(dl, dl, sl));
        } else {
            e32(t, t2_udiv(T2_R12, dl, sl));
            e32(t, t2_mls(dl, T2_R12, sl, dl));
        }
        put_h(t, H_LO(d), dl);
        put_hi_zero(t, d);
        return 0;
    }
    if (x && !hd && (op == MBPF_LSH || (op == MBPF_RSH && hz_r(t, d)))) {
        /* only the lower half is wanted: a register shift by 32..63 gives 0, as it should */
        sl = rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
        dl = dst_h(t, H_LO(d), T2_R0, 1);
        e32(t, t2_dp_imm8(T2_AND, 0, T2_R12, sl, 63));
        e32(t, t2_shift_reg(op == MBPF_LSH ? T2_LSL : T2_LSR, dl, dl, T2_R12));
        put_h(t, H_LO(d), dl);
        return 0;
    }
    const int full = op == MBPF_DIV || op == MBPF_MOD || op == MBPF_LSH || op == MBPF_RSH ||
                     op == MBPF_ARSH;
    const int need_hi = hd || full;
    /* 64-bit ADD/SUB: an upper half known zero in the source (or, for ADD, in d) is the
     * immediate 0 of the adc/sbc, not a register set to 0; AND/OR/XOR with it clear d's upper
     * half or leave it as it is */
    const int zs = hd && (op == MBPF_ADD || op == MBPF_SUB || logic) && x && hz_r(t, MBPF_SRC(in));
    const int za = hd && op == MBPF_ADD && !zs && hz_r(t, d);
    /* 64-bit MUL: a factor whose upper half is known zero adds no cross product */
    const int mzs = hd && op == MBPF_MUL && (x ? hz_r(t, MBPF_SRC(in)) : in->imm >= 0);
    const int mza = hd && op == MBPF_MUL && hz_r(t, d);
    sl = src_lo(t, in);
    sh = need_hi && !zs && !mzs ? src_hi(t, in) : NO_REG;
    const int al = rd_h(t, H_LO(d), T2_R0);
    const int ah = need_hi && !za && !(zs && logic) && !mza ? rd_h(t, H_HI(d), T2_R1) : NO_REG;
    dl = dst_h(t, H_LO(d), T2_R0, 0);
    dh = dst_h(t, H_HI(d), T2_R1, 0);
    if (zs && logic) {
        if (ld)
            e32(t, t2_dp_reg(op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR, 0, dl, al, sl,
                             0, 0));
        put_h(t, H_LO(d), dl);
        if (op == MBPF_AND)
            put_hi_zero(t, d);
        else if (t->alias_d == d) /* d's upper half is s's (a fused mov), else unchanged */
            put_h(t, H_HI(d), rd_h(t, H_HI(d), T2_R1));
        return 0;
    }
    switch (op) {
    case MBPF_ADD:
    case MBPF_SUB:
        e32(t, t2_dp_reg(op == MBPF_ADD ? T2_ADD : T2_SUB, hd, dl, al, sl, 0, 0));
        if (hd && zs)
            e32(t, t2_dp_imm8(op == MBPF_ADD ? T2_ADC : T2_SBC, 0, dh, ah, 0));
        else if (hd && za)
            e32(t, t2_dp_imm8(T2_ADC, 0, dh, sh, 0));
        else if (hd)
            e32_last_reader(t, t2_dp_reg(op == MBPF_ADD ? T2_ADC : T2_SBC, 0, dh, ah, sh, 0, 0));
        break;
    case MBPF_AND:
    case MBPF_OR:
    case MBPF_XOR: {
        int top = op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR;
        if (ld)
            e32(t, t2_dp_reg(top, 0, dl, al, sl, 0, 0));
        if (hd)
            e32(t, t2_dp_reg(top, 0, dh, ah, sh, 0, 0));
        break;
    }
    case MBPF_MUL:
        if (hd && mzs && mza) {
            e32(t, t2_umull(dl, dh, al, sl));
        } else if (hd && (mzs || mza)) { /* one cross product: ah * sl or al * sh */
            e32(t, mzs ? t2_mul(T2_R12, ah, sl) : t2_mul(T2_R12, al, sh));
            e32(t, t2_umull(dl, dh, al, sl));
            e32(t, t2_dp_reg(T2_ADD, 0, dh, dh, T2_R12, 0, 0));
        } else if (hd) {
            e32(t, t2_mul(T2_R12, al, sh));
            e32(t, t2_mla(T2_R12, ah, sl, T2_R12));
            e32(t, t2_umull(dl, dh, al, sl));
            e32(t, t2_dp_reg(T2_ADD, 0, dh, dh, T2_R12, 0, 0));
        } else {
            e32(t, t2_mul(dl, al, sl));
        }
        break;
    case MBPF_DIV:
    case MBPF_MOD:
        call_rt64(t, MBPF_JB_FN_DIV64, al, ah, sl, sh,
                  (op == MBPF_MOD ? 1u : 0u) | (in->off == 1 ? 2u : 0u), 0);
        dl = T2_R0;
        dh = T2_R1;
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        call_rt64(t, MBPF_JB_FN_SHIFT64, al, ah, sl, sh,
                  op == MBPF_LSH ? 0u : op == MBPF_RSH ? 1u : 2u, 1);
        dl = T2_R0;
        dh = T2_R1;
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 64-bit ALU operation");
    }
    put_h(t, H_LO(d), dl);
    put_h(t, H_HI(d), dh);
    return 0;
}

/* A rotate window (mid_idioms.h): one ror for 32 bits, four shifted-operand instructions for
 * 64 (two when one half is dead), instead of the copies, shifts and or. */
static void lower_rotate(t2 *t, const mid_rotate *r)
{
    const int x = r->src, d = r->dst, k = r->right;
    const int ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    /* the window defines d at its last instruction: a local value of d that ends inside it
     * does not hold the result (reads below come first; the result goes home or to the block) */
    if (!r->wide) {
        if (ld) {
            const int xl = rd_h(t, H_LO(x), T2_R0);
            t->local[H_LO(d)] = t->local[H_HI(d)] = NO_REG;
            const int dl = dst_h(t, H_LO(d), T2_R0, 0);
            e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, xl, T2_ROR, k));
            put_h(t, H_LO(d), dl);
        }
        t->local[H_LO(d)] = t->local[H_HI(d)] = NO_REG;
        put_hi_zero(t, d);
        return;
    }
    if (!ld && !hd)
        return;
    const int xl = rd_h(t, H_LO(x), T2_R2), xh = rd_h(t, H_HI(x), T2_R3);
    t->local[H_LO(d)] = t->local[H_HI(d)] = NO_REG;
    if (k == 32) { /* the halves swap places; xl is copied first only when d's lower half
                    * overwrites it */
        const int keep = ld && where(t, H_LO(d)) == xl;
        if (keep)
            mov(t, T2_R12, xl);
        put_h(t, H_LO(d), xh);
        put_h(t, H_HI(d), keep ? T2_R12 : xl);
        return;
    }
    /* right by k: lo' = a >> s | b << (32 - s), hi' = b >> s | a << (32 - s) */
    const int a = k < 32 ? xl : xh, b = k < 32 ? xh : xl, sh = k & 31;
    int lo = dst_h(t, H_LO(d), T2_R0, 0), hi = dst_h(t, H_HI(d), T2_R1, 0);
    if (lo == a || lo == b)
        lo = T2_R0; /* both sources are still needed for the upper half */
    if (hi == a)
        hi = T2_R1;
    if (ld) {
        e32(t, t2_dp_reg(T2_ORR, 0, lo, T2_PC, a, T2_LSR, sh));
        e32(t, t2_dp_reg(T2_ORR, 0, lo, lo, b, T2_LSL, 32 - sh));
    }
    if (hd) {
        e32(t, t2_dp_reg(T2_ORR, 0, hi, T2_PC, b, T2_LSR, sh));
        e32(t, t2_dp_reg(T2_ORR, 0, hi, hi, a, T2_LSL, 32 - sh));
    }
    put_h(t, H_LO(d), lo);
    put_h(t, H_HI(d), hi);
}

/* x = ror(x * k, right) in 32 bits (t2_mulrot.h); the window defines x at its last instruction,
 * as a rotate does (lower_rotate). */
static void lower_mulrot(t2 *t, const t2_mulrot *r)
{
    const int x = r->x;
    if (live_h(t, H_LO(x))) {
        const int xl = rd_h(t, H_LO(x), T2_R0);
        const int kr = imm_reg(t, T2_R2, r->k);
        t->local[H_LO(x)] = t->local[H_HI(x)] = NO_REG;
        const int dl = dst_h(t, H_LO(x), T2_R0, 0);
        e32(t, t2_mul(dl, xl, kr));
        e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, dl, T2_ROR, r->right));
        put_h(t, H_LO(x), dl);
    }
    t->local[H_LO(x)] = t->local[H_HI(x)] = NO_REG;
    put_hi_zero(t, x);
}

static int lower_alu32(t2 *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in), op = MBPF_OP(in->code);
    const int x = MBPF_SRCBIT(in->code) != 0;
    int dl, sl;
    if (!(t->live & MID_BOTH(d)))
        return 0; /* dead result */
    if (op == MBPF_END) {
        if (in->imm == 64) {
            if (x)
                bswap64(t, d);
            return 0; /* le64: nothing to do */
        }
        dl = dst_h(t, H_LO(d), T2_R0, 1);
        if (x)
            e32(t, in->imm == 16 ? t2_rev16(dl, dl) : t2_rev(dl, dl));
        if (in->imm == 16)
            e32(t, t2_uxth(dl, dl));
        put_h(t, H_LO(d), dl);
        put_hi_zero(t, d);
        return 0;
    }
    if (op == MBPF_MOV) {
        if (x) {
            if (fuse_mov(t, in))
                return 0;
            if (MBPF_SRC(in) == d && in->off == 0 && t->alias_d < 0) {
                put_hi_zero(t, d); /* a zero-extension: the lower half stays where it is */
                return 0;
            }
            sl = rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            if (in->off == 8)
                e32(t, t2_sxtb(dl, sl));
            else if (in->off == 16)
                e32(t, t2_sxth(dl, sl));
            else
                dl = sl;
        } else {
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            load_imm(t, dl, (uint32_t)in->imm);
        }
        put_h(t, H_LO(d), dl);
        put_hi_zero(t, d);
        return 0;
    }
    if (op == MBPF_NEG) {
        dl = dst_h(t, H_LO(d), T2_R0, 1);
        e32(t, t2_dp_imm8(T2_RSB, 0, dl, dl, 0));
        put_h(t, H_LO(d), dl);
        put_hi_zero(t, d);
        return 0;
    }
    if (!x) {
        uint32_t imm = (uint32_t)in->imm;
        int done = 1;
        if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) {
            imm &= 31;
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            if (imm)
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, al,
                                 op == MBPF_LSH ? T2_LSL : op == MBPF_RSH ? T2_LSR : T2_ASR, (int)imm));
            else
                mov(t, dl, al);
        } else if ((op == MBPF_ADD || op == MBPF_SUB) && (imm < 4096 || -imm < 4096)) {
            const int al = rd_h(t, H_LO(d), T2_R0);
            const int add = (op == MBPF_ADD) == (imm < 4096);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            const uint32_t v = imm < 4096 ? imm : -imm;
            e32(t, add ? t2_addw(dl, al, v) : t2_subw(dl, al, v));
        } else if ((op == MBPF_ADD || op == MBPF_SUB) && t2_modimm(imm) >= 0) {
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            e32(t, t2_dp_modimm(op == MBPF_ADD ? T2_ADD : T2_SUB, 0, dl, al, t2_modimm(imm)));
        } else if (op == MBPF_AND && (imm == 0xffff || imm == 0xff)) { /* zero-extend */
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            e32(t, imm == 0xffff ? t2_uxth(dl, al) : t2_uxtb(dl, al));
        } else if ((op == MBPF_AND || op == MBPF_OR || op == MBPF_XOR) &&
                   (t2_modimm(imm) >= 0 || (op == MBPF_AND && t2_modimm(~imm) >= 0))) {
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            if (t2_modimm(imm) >= 0)
                e32(t, t2_dp_modimm(op == MBPF_AND ? T2_AND : op == MBPF_OR ? T2_ORR : T2_EOR, 0, dl, al,
                                    t2_modimm(imm)));
            else
                e32(t, t2_dp_modimm(T2_BIC, 0, dl, al, t2_modimm(~imm)));
        } else if (op == MBPF_MUL && imm && (imm & (imm - 1)) == 0) { /* 2^k */
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            const int k = __builtin_ctz(imm);
            if (k)
                e32(t, t2_dp_reg(T2_ORR, 0, dl, T2_PC, al, T2_LSL, k));
            else
                mov(t, dl, al);
        } else if (op == MBPF_MUL && imm > 2 && ((imm - 1) & (imm - 2)) == 0) { /* 2^k + 1 */
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            e32(t, t2_dp_reg(T2_ADD, 0, dl, al, al, T2_LSL, __builtin_ctz(imm - 1)));
        } else if (op == MBPF_MUL && imm > 2 && imm != 0xffffffffu && ((imm + 1) & imm) == 0) { /* 2^k - 1 */
            const int al = rd_h(t, H_LO(d), T2_R0);
            dl = dst_h(t, H_LO(d), T2_R0, 0);
            e32(t, t2_dp_reg(T2_RSB, 0, dl, al, al, T2_LSL, __builtin_ctz(imm + 1)));
        } else {
            done = 0;
        }
        if (done) {
            put_h(t, H_LO(d), dl);
            put_hi_zero(t, d);
            return 0;
        }
        sl = imm_reg(t, T2_R2, imm);
    } else {
        sl = rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
    }
    const int al = rd_h(t, H_LO(d), T2_R0);
    dl = dst_h(t, H_LO(d), T2_R0, 0);
    switch (op) {
    case MBPF_ADD: e32(t, t2_dp_reg(T2_ADD, 0, dl, al, sl, 0, 0)); break;
    case MBPF_SUB: e32(t, t2_dp_reg(T2_SUB, 0, dl, al, sl, 0, 0)); break;
    case MBPF_AND: e32(t, t2_dp_reg(T2_AND, 0, dl, al, sl, 0, 0)); break;
    case MBPF_OR: e32(t, t2_dp_reg(T2_ORR, 0, dl, al, sl, 0, 0)); break;
    case MBPF_XOR: e32(t, t2_dp_reg(T2_EOR, 0, dl, al, sl, 0, 0)); break;
    case MBPF_MUL: e32(t, t2_mul(dl, al, sl)); break;
    case MBPF_DIV: /* the core's UDIV/SDIV give 0 for a zero divisor, as eBPF wants */
        e32(t, in->off == 1 ? t2_sdiv(dl, al, sl) : t2_udiv(dl, al, sl));
        break;
    case MBPF_MOD: /* d - (d / s) * s: the quotient 0 of a zero divisor leaves d */
        e32(t, in->off == 1 ? t2_sdiv(T2_R12, al, sl) : t2_udiv(T2_R12, al, sl));
        e32(t, t2_mls(dl, T2_R12, sl, al));
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        e32(t, t2_dp_imm8(T2_AND, 0, T2_R12, sl, 31));
        e32(t, t2_shift_reg(op == MBPF_LSH ? T2_LSL : op == MBPF_RSH ? T2_LSR : T2_ASR, dl, al, T2_R12));
        break;
    default:
        return jit_fail(t->c, t->pc, "unsupported 32-bit ALU operation");
    }
    put_h(t, H_LO(d), dl);
    put_hi_zero(t, d);
    return 0;
}

/* ---- jumps ------------------------------------------------------------------------------------- */

static int cond32(int op, int is_unsigned)
{
    switch (op) {
    case MBPF_JEQ: return T2_EQ;
    case MBPF_JNE: return T2_NE;
    case MBPF_JGT: return T2_HI;
    case MBPF_JGE: return T2_CS;
    case MBPF_JLT: return T2_CC;
    case MBPF_JLE: return T2_LS;
    case MBPF_JSGT: return is_unsigned ? T2_HI : T2_GT;
    case MBPF_JSGE: return is_unsigned ? T2_CS : T2_GE;
    case MBPF_JSLT: return is_unsigned ? T2_CC : T2_LT;
    default: return is_unsigned ? T2_LS : T2_LE;
    }
}

/* Set flags for the condition and return the ARM condition that means "taken". */
static int compare(t2 *t, const mbpf_insn *in)
{
    const int op = MBPF_OP(in->code), d = MBPF_DST(in);
    const int narrow = MBPF_CLASS(in->code) == MBPF_JMP && mid_jump_narrow(in, t->hz);
    const int is32 = MBPF_CLASS(in->code) == MBPF_JMP32 || narrow;
    const int x = MBPF_SRCBIT(in->code) != 0;
    const int small = !x && in->imm >= 0 && in->imm <= 255;
    int dl, dh, sl, sh;
    if (is32) {
        dl = rd_h(t, H_LO(d), T2_R0);
        if (op == MBPF_JSET) {
            if (!x && t2_modimm((uint32_t)in->imm) >= 0)
                e32(t, t2_dp_modimm(T2_AND, 1, T2_R12, dl, t2_modimm((uint32_t)in->imm)));
            else
                e32(t, t2_dp_reg(T2_AND, 1, T2_R12, dl, src_lo(t, in), 0, 0));
            return T2_NE;
        }
        if (!x && t2_modimm((uint32_t)in->imm) >= 0)
            e32(t, t2_dp_modimm(T2_SUB, 1, T2_PC, dl, t2_modimm((uint32_t)in->imm)));
        else if (!x && in->imm != INT32_MIN && t2_modimm((uint32_t)-in->imm) >= 0) /* cmn */
            e32(t, t2_dp_modimm(T2_ADD, 1, T2_PC, dl, t2_modimm((uint32_t)-in->imm)));
        else
            e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, dl, src_lo(t, in), 0, 0));
        return cond32(op, narrow);
    }
    if (small && (op == MBPF_JEQ || op == MBPF_JNE)) {
        dl = rd_h(t, H_LO(d), T2_R0);
        dh = rd_h(t, H_HI(d), T2_R1);
        e32(t, t2_dp_imm8(T2_EOR, 0, T2_R12, dl, (uint32_t)in->imm));
        e32(t, t2_dp_reg(T2_ORR, 1, T2_R12, T2_R12, dh, 0, 0));
        return op == MBPF_JEQ ? T2_EQ : T2_NE;
    }
    sl = src_lo(t, in);
    sh = src_hi(t, in);
    dl = rd_h(t, H_LO(d), T2_R0);
    dh = rd_h(t, H_HI(d), T2_R1);
    switch (op) {
    case MBPF_JEQ:
    case MBPF_JNE: /* cmp lo; it eq; cmpeq hi: Z only when both halves are equal */
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, dl, sl, 0, 0));
        e16(t, t2_it(T2_EQ));
        t->in_it = 1;
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, dh, sh, 0, 0));
        return op == MBPF_JEQ ? T2_EQ : T2_NE;
    case MBPF_JSET: /* tst lo; it eq; tsteq hi: Z only when no bit is common */
        e32(t, t2_dp_reg(T2_AND, 1, T2_PC, dl, sl, 0, 0));
        e16(t, t2_it(T2_EQ));
        t->in_it = 1;
        e32(t, t2_dp_reg(T2_AND, 1, T2_PC, dh, sh, 0, 0));
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

/* Native offset a jump to eBPF instruction `target` lands on: a bounded back edge skips the
 * loop-entry charge at the head of its loop. */
static uint32_t jump_dest(t2 *t, uint32_t target, const mbpf_fact *f)
{
    const jit_ctx *c = t->c;
    const ml_loop *l = mid_loop_around(c->loops, t->pc);
    if (l && target == l->head && target <= t->pc) /* a versioned loop's back edge stays in its copy */
        return t->fast ? t->fast_start : c->loop_slow[l - c->loops->loop];
    if (t->fast && t->fast == l) /* a jump inside the fast copy of a rotated loop */
        for (uint32_t j = 0; j < l->n_targets; j++)
            if (l->target[j] == target)
                return c->loop_fast[l - c->loops->loop][j];
    const ml_loop *into = mid_loop_around(c->loops, target);
    if (into && into != l && (into->flags & ML_ROTATED) && target == into->entry)
        return jit_insn_offset(c, into->head); /* entering a rotated loop: its test */
    uint32_t to = jit_insn_offset(c, target);
    const mbpf_fact *tf = &c->facts[target];
    if ((f->flags & MBPF_FACT_BACKEDGE) && (f->flags & MBPF_FACT_BOUNDED) &&
        (tf->flags & MBPF_FACT_LOOP_HEAD))
        to += loop_entry_bytes(t, target, MBPF_FACT_TRIPS(tf));
    return to;
}

static int lower_jump(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t to = jump_dest(t, jit_jump_target(t->pc, in), f);
    /* the fast copy of a loop charged its back edges before it started */
    const int budgeted = jit_needs_budget(f) &&
                         !(t->fast && (t->fast->flags & ML_PRECHARGE) &&
                           mid_loop_back_edge(t->fast, t->c->prog, t->pc));
    const int cls = jit_jump_target(t->pc, in) <= t->pc ? BR_BACK : BR_J;
    if (MBPF_OP(in->code) == MBPF_JA) {
        if (budgeted)
            budgeted_jump(t, -1, to, cls);
        else
            br(t, -1, to, cls);
        return 0;
    }
    int cond = compare(t, in);
    if (budgeted)
        budgeted_jump(t, cond, to, cls);
    else
        br(t, cond, to, cls);
    return 0;
}

/* ---- memory ------------------------------------------------------------------------------------ */

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

/* A load/store at [rn + disp], disp in -255..4095. */
static void ldst(t2 *t, int kind, int rt, int rn, int32_t disp)
{
    if (disp >= 0)
        e32(t, t2_ldst_imm12(kind, rt, rn, (uint32_t)disp));
    else
        e32(t, t2_ldst_neg8(kind, rt, rn, (uint32_t)-disp));
}

/* Inline guard for an access attributed to one region: the address (r12, upper half zero) must
 * lie in that region's bounds; anything else (another region, a helper-granted one, a fault)
 * goes to the cold stub and the full check, so the result is exactly the interpreter's. */
static int inline_guard(t2 *t, const mbpf_fact *f, uint32_t size, int write, int a, uint32_t cold)
{
    uint32_t start, end;
    if (!jit_region_bounds(f->region, write, &start, &end))
        return 0;
    /* the region is [start, end) (the glue keeps start <= end): the access is inside iff
     * a >= start, end >= a and end - a >= size, all unsigned; each test runs only when the one
     * before passed (itt), so carry clear after them means outside. One branch. */
    if (!end && t->r10_free)
        end = MBPF_JB_STACK_TOP0; /* no call moves the frame: the live stack ends there */
    ldr_block(t, T2_R2, start);
    if (end)
        ldr_block(t, T2_R3, end);
    e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, a, T2_R2, 0, 0));   /* cmp a, start */
    e16(t, t2_itt(T2_CS));
    t->in_it = 2;
    /* subscs: end - a (the live stack ends at the current frame's top, r10) */
    e32(t, t2_dp_reg(T2_SUB, 1, T2_R3, end ? T2_R3 : T2_R10, a, 0, 0));
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_PC, T2_R3, size));     /* cmpcs end - a, size */
    br(t, T2_CC, cold_off(t, cold), BR_C);
    return 1;
}

/* The address of an access: returns the base register and sets *disp. A proven access uses the
 * base register directly when the offset fits the load/store forms (`room` more bytes for the
 * upper word of a 64-bit access); a guarded one computes the address (into r12 unless the offset
 * is 0 and the upper half known zero) and checks it. A load group's leader (`group`) computes
 * and checks its lowest address and `size` bytes from it, its members' accesses (t2_groups.h). */
static int address(t2 *t, int base, int16_t off, uint32_t size, int write, const mbpf_fact *f,
                   int group, int32_t *disp)
{
    const int32_t room = size == 8 ? 4 : 0;
    *disp = 0;
    if (f->mem == MBPF_MEM_PROVEN) {
        int bl = rd_h(t, H_LO(base), T2_R12);
        if (off >= -255 && off + room <= 4095) {
            *disp = off;
            return bl;
        }
        load_imm(t, T2_R0, (uint32_t)(int32_t)off);
        e32(t, t2_dp_reg(T2_ADD, 0, T2_R12, bl, T2_R0, 0, 0));
        return T2_R12;
    }
    /* a group's cold path steps the address in 64 bits: below the base, its upper half must be
     * exact (the known-zero form only says "wrapped") */
    const int hzb = hz_r(t, base) && !(group && off < 0);
    const uint32_t wflag = write ? COLD_WRITE : 0;
    const int bl = rd_h(t, H_LO(base), T2_R12);
    const int a = off == 0 ? bl : T2_R12;
    /* the address's upper half: the base's when the offset is 0, else computed into r1 */
    const int bh = hzb ? T2_R1 : rd_h(t, H_HI(base), T2_R1);
    const int ah = off == 0 ? bh : T2_R1;
    const uint32_t kind = group ? (hzb ? COLD_GROUP_HZ : COLD_GROUP) : (hzb ? COLD_GUARD_HZ : COLD_GUARD);
    const uint32_t cold = cold_new(t, kind | wflag, group ? 0 : size, a, ah);
    if (hzb) {
        /* upper half zero: the address's upper half is the carry (or borrow) of the offset */
        const uint32_t wrap = cold_off(t, cold) + COLD_WRAP;
        if (off > 0 && off <= 255) {
            e32(t, t2_dp_imm8(T2_ADD, 1, T2_R12, bl, (uint32_t)off));
            br(t, T2_CS, wrap, BR_C);
        } else if (off < 0 && off >= -255) {
            e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, bl, (uint32_t)-off));
            br(t, T2_CC, wrap, BR_C);
        } else if (off != 0) {
            load_imm(t, T2_R0, (uint32_t)(int32_t)off);
            e32(t, t2_dp_reg(T2_ADD, 1, T2_R12, bl, T2_R0, 0, 0));
            br(t, off > 0 ? T2_CS : T2_CC, wrap, BR_C);
        }
    } else {
        if (off == 0) {
            /* the base is the address */
        } else if (off > 0 && off <= 255) { /* 64-bit base + small offset: adds / adcs #0 */
            e32(t, t2_dp_imm8(T2_ADD, 1, T2_R12, bl, (uint32_t)off));
            e32(t, t2_dp_imm8(T2_ADC, 1, T2_R1, bh, 0));
        } else if (off < 0 && off >= -255) { /* subs / sbcs #0 */
            e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, bl, (uint32_t)-off));
            e32(t, t2_dp_imm8(T2_SBC, 1, T2_R1, bh, 0));
        } else {
            load_imm(t, T2_R0, (uint32_t)(int32_t)off);
            e32(t, t2_dp_reg(T2_ADD, 1, T2_R12, bl, T2_R0, 0, 0));
            e32(t, t2_dp_reg(T2_ORR, 0, T2_R0, T2_PC, T2_R0, T2_ASR, 31)); /* off's upper half */
            e32(t, t2_dp_reg(T2_ADC, 1, T2_R1, bh, T2_R0, 0, 0));
        }
        if (off == 0) /* else the adcs / sbcs set Z from the upper half */
            cmp_imm(t, ah, 0);
        br(t, T2_NE, cold_off(t, cold), BR_C);
    }
    if (!(f->mem == MBPF_MEM_GUARD_REGION && inline_guard(t, f, size, write, a, cold)))
        br(t, -1, cold_off(t, cold), BR_C); /* region unknown: the full check every time */
    cold_return_here(t, cold);
    return a;
}

/* Loads of a group (t2_groups.h): a member was checked at its leader, so it is lowered as a
 * proven access; a leader checks the whole group. Returns the base register, sets *disp. */
static int load_address(t2 *t, const mbpf_insn *in, const mbpf_fact *f, int32_t *disp)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    if (f->mem == MBPF_MEM_GUARD_REGION) {
        if (t2_group_member(t->c, &t->group, t->pc)) {
            mbpf_fact proven = *f;
            proven.mem = MBPF_MEM_PROVEN;
            return address(t, MBPF_SRC(in), in->off, size, 0, &proven, 0, disp);
        }
        t2_group_scan(t->c, t->pc, &t->group);
        if (t->group.last) {
            const int a = address(t, MBPF_SRC(in), (int16_t)t->group.min_off, t->group.span, 0, f, 1,
                                  disp);
            *disp = in->off - t->group.min_off;
            return a;
        }
    }
    return address(t, MBPF_SRC(in), in->off, size, 0, f, 0, disp);
}

static int lower_load(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const int d = MBPF_DST(in);
    const uint32_t size = mbpf_size_bytes(in->code);
    const int ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    int32_t disp;
    const int b = load_address(t, in, f, &disp);
    if (!ld && !hd)
        return 0; /* checked, result unused */
    const int dl = dst_h(t, H_LO(d), T2_R0, 0), dh = dst_h(t, H_HI(d), T2_R1, 0);
    if (size == 8) {
        /* two word loads (no ldrd: the address may be unaligned); the base goes last */
        if (b == dl) {
            if (hd)
                ldst(t, T2_LDR, dh, b, disp + 4);
            ldst(t, T2_LDR, dl, b, disp);
        } else {
            if (ld)
                ldst(t, T2_LDR, dl, b, disp);
            if (hd)
                ldst(t, T2_LDR, dh, b, disp + 4);
        }
    } else {
        if (ld || MBPF_MODE(in->code) == MBPF_MEMSX)
            ldst(t, ldst_kind(in, 1), dl, b, disp);
        if (hd) {
            if (MBPF_MODE(in->code) == MBPF_MEMSX)
                e32(t, t2_dp_reg(T2_ORR, 0, dh, T2_PC, dl, T2_ASR, 31));
            else
                mov0(t, dh);
        }
    }
    put_h(t, H_LO(d), dl);
    put_h(t, H_HI(d), dh);
    return 0;
}

static int lower_store(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    int vl, vh = NO_REG;
    int32_t disp;
    const int b = address(t, MBPF_DST(in), in->off, size, 1, f, 0, &disp);
    if (MBPF_CLASS(in->code) == MBPF_ST) {
        load_imm(t, T2_R2, (uint32_t)in->imm);
        vl = T2_R2;
        if (size == 8) {
            if (((uint32_t)in->imm ^ (in->imm < 0 ? 0xffffffffu : 0)) == 0)
                vh = T2_R2;
            else {
                load_imm(t, T2_R3, in->imm < 0 ? 0xffffffffu : 0);
                vh = T2_R3;
            }
        }
    } else {
        vl = rd_h(t, H_LO(MBPF_SRC(in)), T2_R2);
        if (size == 8)
            vh = rd_h(t, H_HI(MBPF_SRC(in)), T2_R3);
    }
    ldst(t, ldst_kind(in, 0), vl, b, disp);
    if (size == 8)
        ldst(t, T2_STR, vh, b, disp + 4);
    return 0;
}

/* Atomics go through the runtime: fn_atomic(block, addr, value, imm | size << 16). */
static int lower_atomic(t2 *t, const mbpf_insn *in, const mbpf_fact *f)
{
    const uint32_t size = mbpf_size_bytes(in->code);
    const int s = MBPF_SRC(in);
    int32_t disp;
    int b = address(t, MBPF_DST(in), in->off, size, 1, f, 0, &disp);
    if (b != T2_R12 || disp) {
        if (disp >= 0)
            e32(t, t2_addw(T2_R12, b, (uint32_t)disp));
        else
            e32(t, t2_subw(T2_R12, b, (uint32_t)-disp));
    }
    if (in->imm == MBPF_CMPXCHG) { /* the expected value is eBPF r0 */
        str_block(t, rd_h(t, H_LO(0), T2_R2), MBPF_JB_R0_LO);
        str_block(t, rd_h(t, H_HI(0), T2_R3), MBPF_JB_R0_HI);
    }
    mov(t, T2_R2, rd_h(t, H_LO(s), T2_R2));
    mov(t, T2_R3, rd_h(t, H_HI(s), T2_R3));
    mov(t, T2_R1, T2_R12);
    load_imm(t, T2_R0, (uint32_t)in->imm | size << 16);
    str_block(t, T2_R0, MBPF_JB_ATOMIC_OP);
    mov(t, T2_R0, T2_R11);
    lr_save(t);
    call_block_fn(t, MBPF_JB_FN_ATOMIC);
    lr_restore(t);
    const int r = in->imm == MBPF_CMPXCHG ? 0 : s;
    if (in->imm == MBPF_CMPXCHG || (in->imm & MBPF_FETCH)) {
        put_h(t, H_LO(r), T2_R0);
        put_h(t, H_HI(r), T2_R1);
    }
    return 0;
}

/* ---- calls ------------------------------------------------------------------------------------- */

static int lower_helper_call(t2 *t, const mbpf_insn *in)
{
    lr_save(t);
    /* args are the slots of r1..r5: write back the halves held in native registers */
    for (int r = 1; r <= 5; r++) {
        if (t->loc[H_LO(r)] != NO_REG)
            str_block(t, t->loc[H_LO(r)], MBPF_JB_REG_LO(r));
        if (t->loc[H_HI(r)] != NO_REG)
            str_block(t, t->loc[H_HI(r)], MBPF_JB_REG_HI(r));
    }
    uint32_t pcw = t->pc;
    if (MBPF_SRCBIT(in->code)) {
        /* callx: the trampoline reads all 64 bits of the id from d's block slots (an id with
         * bits above 31 is an unknown helper, reported with the whole id as in the interpreter) */
        const int d = MBPF_DST(in);
        const int lo = rd_h(t, H_LO(d), T2_R1);
        str_block(t, lo, MBPF_JB_REG_LO(d));
        str_block(t, rd_h(t, H_HI(d), T2_R2), MBPF_JB_REG_HI(d));
        mov(t, T2_R1, lo);
        pcw |= MBPF_JIT_CALLX | MBPF_JIT_CALLX_REG(d);
    } else {
        load_imm(t, T2_R1, (uint32_t)in->imm);
    }
    if (t->budget_reg != NO_REG)
        str_block(t, t->budget_reg, MBPF_JB_BUDGET);
    mov(t, T2_R0, T2_R11);
    str_block(t, T2_R10, MBPF_JB_STACK_CUR);
    e32(t, t2_addw(T2_R2, T2_R11, MBPF_JB_REG_LO(1)));
    load_imm(t, T2_R3, pcw);
    call_block_fn(t, MBPF_JB_FN_HELPER);
    lr_restore(t);
    put_h(t, H_LO(0), T2_R0);
    put_h(t, H_HI(0), T2_R1);
    if (t->budget_reg != NO_REG)
        ldr_block(t, t->budget_reg, MBPF_JB_BUDGET);
    ldr_block(t, T2_R2, MBPF_JB_STATUS);
    cmp_imm(t, T2_R2, 0);
    br(t, T2_NE, stub(t, STUB_HELPER_END), BR_S);
    return 0;
}

/* The halves of r6..r9 live after a local call are saved around it, in pairs (lo or r2, hi or
 * r3), so that push and pop use the same registers. */
static uint16_t saved_pair(t2 *t, int r, int *lo, int *hi)
{
    *lo = t->loc[H_LO(r)] != NO_REG ? t->loc[H_LO(r)] : T2_R2;
    *hi = t->loc[H_HI(r)] != NO_REG ? t->loc[H_HI(r)] : T2_R3;
    return (uint16_t)(1u << *lo | 1u << *hi);
}

static int lower_local_call(t2 *t, uint32_t target)
{
    int lo, hi;
    budget_charge(t);
    e32(t, t2_movw(T2_R0, t->pc));
    ldr_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    e32(t, t2_dp_imm8(T2_SUB, 1, T2_R12, T2_R12, 1));
    br(t, T2_CC, stub(t, STUB_DEPTH), BR_S);
    str_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    for (int r = 6; r <= 9; r++) {
        if (!(t->live & MID_BOTH(r)))
            continue;
        const uint16_t list = saved_pair(t, r, &lo, &hi);
        if (lo == T2_R2 && live_h(t, H_LO(r)))
            ldr_block(t, T2_R2, MBPF_JB_REG_LO(r));
        if (hi == T2_R3 && live_h(t, H_HI(r)))
            ldr_block(t, T2_R3, MBPF_JB_REG_HI(r));
        e32(t, t2_push(list));
    }
    e32(t, t2_push_one(T2_R10));
    e32(t, t2_addw(T2_R10, T2_R10, MBPF_STACK_SIZE));
    bl_to(t, jit_insn_offset(t->c, target) - 2); /* the callee's push {lr} */
    e32(t, t2_pop_one(T2_R10));
    for (int r = 9; r >= 6; r--) {
        if (!(t->live & MID_BOTH(r)))
            continue;
        e32(t, t2_pop(saved_pair(t, r, &lo, &hi)));
        if (lo == T2_R2)
            put_h(t, H_LO(r), T2_R2);
        if (hi == T2_R3)
            put_h(t, H_HI(r), T2_R3);
    }
    ldr_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    e32(t, t2_dp_imm8(T2_ADD, 0, T2_R12, T2_R12, 1));
    str_block(t, T2_R12, MBPF_JB_DEPTH_LEFT);
    return 0;
}

static void epilogue(t2 *t, int restore_sp);

static int lower_exit(t2 *t)
{
    if (t->in_subprog) {
        e16(t, t2_pop_pc16());
        return 0;
    }
    str_block(t, rd_h(t, H_LO(0), T2_R0), MBPF_JB_R0_LO);
    str_block(t, rd_h(t, H_HI(0), T2_R1), MBPF_JB_R0_HI);
    mov0(t, T2_R0);
    if (t->exit_inline) /* the status is 0 at entry and stays so on the way to a normal exit */
        epilogue(t, 0);
    else
        br(t, -1, stub(t, STUB_RETURN), BR_S);
    return 0;
}

/* ---- one instruction, prologue, stubs ---------------------------------------------------------- */

/* w = the budget word (mbpf_jit_budget_word) of the 64-bit budget at the block's budget_at:
 * its low word, all ones when unlimited (0) or 2^32 or more. Clobbers r12 and the flags. */
static void budget_word(t2 *t, int w)
{
    ldr_block(t, T2_R12, MBPF_JB_BUDGET_AT);
    e32(t, t2_ldst_imm12(T2_LDR, w, T2_R12, 0));
    e32(t, t2_ldst_imm12(T2_LDR, T2_R12, T2_R12, 4));
    cmp_imm(t, T2_R12, 0);
    e16(t, t2_it(T2_NE));
    t->in_it = 1;
    mov0(t, w); /* 2^32 or more: as unlimited */
    cmp_imm(t, w, 0);
    e16(t, t2_it(T2_EQ));
    t->in_it = 1;
    load_imm(t, w, 0xffffffffu);
}

static int lower_lddw(t2 *t, const mbpf_insn *in)
{
    const int d = MBPF_DST(in);
    const mbpf_insn *next = in + 1;
    if (!(t->live & MID_BOTH(d)))
        return 0;
    if (MBPF_SRC(in) == MBPF_LDDW_REGION) {
        const int dl = dst_h(t, H_LO(d), T2_R0, 0);
        if (live_h(t, H_LO(d))) {
            ldr_block(t, dl, in->imm == MBPF_REGION_ID_RODATA ? MBPF_JB_RODATA : MBPF_JB_DATA);
            if ((uint32_t)next->imm < 4096) {
                if (next->imm)
                    e32(t, t2_addw(dl, dl, (uint32_t)next->imm));
            } else {
                load_imm(t, T2_R12, (uint32_t)next->imm);
                e32(t, t2_dp_reg(T2_ADD, 0, dl, dl, T2_R12, 0, 0));
            }
            put_h(t, H_LO(d), dl);
        }
        put_hi_zero(t, d);
        return 0;
    }
    if (live_h(t, H_LO(d))) {
        const int dl = dst_h(t, H_LO(d), T2_R0, 0);
        load_imm(t, dl, (uint32_t)in->imm);
        put_h(t, H_LO(d), dl);
    }
    if (live_h(t, H_HI(d))) {
        const int dh = dst_h(t, H_HI(d), T2_R1, 0);
        load_imm(t, dh, (uint32_t)next->imm);
        put_h(t, H_HI(d), dh);
    }
    return 0;
}

/* ---- local values in lent registers ------------------------------------------------------------ */

/* Instructions a local value may live across: no call (lr and the scratch registers), no
 * runtime routine, no LDDW (two slots). */
static int local_safe(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU:
        return 1;
    case MBPF_ALU64:
        return !((op == MBPF_DIV || op == MBPF_MOD) ||
                 ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && MBPF_SRCBIT(in->code)));
    case MBPF_LDX:
    case MBPF_ST:
        return 1;
    case MBPF_STX:
        return MBPF_MODE(in->code) != MBPF_ATOMIC;
    default:
        return 0;
    }
}

/* A value of half h defined at pc (h dead before it) whose whole life is straight-line code:
 * returns the last pc that reads it (a mov fused into the next instruction is read there), or
 * 0 when it reaches a join, a call or more than 32 instructions. */
static uint32_t local_life(const jit_ctx *c, const mid_info *m, uint32_t pc, int h)
{
    const uint32_t n = c->prog->n_insns;
    for (uint32_t i = pc, k = 0; k < 32; i++, k++) {
        const mbpf_insn *in = &c->prog->insns[i];
        if (!((m->live_out[i] >> h) & 1u)) { /* the last reader */
            const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
            if (in->code == MBPF_OPC_LDDW || ((cls == MBPF_JMP || cls == MBPF_JMP32) &&
                                              (op == MBPF_CALL || op == MBPF_EXIT)))
                return 0;
            if ((cls == MBPF_ALU64 || cls == MBPF_STX) && !local_safe(in))
                return 0;
            if (i + 1 < n && fuses_at(c, i) && (int)MBPF_SRC(in) == (h & 15))
                return local_safe(&in[1]) ? i + 1 : 0;
            return i;
        }
        if (!local_safe(in) || i + 1 >= n ||
            (c->facts[i + 1].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD)))
            return 0;
    }
    return 0;
}

/* The halves live, read or written anywhere in [pc, end]. */
static uint32_t touched(const t2 *t, uint32_t pc, uint32_t end)
{
    const jit_ctx *c = t->c;
    uint32_t all = 0;
    for (uint32_t i = pc; i <= end; i++) {
        uint32_t use, def;
        mid_use_def(&c->prog->insns[i], &c->facts[i], t->m->live_out[i], t->m->hz_in[i], &use, &def);
        all |= t->m->live_out[i] | use | def;
    }
    return all;
}

/* Is native register r free over a stretch starting at pc: not lent, not the budget counter,
 * and its home half (if any) not among the halves the stretch touches? */
static int lendable(const t2 *t, int r, uint32_t pc, uint32_t touched_halves)
{
    if (t->busy_end[r] > pc || r == t->budget_reg || !((t->saved >> r) & 1u) ||
        ((t->kregs >> r) & 1u))
        return 0;
    return t->owner[r] == NO_REG || !((touched_halves >> t->owner[r]) & 1u);
}

/* Before lowering pc: a half without a home that this instruction defines afresh and whose
 * value lives only in straight-line code borrows a register whose own half is dead there, so
 * the value never goes to the block. */
static void local_window(t2 *t, const mbpf_insn *in)
{
    static const int8_t lendable_regs[8] = {T2_R4, T2_R5, T2_R6, T2_R7, T2_R8, T2_R9, T2_R10, T2_LR};
    const jit_ctx *c = t->c;
    if (!local_safe(in))
        return;
    for (uint32_t b = t->def & t->live & ~t->use; b; b &= b - 1) {
        const int h = __builtin_ctz(b);
        t->local[h] = NO_REG;
        if (t->loc[h] != NO_REG)
            continue;
        const uint32_t end = local_life(c, t->m, t->pc, h);
        if (!end)
            continue;
        const uint32_t busy = touched(t, t->pc, end);
        for (int k = 0; k < 8; k++) {
            const int r = lendable_regs[k];
            if (r == T2_R10 && !t->r10_free)
                continue;
            /* lr only when a home: then the guards' cold paths keep it across their bl */
            if ((r == T2_LR && t->lr_half == NO_REG) || !lendable(t, r, t->pc, busy))
                continue;
            t->local[h] = (int8_t)r;
            t->local_end[h] = end;
            t->busy_end[r] = end + 1;
            break;
        }
    }
}

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
    case MBPF_LD: return lower_lddw(t, in);
    default: /* JMP, JMP32 */
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

/* Region checks: [r12, r12 + size) inside stack (live part), ctx, data or, for reads, rodata;
 * else the runtime's slow check (helper-granted regions); else a fault. */
static void emit_check_stub(t2 *t, int write)
{
    const uint32_t ok = write ? STUB_CHECK_WRITE_OK : STUB_CHECK_READ_OK;
    const uint32_t fail = write ? STUB_CHECK_WRITE_FAIL : STUB_CHECK_READ_FAIL;
    /* fail and ok first, so that every branch to them is a backward one. fail: record pc,
     * address, size; status = read/write fault */
    stub_label(t, fail);
    str_block(t, T2_R0, MBPF_JB_FAULT_PC);
    str_block(t, T2_R12, MBPF_JB_FAULT_ADDR);
    str_block(t, T2_R3, MBPF_JB_FAULT_SIZE);
    load_imm(t, T2_R0, write ? MBPF_FAULT_MEM_WRITE : MBPF_FAULT_MEM_READ);
    b_to(t, jit_stub_offset(t->c, STUB_EXIT));
    const uint32_t pop = t2_pop((1u << T2_R1) | (1u << T2_R2) | (1u << T2_R3) | (1u << T2_PC));
    stub_label(t, ok);
    e32(t, pop);

    stub_label(t, write ? STUB_CHECK_WRITE : STUB_CHECK_READ);
    /* four words pushed, four more on the slow path: sp stays 8-aligned for the C call */
    e32(t, t2_push((1u << T2_R1) | (1u << T2_R2) | (1u << T2_R3) | (1u << T2_LR)));
    cmp_imm(t, T2_R1, 0); /* upper half of the address must be 0 */
    bcond_to(t, T2_NE, jit_stub_offset(t->c, fail));
    e32(t, t2_dp_reg(T2_ADD, 1, T2_R1, T2_R12, T2_R3, 0, 0)); /* end; carry = wrapped */
    bcond_to(t, T2_CS, jit_stub_offset(t->c, fail));
    static const uint8_t regions[4] = {MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_DATA, MBPF_RGN_RODATA};
    for (int i = 0; i < 4; i++) {
        uint32_t start, end;
        if (!jit_region_bounds(regions[i], write, &start, &end))
            continue;
        if (!end && t->r10_free)
            end = MBPF_JB_STACK_TOP0; /* no call moves the frame: the live stack ends there */
        uint32_t rest[2]; /* after the test of the start: the test of the end */
        int n = 0;
        if (end)
            rest[n++] = t2_ldst_imm12(T2_LDR, T2_R2, T2_R11, end);
        /* the live stack ends at the current frame's top */
        rest[n++] = t2_dp_reg(T2_SUB, 1, T2_PC, T2_R1, end ? T2_R2 : T2_R10, 0, 0);
        ldr_block(t, T2_R2, start);
        e32(t, t2_dp_reg(T2_SUB, 1, T2_PC, T2_R12, T2_R2, 0, 0));
        const uint32_t at = t->c->pos + 2 + seq_bytes(t, rest, n); /* the branch to ok */
        e16(t, t2_b_cond16(T2_CC, (int32_t)(at + branch_bytes(t, T2_LS, jit_stub_offset(t->c, ok), BR_BACK, at)) -
                                      (int32_t)(t->c->pos + 4)));
        for (int k = 0; k < n; k++)
            e32(t, rest[k]);
        bcond_to(t, T2_LS, jit_stub_offset(t->c, ok));
    }
    /* slow path: fn_check(block, addr, size, write) for helper-granted regions; it checks the
     * stack too, against the current frame's top (after a local call, not the frame of the
     * last helper call) */
    const uint16_t keep = (1u << T2_R0) | (1u << T2_R3) | (1u << T2_R12) | (1u << T2_LR);
    if (t->r10_free) { /* r10 may be a home: the frame top is still the initial one */
        ldr_block(t, T2_R2, MBPF_JB_STACK_TOP0);
        str_block(t, T2_R2, MBPF_JB_STACK_CUR);
    } else {
        str_block(t, T2_R10, MBPF_JB_STACK_CUR);
    }
    e32(t, t2_push(keep));
    mov(t, T2_R2, T2_R3);
    mov(t, T2_R1, T2_R12);
    mov(t, T2_R0, T2_R11);
    load_imm(t, T2_R3, (uint32_t)write);
    call_block_fn(t, MBPF_JB_FN_CHECK);
    mov(t, T2_R1, T2_R0);
    e32(t, t2_pop(keep));
    cmp_imm(t, T2_R1, 0);
    bcond_to(t, T2_EQ, jit_stub_offset(t->c, fail));
    e32(t, pop);
}

/* Leave the generated code: the budget back to the block, the native stack as at entry when a
 * fault may leave from a deeper frame (local calls, the region checks' frames), the registers
 * the entry saved. */
static void epilogue(t2 *t, int restore_sp)
{
    if (t->budget_reg != NO_REG)
        str_block(t, t->budget_reg, MBPF_JB_BUDGET);
    if (restore_sp) {
        ldr_block(t, T2_R1, MBPF_JB_SAVED_SP);
        e16(t, t2_mov_sp16(T2_R1));
    }
    e32(t, t2_pop((uint16_t)((t->saved & ~(1u << T2_LR)) | 1u << T2_PC)));
}

/* Shared stubs, each only when code branches to it (the body and the cold paths are lowered
 * first, so the uses are known here in both passes). */
static void emit_stubs(t2 *t, int sp_saved)
{
    const uint32_t used = t->stubs_used;
    const uint32_t faults = 1u << STUB_BUDGET | 1u << STUB_DEPTH | 1u << STUB_HELPER_END |
                            1u << STUB_CHECK_READ | 1u << STUB_CHECK_WRITE;
    if (used & (faults | 1u << STUB_RETURN)) { /* exit with r0 = status */
        stub_label(t, STUB_EXIT);
        str_block(t, T2_R0, MBPF_JB_STATUS);
        stub_label(t, STUB_RETURN);
        epilogue(t, sp_saved);
    }
    if (used & 1u << STUB_BUDGET) {
        stub_label(t, STUB_BUDGET);
        str_block(t, T2_R0, MBPF_JB_FAULT_PC);
        load_imm(t, T2_R0, MBPF_FAULT_BUDGET);
        b_to(t, jit_stub_offset(t->c, STUB_EXIT));
    }
    if (used & 1u << STUB_DEPTH) {
        stub_label(t, STUB_DEPTH);
        str_block(t, T2_R0, MBPF_JB_FAULT_PC);
        load_imm(t, T2_R0, MBPF_FAULT_CALL_DEPTH);
        b_to(t, jit_stub_offset(t->c, STUB_EXIT));
    }
    if (used & 1u << STUB_HELPER_END) { /* the trampoline stored the status */
        stub_label(t, STUB_HELPER_END);
        ldr_block(t, T2_R0, MBPF_JB_STATUS);
        b_to(t, jit_stub_offset(t->c, STUB_RETURN));
    }
    if (used & 1u << STUB_CHECK_READ)
        emit_check_stub(t, 0);
    if (used & 1u << STUB_CHECK_WRITE)
        emit_check_stub(t, 1);
}

/* Does a fault ever leave from a deeper native frame than the entry's (local calls, the region
 * checks)? Then the entry keeps sp in the block. Does the code use r10 as the frame pointer (an
 * instruction reads it, or calls move it or pass it on)? If not, r10 is one more home, and the
 * checks take the live stack's end from the block: without calls it is the initial frame top. */
static void frame_needs(const jit_ctx *c, int *sp_saved, int *fp_used)
{
    *sp_saved = (c->context & JIT_CONTEXT_ENDS) != 0;
    *fp_used = 0;
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE))
            continue;
        if (MBPF_CLASS(in->code) == MBPF_JMP && MBPF_OP(in->code) == MBPF_CALL) { /* or callx */
            *fp_used = 1;
            *sp_saved |= MBPF_SRC(in) == MBPF_CALL_LOCAL;
        }
        *fp_used |= MBPF_DST(in) == MBPF_REG_FP || MBPF_SRC(in) == MBPF_REG_FP;
        if (in->code == MBPF_OPC_LDDW)
            pc++;
    }
}

/* The callee-saved registers the code uses (homes, r10 when used, r11 always) and lr, padded
 * with r3 to an even count so that sp stays 8-byte aligned. Local values borrow only these. */
static uint16_t saved_regs(const t2 *t, int fp_used)
{
    uint32_t m = 1u << T2_R11 | 1u << T2_LR | (fp_used ? 1u << T2_R10 : 0u);
    for (int r = T2_R4; r <= T2_R10; r++)
        if (t->owner[r] != NO_REG || t->budget_reg == r || ((t->kregs >> r) & 1u))
            m |= 1u << r;
    if (__builtin_popcount(m) & 1)
        m |= 1u << T2_R3;
    return (uint16_t)m;
}

static int count_exits(const jit_ctx *c)
{
    int n = 0;
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++)
        n += (c->facts[pc].flags & MBPF_FACT_REACHABLE) && c->prog->insns[pc].code == MBPF_OPC_EXIT;
    return n;
}

/* Allocation: halves, the budget counter and constants (t2_consts.h) ranked by loop-weighted
 * use get r4..r9 (r10 when free, lr for halves); ties go to the lower index, so the choice is
 * deterministic. */
static void choose_registers(t2 *t)
{
    const jit_ctx *c = t->c;
    const mid_info *m = t->m;
    uint32_t w[CONST_CAND + T2_MAX_CONSTS];
    t2_consts ks;
    t2_find_consts(c, m, &ks);
    for (int i = 0; i < T2_MAX_CONSTS; i++)
        w[CONST_CAND + i] = i < ks.n ? ks.weight[i] : 0;
    t->kregs = 0;
    for (int h = 0; h < MID_NHALVES; h++) {
        w[h] = m->weight[h];
        t->loc[h] = t->local[h] = NO_REG;
        t->local_end[h] = 0;
    }
    /* a value local to straight-line code borrows a register (local_window): its uses there
     * do not need a home */
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE) || !local_safe(in) ||
            (pc > 0 && c->prog->insns[pc - 1].code == MBPF_OPC_LDDW))
            continue;
        uint32_t use, def;
        mid_use_def(in, &c->facts[pc], m->live_out[pc], m->hz_in[pc], &use, &def);
        for (uint32_t b = def & m->live_out[pc] & ~use; b; b &= b - 1) {
            const int h = __builtin_ctz(b);
            /* (every instruction naming its register, at the definition's depth: no loop head
             * lies in the stretch) */
            const uint32_t wgt = 1u << (3 * (m->depth[pc] < 3 ? m->depth[pc] : 3));
            const uint32_t end = local_life(c, m, pc, h);
            for (uint32_t i = pc; end && i <= end; i++) {
                const mbpf_insn *u = &c->prog->insns[i];
                const int named = (int)MBPF_DST(u) == (h & 15) || (int)MBPF_SRC(u) == (h & 15);
                if (named && w[h] >= wgt / 2)
                    w[h] -= wgt / 2;
            }
        }
    }
    /* a versioned loop runs its fast copy, which never touches the halves in its dead set: their
     * uses there (by the guards the copy drops) do not count */
    for (uint32_t pc = 0; c->loops && pc < c->prog->n_insns; pc++) {
        const ml_loop *l = mid_loop_around(c->loops, pc);
        if (!l || !l->dead || !(c->facts[pc].flags & MBPF_FACT_REACHABLE) ||
            (pc > 0 && c->prog->insns[pc - 1].code == MBPF_OPC_LDDW))
            continue;
        uint32_t use, def;
        mid_use_def(&c->prog->insns[pc], &c->facts[pc], m->live_out[pc], m->hz_in[pc], &use, &def);
        const uint32_t wgt = 1u << (3 * (m->depth[pc] < 3 ? m->depth[pc] : 3));
        for (uint32_t b = (use | (def & m->live_out[pc])) & l->dead; b; b &= b - 1)
            if (w[__builtin_ctz(b)] >= wgt)
                w[__builtin_ctz(b)] -= wgt;
    }
    for (int r = 0; r < 16; r++) {
        t->owner[r] = NO_REG;
        t->busy_end[r] = 0;
    }
    w[BUDGET_CAND] = 0;
    uint32_t args_in = 0; /* halves a local function receives: its caller's bl overwrites lr */
    int local_calls = 0;  /* ...and a local function's lr is its return address */
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        if (pc && (c->facts[pc].flags & (MBPF_FACT_SUBPROG | MBPF_FACT_REACHABLE)) ==
                      (MBPF_FACT_SUBPROG | MBPF_FACT_REACHABLE))
            args_in |= mid_live_in(c->prog, c->facts, m, pc);
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE))
            continue;
        const int local = in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL;
        local_calls |= local;
        const int budgeted = jit_needs_budget(&c->facts[pc]);
        if (!budgeted && !local)
            continue;
        const ml_loop *l = budgeted ? mid_loop_around(c->loops, pc) : NULL;
        const int precharged = l && (l->flags & ML_PRECHARGE) && /* its hot copy charges nothing */
                               mid_loop_back_edge(l, c->prog, pc);
        if ((budgeted && !precharged) || local)
            w[BUDGET_CAND] += 2u << (3 * (m->depth[pc] < 3 ? m->depth[pc] : 3));
    }
    t->budget_reg = t->lr_half = NO_REG;
    /* lr comes last: a call clobbers it, and the budget counter never goes there (the exits
     * store the counter from its register) */
    static const int8_t natives[8] = {T2_R4, T2_R5, T2_R6, T2_R7, T2_R8, T2_R9, T2_R10, T2_LR};
    int8_t cand[CONST_CAND + T2_MAX_CONSTS]; /* the candidates used at all, in index order */
    int n_cand = 0;
    for (int h = 0; h < CONST_CAND + T2_MAX_CONSTS; h++)
        if (w[h])
            cand[n_cand++] = (int8_t)h;
    for (int k = 0; k < 8; k++) {
        if (natives[k] == T2_R10 && !t->r10_free)
            continue;
        int best = -1;
        for (int i = 0; i < n_cand; i++) {
            const int h = cand[i];
            if (!w[h] || (natives[k] == T2_LR && (h == BUDGET_CAND || (h > BUDGET_CAND && local_calls) ||
                                                  (h < BUDGET_CAND && ((args_in >> h) & 1u)))))
                continue;
            if (best < 0 || w[h] > w[best])
                best = h;
        }
        if (best < 0)
            break;
        w[best] = 0;
        if (best >= CONST_CAND) {
            t->kregs |= (uint16_t)(1u << natives[k]);
            t->kval[natives[k]] = ks.value[best - CONST_CAND];
            continue;
        }
        if (best == BUDGET_CAND)
            t->budget_reg = natives[k];
        else
            t->loc[best] = natives[k];
        if (natives[k] == T2_LR)
            t->lr_half = best;
        if (best != BUDGET_CAND)
            t->owner[natives[k]] = (int8_t)best;
    }
}

/* A local-call target starts with push {lr}; callers branch 2 bytes before the instruction. */
static void t2_function_entry(void *b)
{
    t2 *t = b;
    t->in_subprog = 1;
    t->fwd_n = 0;
    e16(t, t2_push_lr16());
}

/* The state before lowering pc: its live set and known-zero upper halves from the middle end. */
static void t2_at_widths(t2 *t, uint32_t pc)
{
    if (pc != t->pc + 1 || (t->c->facts[pc].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG |
                                                     MBPF_FACT_LOOP_HEAD)))
        t->fwd_n = 0; /* a label, or not lowered right after the instruction before */
    t->pc = pc;
    t->flags_live = 0; /* nothing reads flags across eBPF instructions */
    t->decided = 0;
    t->alias_d = t->next_alias_d;
    t->alias_s = t->next_alias_s;
    t->next_alias_d = t->next_alias_s = -1;
    t->live = t->m->live_out[pc];
    t->hz = t->m->hz_in[pc];
}

/* pc's use and def with the live set and widths in t (mid_use_def), once per instruction. */
static void t2_use_def(t2 *t, const mbpf_fact *f)
{
    mid_use_def(&t->c->prog->insns[t->pc], f, t->live, t->hz, &t->use, &t->def);
    t->live_in = t->use | (t->live & ~t->def); /* mid_live_in */
}

/* The state before lowering pc with fact f, its use and def computed once here. */
static void t2_at(t2 *t, uint32_t pc, const mbpf_fact *f)
{
    t2_at_widths(t, pc);
    t2_use_def(t, f);
}

/* The fact the fast copy lowers instruction pc of loop l with: hoisted accesses are proven. */
static mbpf_fact fast_fact(const jit_ctx *c, const ml_loop *l, uint32_t pc)
{
    mbpf_fact f;
    jit_checked_fact(c, pc, &f); /* as jit_emit_body gives the others */
    if (mid_loop_hoisted(l, &f))
        f.mem = MBPF_MEM_PROVEN;
    return f;
}

/* The fact the copy being emitted lowers instruction pc with. */
static mbpf_fact copy_fact(const t2 *t, uint32_t pc)
{
    mbpf_fact f;
    if (t->fast)
        return fast_fact(t->c, t->fast, pc);
    jit_checked_fact(t->c, pc, &f);
    return f;
}

/* Is every byte of a fused read proven or checked before it: all its loads proven, or the first
 * one guarded (alone, or as a group's leader or member) and each other one proven or a member
 * of that group? Offsets stay in -255..4000, so every address form below fits its load. */
static int read_covered(const t2 *t, const t2_read *r)
{
    const jit_ctx *c = t->c;
    const mbpf_fact f = copy_fact(t, r->load[0]);
    t2_group g = {0};
    if (r->off < -255 || r->off > 4000)
        return 0;
    if (f.mem == MBPF_MEM_GUARD_REGION) {
        if (t2_group_member(c, &t->group, r->load[0]))
            g = t->group;
        else
            t2_group_scan(c, r->load[0], &g);
    } else if (f.mem != MBPF_MEM_PROVEN) {
        return 0;
    }
    for (uint32_t j = 1; j < r->n_loads; j++) {
        const mbpf_fact fj = copy_fact(t, r->load[j]);
        if (fj.mem != MBPF_MEM_PROVEN &&
            !(f.mem == MBPF_MEM_GUARD_REGION && fj.mem == MBPF_MEM_GUARD_REGION &&
              t2_group_member(c, &g, r->load[j])))
            return 0;
    }
    return 1;
}

/* A fused read (t2_reads.h). At its first load: that load's check (its own, or its group's)
 * when it is guarded; the read's other instructions emit nothing, but at `emit` one ldrh or ldr,
 * or two ldr, of the bytes at base + off into dst (reversed when big-endian), and below 8
 * bytes, at last, dst's upper half zero when it is live. */
static void read_start(t2 *t, const t2_read *r)
{
    const jit_ctx *c = t->c;
    const mbpf_insn *lead = &c->prog->insns[r->first];
    mbpf_fact f = copy_fact(t, r->first);
    int32_t disp;
    if (f.mem == MBPF_MEM_GUARD_REGION && !t2_group_member(c, &t->group, r->first))
        (void)load_address(t, lead, &f, &disp);
    t->read = *r;
}

static void read_load(t2 *t)
{
    const t2_read *r = &t->read;
    const uint32_t live = t->live;
    mbpf_fact f = copy_fact(t, r->emit);
    int32_t disp;
    f.mem = MBPF_MEM_PROVEN;
    const int b = address(t, r->base, r->off, r->width, 0, &f, 0, &disp);
    t->live = t->m->live_out[r->last] & (t->fast ? ~t->fast->dead : ~0u);
    const int d = r->dst, ld = live_h(t, H_LO(d)), hd = live_h(t, H_HI(d));
    const int dl = dst_h(t, H_LO(d), T2_R0, 0), dh = dst_h(t, H_HI(d), T2_R1, 0);
    if (r->width == 8) {
        /* big-endian: the lower half is the reversed word at +4, the upper the one at +0 */
        const int32_t lo = r->big ? disp + 4 : disp, hi = r->big ? disp : disp + 4;
        if (b == dl) { /* the base goes last */
            if (hd)
                ldst(t, T2_LDR, dh, b, hi);
            ldst(t, T2_LDR, dl, b, lo);
        } else {
            if (ld)
                ldst(t, T2_LDR, dl, b, lo);
            if (hd)
                ldst(t, T2_LDR, dh, b, hi);
        }
        if (r->big && ld)
            e32(t, t2_rev(dl, dl));
        if (r->big && hd)
            e32(t, t2_rev(dh, dh));
        put_h(t, H_HI(d), dh);
    } else if (ld) {
        ldst(t, r->width == 2 ? T2_LDRH : T2_LDR, dl, b, disp);
        if (r->big) /* ldrh leaves the upper halfword zero, which rev16 keeps */
            e32(t, r->width == 2 ? t2_rev16(dl, dl) : t2_rev(dl, dl));
    }
    put_h(t, H_LO(d), dl);
    t->live = live;
}

/* Is pc one of the pending read's own instructions? */
static int read_own(const t2 *t, uint32_t pc)
{
    const t2_read *r = &t->read;
    return r->last && pc > r->first && pc <= r->last && ((r->own >> (pc - r->first)) & 1u);
}

/* Does [pc, pc + len) hold none of the pending read's own instructions? */
static int read_clear(const t2 *t, uint32_t pc, uint32_t len)
{
    for (uint32_t i = pc; i < pc + len; i++)
        if (read_own(t, i))
            return 0;
    return 1;
}

/* One instruction at pc (rotate and fused-read windows lowered at their first instruction,
 * straight-line local values chosen), in whichever copy of a versioned loop is being emitted. */
static int lower_at(t2 *t, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    mid_rotate rot;
    t2_mulrot mr;
    t2_read rd;
    if (pc < t->skip_to)
        return 0; /* inside a window lowered at its first instruction */
    if (read_own(t, pc)) {
        if (pc == t->read.emit)
            read_load(t);
        if (pc == t->read.last) {
            if (t->read.width < 8)
                put_hi_zero(t, t->read.dst);
            t->read.last = 0;
        }
        return 0;
    }
    if (t->alias_d < 0 && mid_match_rotate(t->c->prog, t->c->facts, t->m, pc, &rot) &&
        read_clear(t, pc, rot.len)) {
        t->live = t->m->live_out[pc + rot.len - 1] & (t->fast ? ~t->fast->dead : ~0u);
        lower_rotate(t, &rot);
        t->skip_to = pc + rot.len;
        return 0;
    }
    if (t->alias_d < 0 && t2_match_mulrot(t->c->prog, t->c->facts, t->m, pc, &mr) &&
        read_clear(t, pc, T2_MULROT_LEN)) {
        t->live = t->m->live_out[pc + T2_MULROT_LEN - 1] & (t->fast ? ~t->fast->dead : ~0u);
        lower_mulrot(t, &mr);
        t->skip_to = pc + T2_MULROT_LEN;
        return 0;
    }
    if (t->alias_d < 0 && !t->read.last && t2_match_read(t->c, t->m, pc, &rd) &&
        read_covered(t, &rd)) {
        read_start(t, &rd);
        return 0;
    }
    local_window(t, in);
    return lower_insn(t, in, f);
}

/* ---- loop versioning (jit/mid/mid_loops.h, t2_loops.c) ------------------------------------------
 * At the head of a versioned loop: the test, the fast copy (hoisted guards lowered as proven
 * accesses, the back edge uncharged when the test charged the budget), a jump past the loop,
 * then the original loop as usual. Register homes are global, and the straight-line allocation
 * state is restored after the fast copy, so both copies agree at every instruction. */
/* The fast copy's widths and live set at `in` (mid_loops.h): narrow induction variables in
 * l->hz_fast read as zero, their updates write the lower half alone, l->dead is not computed. */
static void fast_widths(t2 *t, const ml_loop *l, const mbpf_insn *in)
{
    t->hz |= l->hz_fast;
    t->live &= ~l->dead;
    if (mid_loop_narrow_update(l, in, t->hz))
        t->live &= ~MID_HI(MBPF_DST(in));
}

static int emit_fast_loop(t2 *t, const ml_loop *l, const mbpf_fact *head_fact)
{
    jit_ctx *c = t->c;
    const uint32_t i = (uint32_t)(l - c->loops->loop);
    const int rotated = (l->flags & ML_ROTATED) != 0;
    const t2_loop_regs rg = {t->loc, t->budget_reg, t->m->hz_in[l->entry], t->r10_free};
    const uint32_t slow = rotated ? jit_insn_offset(c, l->entry) : c->loop_slow[i];
    t2_loop_test(c, l, &rg, slow, forward_short(t, BR_T, T2_EQ, slow));
    if (rotated)
        b_to(t, c->loop_fast[i][0]); /* the fast copy's entry */
    t2 before;
    jit_copy_words(&before, t, sizeof before);
    t->fast = l;
    t->fast_start = c->pos;
    for (uint32_t pc = l->head; pc <= l->latch; pc++) {
        for (uint32_t j = 0; j < l->n_targets && !c->final_pass; j++)
            if (l->target[j] == pc)
                c->loop_fast[i][j] = c->pos;
        const mbpf_insn *in = &c->prog->insns[pc];
        const mbpf_fact f = fast_fact(c, l, pc);
        t2_at_widths(t, pc);
        fast_widths(t, l, in);
        t2_use_def(t, &f); /* with the fast copy's widths and live set */
        const int rc = lower_at(t, pc, in, &f);
        if (rc)
            return rc;
        if (in->code == MBPF_OPC_LDDW)
            pc++;
    }
    br(t, -1, jit_insn_offset(c, l->latch + 1), BR_J); /* a forward jump of the latch's copy */
    const uint32_t n_cold = t->n_cold;
    jit_copy_words(t, &before, sizeof *t);
    t->n_cold = n_cold;
    if (!c->final_pass)
        c->loop_slow[i] = c->pos;
    t2_at(t, l->head, head_fact);
    return 0;
}

static int t2_insn(void *b, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f)
{
    t2 *t = b;
    if (pc < t->skip_to) {
        t->pc = pc; /* inside a window (no label there): what it stored last is still forwarded */
        return 0;
    }
    t2_at(t, pc, f);
    if (f->flags & MBPF_FACT_LOOP_HEAD)
        loop_entry_charge(t, MBPF_FACT_TRIPS(f));
    const ml_loop *l = mid_loop_at_head(t->c->loops, pc);
    if (l) {
        const int rc = emit_fast_loop(t, l, f);
        if (rc)
            return rc;
    }
    return lower_at(t, pc, in, f);
}

/* What every layout of the program shares, found once per call of mbpf_t2_emit_program: the
 * register homes, the frame and the exit's form. */
static void setup(t2 *t)
{
    frame_needs(t->c, &t->sp_saved, &t->fp_used);
    t->r10_free = !t->fp_used;
    choose_registers(t);
    t->saved = saved_regs(t, t->fp_used);
    t->exit_inline = t->budget_reg == NO_REG || count_exits(t->c) == 1;
}

static int emit_once(t2 *p)
{
    jit_ctx *c = p->c;
    t2 t;
    jit_copy_words(&t, p, sizeof t);
    t.in_subprog = 0;
    t.fwd_n = 0;
    t.fwd_pos = 0;
    t.n_cold = 0;
    t.skip_to = 0;
    t.group.last = 0;
    t.read.last = 0;
    t.fast = NULL;
    t.fast_start = 0;
    t.flags_live = 1;
    t.in_it = 0;
    t.alias_d = t.alias_s = t.next_alias_d = t.next_alias_s = -1;

    /* prologue: AAPCS entry with the block in r0, the context in r1, its length in r2 and the
     * budget word in r3 (mbpf_jit_fn); only what the program uses is kept */
    const int sp_saved = t.sp_saved, fp_used = t.fp_used;
    t.stubs_used = 0;
    e32(&t, t2_push(t.saved));
    mov(&t, T2_R11, T2_R0);
    if (sp_saved) {
        e16(&t, 0x4668); /* mov r0, sp (r1-r3 hold the arguments) */
        str_block(&t, T2_R0, MBPF_JB_SAVED_SP);
    }
    if (fp_used)
        ldr_block(&t, T2_R10, MBPF_JB_STACK_TOP0);
    const uint32_t context = c->context;
    const uint32_t entry_live = c->prog->n_insns ? mid_live_in(c->prog, c->facts, t.m, 0) : 0;
    if ((context & (JIT_CONTEXT_ARGS | JIT_CONTEXT_ENDS)) || (entry_live & (1u << H_LO(2)))) {
        cmp_imm(&t, T2_R1, 0); /* no context: no length either */
        e16(&t, t2_it(T2_EQ));
        t.in_it = 1;
        mov0(&t, T2_R2);
    }
    if (c->context & JIT_CONTEXT_BUDGET) { /* the budget word from the run's 64-bit budget */
        const int w = t.budget_reg != NO_REG ? t.budget_reg : T2_R3;
        budget_word(&t, w);
        if (t.budget_reg == NO_REG)
            str_block(&t, w, MBPF_JB_BUDGET);
        if (context & JIT_CONTEXT_ARGS)
            str_block(&t, w, MBPF_JB_BUDGET_SYNC);
    }
    if (context & JIT_CONTEXT_ARGS) {
        str_block(&t, T2_R1, MBPF_JB_CTX);
        str_block(&t, T2_R2, MBPF_JB_CTX_LEN);
        mov0(&t, T2_R0); /* the exec is filled by the first routine this run calls */
        str_block(&t, T2_R0, MBPF_JB_EXEC_READY);
    }
    if (context & JIT_CONTEXT_ENDS) {
        static const uint32_t mask[2] = {MBPF_JB_CTX_MASK_R, MBPF_JB_CTX_MASK_W};
        static const uint32_t end[2] = {MBPF_JB_CTX_END_R, MBPF_JB_CTX_END_W};
        for (int w = 0; w < 2; w++) { /* the region's end: ctx + (len & mask) */
            ldr_block(&t, T2_R0, mask[w]);
            e32(&t, t2_dp_reg(T2_AND, 0, T2_R0, T2_R0, T2_R2, 0, 0));
            e32(&t, t2_dp_reg(T2_ADD, 0, T2_R0, T2_R0, T2_R1, 0, 0));
            str_block(&t, T2_R0, end[w]);
        }
    }
    /* r1 = ctx and r2 = len (upper halves 0) where the program reads them; any other half live
     * at entry (none in verified code) from its slot */
    int zero = NO_REG;
    for (int h = 0; h < MID_NHALVES; h++) {
        if (!((entry_live >> h) & 1u))
            continue;
        const int arg = h == H_LO(1) ? T2_R1 : h == H_LO(2) ? T2_R2 : NO_REG;
        const int upper = h == H_HI(1) || h == H_HI(2);
        if (arg != NO_REG) {
            if (t.loc[h] != NO_REG)
                mov(&t, t.loc[h], arg);
            else
                str_block(&t, arg, slot(h));
        } else if (upper) {
            if (t.loc[h] != NO_REG) {
                mov0(&t, t.loc[h]);
            } else {
                if (zero == NO_REG)
                    mov0(&t, zero = T2_R0);
                str_block(&t, zero, slot(h));
            }
        } else if (t.loc[h] != NO_REG) {
            ldr_block(&t, t.loc[h], slot(h));
        }
    }

    for (uint32_t b = t.kregs; b; b &= b - 1) /* constants kept in registers (t2_consts.h) */
        load_imm(&t, __builtin_ctz(b), t.kval[__builtin_ctz(b)]);

    static const jit_backend_ops ops = {t2_function_entry, t2_insn};
    int rc = jit_emit_body(c, &ops, &t);
    if (rc)
        return rc;
    t.flags_live = 1; /* stubs and cold paths: only forms that leave the flags as they are */
    const uint32_t start = c->pos;
    if (t.relax == 1 && t.stubs_used == t.stubs->used) {
        for (uint32_t id = 0; id < JIT_MAX_STUBS; id++) {
            c->pos = start + t.stubs->at[id];
            if (t.stubs->at[id] != NO_STUB)
                jit_mark_stub(c, id);
        }
        c->pos = start + t.stubs->bytes;
    } else {
        emit_stubs(&t, sp_saved);
    }
    if (t.relax == 0) { /* the context was zeroed: only the stubs just emitted lie here */
        p->stubs_end = c->pos;
        t.stubs->used = t.stubs_used;
        t.stubs->bytes = c->pos - start;
        for (uint32_t id = 0; id < JIT_MAX_STUBS; id++) {
            const uint32_t at = jit_stub_offset(c, id);
            t.stubs->at[id] = at >= start ? at - start : NO_STUB;
        }
    }
    emit_cold_stubs(&t);
    if (t.n_cold > c->cold_cap)
        return jit_fail(c, 0, "work arena too small for the cold paths");
    if (c->pos > (1u << 20))
        return jit_fail(c, 0, "program too large for Thumb-2 branch ranges");
    return 0;
}

/* Measuring: the first layout, then the one whose branch forms the writing pass replays. */
int mbpf_t2_emit_program(jit_ctx *c)
{
    t2 t;
    t2_stub_layout stubs;
    t.c = c;
    t.m = c->mid;
    t.stubs_end = 0;
    t.stubs = &stubs;
    setup(&t);
    if (c->final_pass) {
        t.relax = 2;
        return emit_once(&t);
    }
    t.relax = 0;
    const int rc = emit_once(&t);
    if (rc)
        return rc;
    jit_zero_words(c->forms, (c->prog->n_insns + 3u) & ~3u); /* the core rounds them to words */
    c->pos = 0;
    t.relax = 1;
    return emit_once(&t);
}
