/* The test before a versioned loop (t2_loops.h). It computes, from the values at the preheader,
 * how many back edges the loop takes (the counter's distance to its bound over its step), then
 * for each access group the lowest address and the end of the highest access over all those
 * iterations, and compares them with the region's bounds. Any doubt (a wrap, an upper half that
 * is not zero, a count too large) takes the original loop, which is exact. It also checks the
 * contract of the narrow induction variables (ml_loop.narrow). */
#include "jit/thumb2/t2_loops.h"
#include "jit/thumb2/t2_encode.h"

typedef struct emitter {
    jit_ctx *c;
    const t2_loop_regs *rg;
    uint32_t slow;
    int short_branches; /* the original loop is in reach of b<c>.n from every test branch */
} emitter;

/* In its 16-bit form where that does exactly the same (the test sets flags only to branch on). */
static void e32(emitter *e, uint32_t v)
{
    uint16_t h;
    if (t2_narrow(v, &h))
        jit_emit16(e->c, h);
    else
        jit_emit32(e->c, v);
}

/* Conditional branch to the original loop. */
static void to_slow(emitter *e, int cond)
{
    const int32_t d = (int32_t)e->slow - (int32_t)(e->c->pos + 4);
    if (!e->short_branches) {
        e32(e, t2_b_cond(cond, d));
        return;
    }
    if (e->c->final_pass && !t2_b_cond16_fits(d))
        jit_fail(e->c, 0, "internal error: a short branch out of reach");
    jit_emit16(e->c, t2_b_cond16(cond, d));
}

static void load_imm(emitter *e, int rd, uint32_t v)
{
    if (v <= 0xff) {
        e32(e, t2_dp_imm8(T2_ORR, 0, rd, T2_PC, v));
    } else if (~v <= 0xff) {
        e32(e, t2_dp_imm8(T2_ORN, 0, rd, T2_PC, ~v));
    } else {
        e32(e, t2_movw(rd, v & 0xffff));
        if (v >> 16)
            e32(e, t2_movt(rd, v >> 16));
    }
}

static void cmp_imm(emitter *e, int rn, uint32_t imm8)
{
    e32(e, t2_dp_imm8(T2_SUB, 1, T2_PC, rn, imm8));
}

static void cmp_reg(emitter *e, int rn, int rm)
{
    e32(e, t2_dp_reg(T2_SUB, 1, T2_PC, rn, rm, 0, 0));
}

static void mov(emitter *e, int rd, int rm)
{
    if (rd != rm)
        e32(e, t2_mov_reg(rd, rm));
}

/* Half of eBPF register r (hi: the upper one) as a source register. An upper half known zero
 * at the head is 0, not its home, which may be stale (mid.h): a stale bound there would give a
 * count the loop does not keep to. */
static int half(emitter *e, int r, int hi, int scratch)
{
    if (r == MBPF_REG_FP && !hi)
        return T2_R10;
    if (hi && (r == MBPF_REG_FP || ((e->rg->hz >> r) & 1u))) {
        load_imm(e, scratch, 0);
        return scratch;
    }
    const int8_t n = e->rg->loc[hi ? 16 + r : r];
    if (n >= 0)
        return n;
    e32(e, t2_ldst_imm12(T2_LDR, scratch, T2_R11, hi ? MBPF_JB_REG_HI(r) : MBPF_JB_REG_LO(r)));
    return scratch;
}

/* rd = rn + k with the carry (k > 0) or borrow (k < 0) of the 32-bit addition sent to the
 * original loop: the address would leave [0, 2^32). Clobbers lr for |k| > 255. */
static void add_checked(emitter *e, int rd, int rn, int32_t k)
{
    const uint32_t m = k < 0 ? (uint32_t)-k : (uint32_t)k;
    if (k == 0) {
        mov(e, rd, rn);
        return;
    }
    if (m <= 255) {
        e32(e, t2_dp_imm8(k > 0 ? T2_ADD : T2_SUB, 1, rd, rn, m));
    } else {
        load_imm(e, T2_R1, m); /* r1 is free once the base's upper half is checked; lr may be a home */
        e32(e, t2_dp_reg(k > 0 ? T2_ADD : T2_SUB, 1, rd, rn, T2_R1, 0, 0));
    }
    to_slow(e, k > 0 ? T2_CS : T2_CC);
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

/* r2 = distance / |step| - 1 for a distance in r2 that is a nonzero multiple of the step. */
static void steps_of(emitter *e, const ml_loop *l)
{
    const uint32_t a = (uint32_t)(l->step < 0 ? -l->step : l->step);
    if (a > 1) {
        e32(e, t2_dp_imm8(T2_AND, 1, T2_PC, T2_R2, a - 1)); /* tst */
        to_slow(e, T2_NE);
        e32(e, t2_dp_reg(T2_ORR, 0, T2_R2, T2_PC, T2_R2, T2_LSR, log2_of(a)));
    }
    e32(e, t2_dp_imm8(T2_SUB, 0, T2_R2, T2_R2, 1));
}

/* 64-bit counter and bound (s, n: their lower halves): the distance in the direction of the
 * step must be in [1, 2^32). */
static void count_wide(emitter *e, const ml_loop *l, int s, int n)
{
    const int up = l->test == ML_LT || (l->test == ML_NE && l->step > 0);
    const int sh = half(e, l->ctr, 1, T2_R3);
    int nh;
    if (l->bound >= 0) {
        nh = half(e, l->bound, 1, T2_R12);
    } else {
        load_imm(e, T2_R12, l->bound_imm < 0 ? 0xffffffffu : 0);
        nh = T2_R12;
    }
    e32(e, t2_dp_reg(T2_SUB, 1, T2_R2, up ? n : s, up ? s : n, 0, 0));
    e32(e, t2_dp_reg(T2_SBC, 1, T2_R3, up ? nh : sh, up ? sh : nh, 0, 0));
    if (l->test != ML_NE)
        to_slow(e, T2_CC); /* already past the bound: the loop runs once */
    cmp_imm(e, T2_R3, 0);
    to_slow(e, T2_NE);
    cmp_imm(e, T2_R2, 0);
    to_slow(e, T2_EQ);
    steps_of(e, l);
}

/* r2 = taken back edges of this entry (of a rotated loop: one less, the iterations its accesses
 * run in but the last), or to the original loop. */
static void count_back_edges(emitter *e, const ml_loop *l)
{
    const int s = half(e, l->ctr, 0, T2_R0);
    int n;
    if (l->bound >= 0) {
        n = half(e, l->bound, 0, T2_R1);
    } else {
        load_imm(e, T2_R1, (uint32_t)l->bound_imm);
        n = T2_R1;
    }
    if (l->flags & ML_WIDE) {
        count_wide(e, l, s, n);
    } else {
        switch (l->test) {
        case ML_LT: /* s < n: n - s - 1 more iterations */
            cmp_reg(e, s, n);
            to_slow(e, T2_CS);
            e32(e, t2_dp_reg(T2_SUB, 0, T2_R2, n, s, 0, 0));
            e32(e, t2_dp_imm8(T2_SUB, 0, T2_R2, T2_R2, 1));
            break;
        case ML_LE: /* s < n < 2^32 - 1: n - s */
            cmp_reg(e, s, n);
            to_slow(e, T2_CS);
            e32(e, t2_dp_imm8(T2_ADD, 1, T2_PC, n, 1)); /* cmn n, #1 */
            to_slow(e, T2_EQ);
            e32(e, t2_dp_reg(T2_SUB, 0, T2_R2, n, s, 0, 0));
            break;
        case ML_GT: /* s > n: s - n - 1 */
            cmp_reg(e, n, s);
            to_slow(e, T2_CS);
            e32(e, t2_dp_reg(T2_SUB, 0, T2_R2, s, n, 0, 0));
            e32(e, t2_dp_imm8(T2_SUB, 0, T2_R2, T2_R2, 1));
            break;
        case ML_GE: /* s > n > 0: s - n */
            cmp_reg(e, n, s);
            to_slow(e, T2_CS);
            cmp_imm(e, n, 0);
            to_slow(e, T2_EQ);
            e32(e, t2_dp_reg(T2_SUB, 0, T2_R2, s, n, 0, 0));
            break;
        default: /* ML_NE: the distance, a nonzero multiple of the step */
            e32(e, t2_dp_reg(T2_SUB, 1, T2_R2, l->step > 0 ? n : s, l->step > 0 ? s : n, 0, 0));
            to_slow(e, T2_EQ);
            steps_of(e, l);
            break;
        }
    }
    /* movs r3, r2, lsr #20: a count this large takes the original loop */
    e32(e, t2_dp_reg(T2_ORR, 1, T2_R3, T2_PC, T2_R2, T2_LSR, ML_MAX_COUNT_LOG2));
    to_slow(e, T2_NE);
}

/* One group: with base = a + b at the preheader (r0) and r2 back edges, every access of the
 * group lies in [base + lo + min(0, step * r2), base + hi + max(0, step * r2)). */
static void check_group(emitter *e, const ml_group *g)
{
    const int a = g->a, b = g->b;
    const int al = half(e, a, 0, T2_R0);
    if (b >= 0) {
        const int bl = half(e, b, 0, T2_R1);
        e32(e, t2_dp_reg(T2_ADD, 1, T2_R0, al, bl, 0, 0));
        const int ah = half(e, a, 1, T2_R1);
        const int bh = half(e, b, 1, T2_R3);
        uint16_t h; /* the compare after it sets the flags again: adcs may do */
        if (t2_narrow_flags_free(t2_dp_reg(T2_ADC, 0, T2_R1, ah, bh, 0, 0), &h))
            jit_emit16(e->c, h);
        else
            e32(e, t2_dp_reg(T2_ADC, 0, T2_R1, ah, bh, 0, 0));
        cmp_imm(e, T2_R1, 0);
        to_slow(e, T2_NE);
    } else {
        mov(e, T2_R0, al);
        if (a != MBPF_REG_FP && !((e->rg->hz >> a) & 1u)) {
            cmp_imm(e, half(e, a, 1, T2_R1), 0);
            to_slow(e, T2_NE);
        }
    }
    const uint32_t m = (uint32_t)(g->step < 0 ? -g->step : g->step);
    if (m) { /* r3 = |step| * count (below 2^31: count < 2^20, |step| <= 2^11) */
        if ((m & (m - 1)) == 0) {
            if (m == 1)
                mov(e, T2_R3, T2_R2);
            else
                e32(e, t2_dp_reg(T2_ORR, 0, T2_R3, T2_PC, T2_R2, T2_LSL, log2_of(m)));
        } else {
            load_imm(e, T2_R3, m);
            e32(e, t2_mul(T2_R3, T2_R2, T2_R3));
        }
    }
    uint32_t start, end;
    jit_region_bounds(g->region, g->write, &start, &end);
    if (!end && e->rg->r10_free)
        end = MBPF_JB_STACK_TOP0; /* no call moves the frame */
    /* lowest address */
    if (g->step < 0) {
        e32(e, t2_dp_reg(T2_SUB, 1, T2_R12, T2_R0, T2_R3, 0, 0));
        to_slow(e, T2_CC);
        add_checked(e, T2_R12, T2_R12, g->lo);
    } else {
        add_checked(e, T2_R12, T2_R0, g->lo);
    }
    e32(e, t2_ldst_imm12(T2_LDR, T2_R1, T2_R11, start));
    cmp_reg(e, T2_R12, T2_R1);
    to_slow(e, T2_CC);
    /* end of the highest access */
    if (g->step > 0) {
        e32(e, t2_dp_reg(T2_ADD, 1, T2_R12, T2_R0, T2_R3, 0, 0));
        to_slow(e, T2_CS);
        add_checked(e, T2_R12, T2_R12, g->hi);
    } else {
        add_checked(e, T2_R12, T2_R0, g->hi);
    }
    if (end) {
        e32(e, t2_ldst_imm12(T2_LDR, T2_R1, T2_R11, end));
        cmp_reg(e, T2_R12, T2_R1);
    } else { /* the live stack ends at the current frame's top */
        cmp_reg(e, T2_R12, T2_R10);
    }
    to_slow(e, T2_HI);
}

/* A narrow induction variable: its lower half stays in [0, 2^32) over the at most r2 + 1
 * updates of this entry, and its upper half is zero where mid_loop_checks_zero says. One of
 * l->hz_fast the middle end knows to be zero may be stale where it lives: it gets its value, 0,
 * since the fast copy never writes it. */
static void check_narrow(emitter *e, const ml_loop *l, const ml_iv *v)
{
    const int r = v->r;
    const int32_t step = v->step;
    const uint32_t m = (uint32_t)(step < 0 ? -step : step);
    const int lo = half(e, r, 0, T2_R0);
    const int known = ((l->hz_fast & e->rg->hz) >> r) & 1u;
    if (mid_loop_checks_zero(l, r, e->rg->hz)) {
        cmp_imm(e, half(e, r, 1, T2_R1), 0);
        to_slow(e, T2_NE);
    }
    /* r3 = |step| * (r2 + 1), below 2^31 (r2 < 2^20, |step| <= 2^11) */
    e32(e, t2_dp_imm8(T2_ADD, 0, T2_R3, T2_R2, 1));
    if ((m & (m - 1)) == 0) {
        if (m > 1)
            e32(e, t2_dp_reg(T2_ORR, 0, T2_R3, T2_PC, T2_R3, T2_LSL, log2_of(m)));
    } else {
        load_imm(e, T2_R1, m);
        e32(e, t2_mul(T2_R3, T2_R3, T2_R1));
    }
    e32(e, t2_dp_reg(step > 0 ? T2_ADD : T2_SUB, 1, T2_R12, lo, T2_R3, 0, 0));
    to_slow(e, step > 0 ? T2_CS : T2_CC);
    if (known) {
        const int8_t home = e->rg->loc[16 + r];
        if (home >= 0) {
            load_imm(e, home, 0);
        } else {
            load_imm(e, T2_R1, 0);
            e32(e, t2_ldst_imm12(T2_STR, T2_R1, T2_R11, MBPF_JB_REG_HI(r)));
        }
    }
}

void t2_loop_test(jit_ctx *c, const ml_loop *l, const t2_loop_regs *rg, uint32_t slow,
                  int short_branches)
{
    emitter e = {c, rg, slow, short_branches};
    count_back_edges(&e, l);
    for (int i = 0; i < l->n_groups; i++)
        check_group(&e, &l->g[i]);
    for (int i = 0; i < l->n_narrow; i++)
        check_narrow(&e, l, &l->narrow[i]);
    if (l->flags & ML_PRECHARGE) { /* last: nothing is charged when the original loop runs */
        int b = rg->budget_reg;
        if (b < 0) {
            e32(&e, t2_ldst_imm12(T2_LDR, T2_R12, T2_R11, MBPF_JB_BUDGET));
            b = T2_R12;
        }
        /* a rotated loop takes one back edge more than r2 */
        const int rotated = (l->flags & ML_ROTATED) != 0;
        cmp_reg(&e, b, T2_R2);
        to_slow(&e, rotated ? T2_LS : T2_CC);
        e32(&e, t2_dp_reg(T2_SUB, 0, b, b, T2_R2, 0, 0));
        if (rotated)
            e32(&e, t2_dp_imm8(T2_SUB, 0, b, b, 1));
        if (rg->budget_reg < 0)
            e32(&e, t2_ldst_imm12(T2_STR, T2_R12, T2_R11, MBPF_JB_BUDGET));
    }
}
