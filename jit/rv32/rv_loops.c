/* The test before a versioned loop (rv_loops.h). It computes, from the values at the preheader,
 * how many back edges the loop takes (the counter's distance to its bound over its step), then
 * for each access group the lowest address and the end of the highest access over all those
 * iterations, and compares them with the region's bounds. Any doubt (a wrap, an upper half that
 * is not zero, a count too large) takes the original loop, which is exact. The count stays in
 * t2 throughout; for a rotated loop (ML_ROTATED) it is one less than its back edges, the
 * iterations its accesses run in but the last, as the middle end's groups expect. */
#include "jit/rv32/rv_loops.h"
#include "jit/rv32/rv_encode.h"

typedef struct emitter {
    jit_ctx *c;
    const rv_loop_regs *rg;
    uint32_t slow;
} emitter;

static void e(emitter *x, uint32_t insn)
{
    uint16_t h;
    if (rv_compress(insn, &h))
        jit_emit16(x->c, h);
    else
        jit_emit32(x->c, insn);
}

/* To the original loop when cond(a, b). */
static void to_slow(emitter *x, int f3, int a, int b)
{
    jit_emit32(x->c, rv_branch(f3 ^ 1, a, b, 8));
    jit_emit32(x->c, rv_jal(RV_ZERO, (int32_t)x->slow - (int32_t)x->c->pos));
}

static void li(emitter *x, int rd, uint32_t v)
{
    if (rv_fits12((int32_t)v)) {
        e(x, rv_opi(RV_ADD, rd, RV_ZERO, (int32_t)v));
        return;
    }
    const uint32_t hi = (v + 0x800u) >> 12;
    const int32_t lo = (int32_t)(v - (hi << 12));
    e(x, rv_lui(rd, hi));
    if (lo)
        e(x, rv_opi(RV_ADD, rd, rd, lo));
}

/* Half of eBPF register r (hi: the upper one) as a source register. */
static int half(const emitter *x, int r, int hi)
{
    if (!hi)
        return x->rg->lo[r];
    if (r == MBPF_REG_FP || ((x->rg->hz >> r) & 1u))
        return RV_ZERO;
    return x->rg->hi[r];
}

static int log2_of(uint32_t v)
{
    int k = 0;
    while (v > 1u) {
        v >>= 1;
        k++;
    }
    return k;
}

/* rd = rn + k, to the original loop when the 32-bit addition wraps (the address would leave
 * [0, 2^32)). Returns the register holding the sum (rn itself for k = 0); rd != rn. */
static int add_checked(emitter *x, int rd, int rn, int32_t k)
{
    if (k == 0)
        return rn;
    int from = rn;
    for (int32_t left = k; left;) { /* |k| <= ML_MAX_OFF: at most three immediates */
        const int32_t part = left > 2047 ? 2047 : left < -2048 ? -2048 : left;
        e(x, rv_opi(RV_ADD, rd, from, part));
        from = rd;
        left -= part;
    }
    if (k > 0)
        to_slow(x, RV_BLTU, rd, rn);
    else
        to_slow(x, RV_BLTU, rn, rd);
    return rd;
}

/* t2 = distance / |step| - 1 for a distance in t2 that is a nonzero multiple of the step. */
static void steps_of(emitter *x, const ml_loop *l)
{
    const uint32_t a = (uint32_t)(l->step < 0 ? -l->step : l->step);
    if (a > 1) {
        e(x, rv_opi(RV_AND, RV_T0, RV_T2, (int32_t)(a - 1)));
        to_slow(x, RV_BNE, RV_T0, RV_ZERO);
        e(x, rv_srli(RV_T2, RV_T2, log2_of(a)));
    }
    e(x, rv_opi(RV_ADD, RV_T2, RV_T2, -1));
}

/* 64-bit counter and bound (s, n: their lower halves; the bound's upper half in nh): the
 * distance in the direction of the step must be in [1, 2^32). */
static void count_wide(emitter *x, const ml_loop *l, int s, int n, int nh)
{
    const int up = l->test == ML_LT || (l->test == ML_NE && l->step > 0);
    const int sh = half(x, l->ctr, 1);
    const int al = up ? n : s, ah = up ? nh : sh, bl = up ? s : n, bh = up ? sh : nh;
    if (l->test != ML_NE && ah != bh)
        to_slow(x, RV_BLTU, ah, bh); /* already past the bound: the loop runs once */
    e(x, rv_op(RV_SLTU, RV_T0, al, bl)); /* borrow out of the lower halves */
    e(x, rv_sub(RV_T2, al, bl));
    if (ah == RV_ZERO && bh == RV_ZERO) { /* the upper difference is minus the borrow */
        to_slow(x, RV_BNE, RV_T0, RV_ZERO);
    } else {
        e(x, rv_sub(RV_RA, ah, bh));
        e(x, rv_sub(RV_RA, RV_RA, RV_T0));
        to_slow(x, RV_BNE, RV_RA, RV_ZERO);
    }
    to_slow(x, RV_BEQ, RV_T2, RV_ZERO);
    steps_of(x, l);
}

/* t2 = taken back edges of this entry, or to the original loop. */
static void count_back_edges(emitter *x, const ml_loop *l)
{
    const int s = half(x, l->ctr, 0);
    int n = RV_ZERO, nh = RV_ZERO;
    if (l->bound >= 0) {
        n = half(x, l->bound, 0);
        nh = half(x, l->bound, 1);
    } else {
        if (l->bound_imm) {
            li(x, RV_T1, (uint32_t)l->bound_imm);
            n = RV_T1;
        }
        if (l->bound_imm < 0 && (l->flags & ML_WIDE)) {
            li(x, RV_T3, 0xffffffffu);
            nh = RV_T3;
        }
    }
    if (l->flags & ML_WIDE) {
        count_wide(x, l, s, n, nh);
    } else {
        switch (l->test) {
        case ML_LT: /* s < n: n - s - 1 more iterations */
            to_slow(x, RV_BGEU, s, n);
            e(x, rv_sub(RV_T2, n, s));
            e(x, rv_opi(RV_ADD, RV_T2, RV_T2, -1));
            break;
        case ML_LE: /* s < n < 2^32 - 1: n - s */
            to_slow(x, RV_BGEU, s, n);
            e(x, rv_opi(RV_ADD, RV_T0, n, 1));
            to_slow(x, RV_BEQ, RV_T0, RV_ZERO);
            e(x, rv_sub(RV_T2, n, s));
            break;
        case ML_GT: /* s > n: s - n - 1 */
            to_slow(x, RV_BGEU, n, s);
            e(x, rv_sub(RV_T2, s, n));
            e(x, rv_opi(RV_ADD, RV_T2, RV_T2, -1));
            break;
        case ML_GE: /* s > n > 0: s - n */
            to_slow(x, RV_BGEU, n, s);
            to_slow(x, RV_BEQ, n, RV_ZERO);
            e(x, rv_sub(RV_T2, s, n));
            break;
        default: /* ML_NE: the distance, a nonzero multiple of the step */
            e(x, rv_sub(RV_T2, l->step > 0 ? n : s, l->step > 0 ? s : n));
            to_slow(x, RV_BEQ, RV_T2, RV_ZERO);
            steps_of(x, l);
            break;
        }
    }
    /* a count this large takes the original loop */
    e(x, rv_srli(RV_T0, RV_T2, ML_MAX_COUNT_LOG2));
    to_slow(x, RV_BNE, RV_T0, RV_ZERO);
}

/* One group: with base = a + b at the preheader and t2 back edges, every access of the group
 * lies in [base + lo + min(0, step * t2), base + hi + max(0, step * t2)); when every group has
 * an align, its base must be a multiple of it. */
static void check_group(emitter *x, const ml_loop *l, const ml_group *g)
{
    int base = half(x, g->a, 0);
    if (g->b >= 0) {
        e(x, rv_op(RV_ADD, RV_T3, base, half(x, g->b, 0)));
        e(x, rv_op(RV_SLTU, RV_T0, RV_T3, base)); /* carry */
        const int ah = half(x, g->a, 1), bh = half(x, g->b, 1);
        if (ah != RV_ZERO || bh != RV_ZERO) {
            e(x, rv_op(RV_ADD, RV_T1, ah, bh));
            e(x, rv_op(RV_ADD, RV_T0, RV_T0, RV_T1));
        }
        to_slow(x, RV_BNE, RV_T0, RV_ZERO); /* the sum's upper half (mod 2^64) must be zero */
        base = RV_T3;
    } else if (half(x, g->a, 1) != RV_ZERO) {
        to_slow(x, RV_BNE, half(x, g->a, 1), RV_ZERO);
    }
    if (g->align > 1 && mid_loop_aligned(l)) { /* the fast copy takes its accesses as aligned */
        e(x, rv_opi(RV_AND, RV_T0, base, g->align - 1));
        to_slow(x, RV_BNE, RV_T0, RV_ZERO);
    }
    const uint32_t m = (uint32_t)(g->step < 0 ? -g->step : g->step);
    int span = RV_ZERO; /* |step| * count (below 2^31: count < 2^20, |step| <= 2^11) */
    if (m == 1) {
        span = RV_T2;
    } else if (m && (m & (m - 1)) == 0) {
        e(x, rv_slli(RV_RA, RV_T2, log2_of(m)));
        span = RV_RA;
    } else if (m) {
        li(x, RV_T0, m);
        e(x, rv_mop(RV_MUL, RV_RA, RV_T2, RV_T0));
        span = RV_RA;
    }
    uint32_t start, end;
    jit_region_bounds(g->region, g->write, &start, &end);
    /* lowest address */
    int low;
    if (g->step < 0) {
        e(x, rv_sub(RV_T0, base, span));
        to_slow(x, RV_BLTU, base, span);
        low = add_checked(x, RV_T1, RV_T0, g->lo);
    } else {
        low = add_checked(x, RV_T0, base, g->lo);
    }
    const int rs = low == RV_T1 ? RV_T0 : RV_T1;
    e(x, rv_load(RV_LW, rs, RV_S1, (int32_t)start));
    to_slow(x, RV_BLTU, low, rs);
    /* end of the highest access */
    int high;
    if (g->step > 0) {
        e(x, rv_op(RV_ADD, RV_T0, base, span));
        to_slow(x, RV_BLTU, RV_T0, base);
        high = add_checked(x, RV_T1, RV_T0, g->hi);
    } else {
        high = add_checked(x, RV_T0, base, g->hi);
    }
    int re = RV_S0; /* the live stack ends at the current frame's top */
    if (end) {
        re = high == RV_T1 ? RV_T0 : RV_T1;
        e(x, rv_load(RV_LW, re, RV_S1, (int32_t)end));
    }
    to_slow(x, RV_BLTU, re, high);
}

/* A narrow induction variable: its lower half plus (count + 1) * step stays in [0, 2^32), and
 * its upper half is zero where mid_loop_checks_zero says. */
static void check_narrow(emitter *x, const ml_loop *l, const ml_iv *v)
{
    const int lo = half(x, v->r, 0);
    if (mid_loop_checks_zero(l, v->r, x->rg->hz))
        to_slow(x, RV_BNE, half(x, v->r, 1), RV_ZERO);
    const uint32_t m = (uint32_t)(v->step < 0 ? -v->step : v->step);
    e(x, rv_opi(RV_ADD, RV_T0, RV_T2, 1)); /* updates: below 2^20 + 1 */
    int span = RV_T0; /* below 2^31: |step| <= 2^11 */
    if (m > 1 && (m & (m - 1)) == 0) {
        e(x, rv_slli(RV_RA, RV_T0, log2_of(m)));
        span = RV_RA;
    } else if (m > 1) {
        li(x, RV_T1, m);
        e(x, rv_mop(RV_MUL, RV_RA, RV_T0, RV_T1));
        span = RV_RA;
    }
    if (v->step > 0) {
        e(x, rv_op(RV_ADD, RV_T1, lo, span));
        to_slow(x, RV_BLTU, RV_T1, lo);
    } else {
        to_slow(x, RV_BLTU, lo, span);
    }
}

void rv_loop_test(jit_ctx *c, const ml_loop *l, const rv_loop_regs *rg, uint32_t slow)
{
    emitter x = {c, rg, slow};
    count_back_edges(&x, l);
    for (int i = 0; i < l->n_groups; i++)
        check_group(&x, l, &l->g[i]);
    for (int i = 0; i < l->n_narrow; i++)
        check_narrow(&x, l, &l->narrow[i]);
    if (l->flags & ML_PRECHARGE) { /* last: nothing is charged when the original loop runs */
        if (l->flags & ML_ROTATED) { /* one back edge more than t2 */
            to_slow(&x, RV_BGEU, RV_T2, rg->budget);
            e(&x, rv_sub(rg->budget, rg->budget, RV_T2));
            e(&x, rv_opi(RV_ADD, rg->budget, rg->budget, -1));
        } else {
            to_slow(&x, RV_BLTU, rg->budget, RV_T2);
            e(&x, rv_sub(rg->budget, rg->budget, RV_T2));
        }
    }
    for (int r = 0; r < MBPF_REG_FP; r++) /* known zero, the homes may be stale */
        if (((l->hz_fast & rg->hz) >> r) & 1u)
            e(&x, rv_opi(RV_ADD, rg->hi[r], RV_ZERO, 0));
}
