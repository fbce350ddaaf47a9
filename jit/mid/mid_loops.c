/* Middle end: counted loops, induction variables and affine accesses (see mid_loops.h). */
#include <string.h>

#include "jit/mid/mid_loops.h"
#include "jit/mid/mid_access.h"

#define NREGS 11 /* r0..r10 */
#define MAX_CANDIDATES 32 /* back edges examined per program: bounds the analysis time */

/* Symbolic value inside one iteration: a + b + c, where a and b are eBPF registers standing for
 * their values at the start of the iteration (loop invariants or induction variables), -1 for
 * none. */
typedef struct sym {
    int8_t known;
    int8_t a, b;
    int64_t c;
} sym;

static int is_lddw(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_LDDW;
}

static int is_jump(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    return (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT;
}

static int64_t jump_target(uint32_t pc, const mbpf_insn *in)
{
    const int ja32 = MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA;
    return (int64_t)pc + 1 + (ja32 ? in->imm : in->off);
}

/* The register an instruction writes (calls, atomics and exits are never in a loop here). */
static int defined_reg(const mbpf_insn *in)
{
    switch (MBPF_CLASS(in->code)) {
    case MBPF_ALU:
    case MBPF_ALU64:
    case MBPF_LDX:
    case MBPF_LD:
        return MBPF_DST(in);
    default:
        return -1;
    }
}

static int is_access(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    return cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX;
}

/* The constant an induction-variable update adds, when `in` is "r += k" or "r -= k". */
static int add_const(const mbpf_insn *in, int32_t *k)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if ((cls != MBPF_ALU64 && cls != MBPF_ALU) || MBPF_SRCBIT(in->code) ||
        (op != MBPF_ADD && op != MBPF_SUB) || in->imm < -(1 << 30) || in->imm > (1 << 30))
        return 0;
    *k = op == MBPF_ADD ? in->imm : -in->imm;
    return *k != 0;
}

/* Per register: definitions in the loop, and for a single "r += k" its step and width. */
typedef struct reg_defs {
    uint8_t n[NREGS];
    uint8_t iv[NREGS];   /* 1: the one definition adds a constant; 2: ...in 64 bits */
    int32_t step[NREGS];
} reg_defs;

static void scan_defs(const mbpf_program *p, uint32_t h, uint32_t l, reg_defs *d)
{
    memset(d, 0, sizeof *d);
    for (uint32_t pc = h; pc <= l; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const int r = defined_reg(in);
        if (r >= 0 && r < NREGS) {
            int32_t k;
            if (d->n[r] < 255)
                d->n[r]++;
            if (add_const(in, &k)) {
                d->iv[r] = MBPF_CLASS(in->code) == MBPF_ALU64 ? 2 : 1;
                d->step[r] = k;
            } else {
                d->iv[r] = 0;
            }
        }
        if (is_lddw(in))
            pc++;
    }
    for (int r = 0; r < NREGS; r++)
        if (d->n[r] != 1)
            d->iv[r] = 0;
}

/* The shape checks: straight-line body, one entry, no calls; counts the exits. */
static int loop_shape(const mbpf_program *p, const mbpf_fact *facts, uint32_t h, uint32_t l,
                      uint32_t *exits)
{
    *exits = 0;
    if (l + 1 >= p->n_insns || (facts[h].flags & MBPF_FACT_SUBPROG))
        return 0;
    for (uint32_t pc = h; pc <= l; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (!(facts[pc].flags & MBPF_FACT_REACHABLE))
            return 0;
        if ((cls == MBPF_JMP || cls == MBPF_JMP32) && (op == MBPF_CALL || op == MBPF_EXIT))
            return 0;
        if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC)
            return 0;
        if (pc > h && (facts[pc].flags & MBPF_FACT_JUMP_TARGET))
            return 0; /* a jump lands inside: from inside (not straight-line) or outside (a
                       * second entry) */
        if (pc < l && is_jump(in)) {
            const int64_t t = jump_target(pc, in);
            if (t >= (int64_t)h && t <= (int64_t)l)
                return 0;
            (*exits)++;
        }
        if (is_lddw(in))
            pc++;
    }
    return 1;
}

/* Normalise the latch's test to "ctr TEST bound" (continue when true). Returns 0 when the latch
 * is not a test of a counter against an invariant this analysis can count. */
static int latch_test(const mbpf_insn *in, uint32_t hz, const reg_defs *d, ml_loop *l)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int x = MBPF_SRCBIT(in->code) != 0, dr = MBPF_DST(in), sr = MBPF_SRC(in);
    int swapped = 0;
    if (dr < NREGS && d->iv[dr] && (!x || (sr < NREGS && d->n[sr] == 0 && sr != dr))) {
        l->ctr = (int8_t)dr;
        l->bound = x ? (int8_t)sr : -1;
    } else if (x && sr < NREGS && d->iv[sr] && dr < NREGS && d->n[dr] == 0) {
        l->ctr = (int8_t)sr;
        l->bound = (int8_t)dr;
        swapped = 1;
    } else {
        return 0;
    }
    l->bound_imm = x ? 0 : in->imm;
    l->step = d->step[l->ctr];
    const int narrow = cls == MBPF_JMP32 || mid_jump_narrow(in, hz);
    int t;
    switch (op) {
    case MBPF_JLT: case MBPF_JSLT: t = ML_LT; break;
    case MBPF_JLE: case MBPF_JSLE: t = ML_LE; break;
    case MBPF_JGT: case MBPF_JSGT: t = ML_GT; break;
    case MBPF_JGE: case MBPF_JSGE: t = ML_GE; break;
    case MBPF_JNE: t = ML_NE; break;
    default: return 0;
    }
    /* signed tests count only on values known to be in [0, 2^32) (a narrowed 64-bit test) */
    if ((op == MBPF_JSLT || op == MBPF_JSLE || op == MBPF_JSGT || op == MBPF_JSGE) &&
        (cls != MBPF_JMP || !narrow))
        return 0;
    if (swapped && t != ML_NE)
        t = t == ML_LT ? ML_GT : t == ML_LE ? ML_GE : t == ML_GT ? ML_LT : ML_LE;
    l->test = (uint8_t)t;
    if (!narrow) {
        /* 64-bit values: "!=", or unsigned "<" / ">" stepping by one, on a counter updated in
         * 64 bits (it cannot wrap before it reaches the bound) */
        if ((t != ML_NE && t != ML_LT && t != ML_GT) || d->iv[l->ctr] != 2 ||
            op == MBPF_JSLT || op == MBPF_JSGT)
            return 0;
        l->flags |= ML_WIDE;
    }
    if (t == ML_NE) {
        const int32_t a = l->step < 0 ? -l->step : l->step;
        return a <= 256 && (a & (a - 1)) == 0;
    }
    return (t == ML_LT || t == ML_LE) ? l->step == 1 : l->step == -1;
}

static sym sym_reg(int r)
{
    sym s = {1, (int8_t)r, -1, 0};
    return s;
}

static sym sym_unknown(void)
{
    sym s = {0, -1, -1, 0};
    return s;
}

/* x + y, when the sum still names at most two registers. */
static sym sym_add(sym x, sym y)
{
    int8_t regs[4];
    int k = 0;
    if (!x.known || !y.known)
        return sym_unknown();
    if (x.a >= 0) regs[k++] = x.a;
    if (x.b >= 0) regs[k++] = x.b;
    if (y.a >= 0) regs[k++] = y.a;
    if (y.b >= 0) regs[k++] = y.b;
    if (k > 2)
        return sym_unknown();
    sym s = {1, k > 0 ? regs[0] : -1, k > 1 ? regs[1] : -1, x.c + y.c};
    if (s.b >= 0 && s.b < s.a) { /* canonical order, so equal bases compare equal */
        const int8_t t = s.a;
        s.a = s.b;
        s.b = t;
    }
    if (s.c > (1 << 20) || s.c < -(1 << 20))
        return sym_unknown();
    return s;
}

static void sym_transfer(const mbpf_insn *in, sym *st)
{
    const int r = defined_reg(in);
    if (r < 0 || r >= NREGS)
        return;
    const uint8_t op = MBPF_OP(in->code);
    const int x = MBPF_SRCBIT(in->code) != 0;
    sym v = sym_unknown();
    if (MBPF_CLASS(in->code) == MBPF_ALU64) {
        sym k = {1, -1, -1, in->imm};
        if (op == MBPF_MOV && x && in->off == 0)
            v = st[MBPF_SRC(in)];
        else if (op == MBPF_MOV && !x)
            v = k;
        else if (op == MBPF_ADD)
            v = sym_add(st[r], x ? st[MBPF_SRC(in)] : k);
        else if (op == MBPF_SUB && !x) {
            k.c = -k.c;
            v = sym_add(st[r], k);
        }
    }
    st[r] = v;
}

static int32_t step_of(const reg_defs *d, int r)
{
    return r >= 0 && r < NREGS ? d->step[r] * (d->iv[r] == 2) : 0;
}

/* Walk [from, to] of one iteration from state st, grouping the guarded accesses by base. Where a
 * jump lands (after `from`), the registers of `joins` become unknown: they are defined on some
 * paths only. Returns 1 when every guarded access found a group (counted in l->guards), 0
 * otherwise; *guarded counts them all. */
/* A group's align (ml_group) once it also holds an access of `size` bytes at base + lo whose
 * base moves by step per iteration: aligned with a base that is a multiple of the larger of the
 * two when lo and step are multiples of size. */
static uint8_t align_with(uint8_t align, int64_t lo, int32_t step, uint32_t size)
{
    const uint64_t m = size - 1u;
    if (!align || ((uint64_t)lo & m) || ((uint64_t)(int64_t)step & m))
        return 0;
    return (uint8_t)(size > align ? size : align);
}

static int walk_accesses(const mbpf_program *p, const mbpf_fact *facts, const reg_defs *d,
                         ml_loop *l, uint32_t from, uint32_t to, uint32_t joins, sym *st,
                         uint32_t *guarded)
{
    int ok = 1;
    for (uint32_t pc = from; pc <= to; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const mbpf_fact *f = &facts[pc];
        if (pc > from && (f->flags & MBPF_FACT_JUMP_TARGET))
            for (int r = 0; r < NREGS; r++)
                if ((joins >> r) & 1u)
                    st[r] = sym_unknown();
        const uint8_t mem = mid_access_check(in, f); /* what native code must check */
        if (is_access(in) && mem != MBPF_MEM_NONE && mem != MBPF_MEM_PROVEN) {
            (*guarded)++;
            const int base = MBPF_CLASS(in->code) == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
            const sym s = st[base];
            const int64_t lo = s.c + in->off, hi = lo + mbpf_size_bytes(in->code);
            const int write = MBPF_CLASS(in->code) != MBPF_LDX;
            const int32_t step = step_of(d, s.a) + step_of(d, s.b);
            if (mem != MBPF_MEM_GUARD_REGION || !s.known || s.a < 0 ||
                f->region > MBPF_RGN_DATA || (write && f->region == MBPF_RGN_RODATA) ||
                lo < -ML_MAX_OFF || hi > ML_MAX_OFF || step > ML_MAX_STEP || step < -ML_MAX_STEP) {
                ok = 0;
            } else {
                int g;
                for (g = 0; g < l->n_groups; g++)
                    if (l->g[g].a == s.a && l->g[g].b == s.b && l->g[g].region == f->region &&
                        l->g[g].write == write)
                        break;
                if (g == l->n_groups) {
                    if (g == ML_MAX_GROUPS) {
                        ok = 0;
                        goto next;
                    }
                    l->n_groups++;
                    l->g[g].a = s.a;
                    l->g[g].b = s.b;
                    l->g[g].region = f->region;
                    l->g[g].write = (uint8_t)write;
                    l->g[g].step = step;
                    l->g[g].lo = (int32_t)lo;
                    l->g[g].hi = (int32_t)hi;
                    l->g[g].align = 1;
                }
                if (!(f->flags & MBPF_FACT_ALIGNED))
                    l->g[g].align = align_with(l->g[g].align, lo, step, mbpf_size_bytes(in->code));
                if (lo < l->g[g].lo)
                    l->g[g].lo = (int32_t)lo;
                if (hi > l->g[g].hi)
                    l->g[g].hi = (int32_t)hi;
                l->guards++;
            }
        }
    next:
        sym_transfer(in, st);
        if (is_lddw(in))
            pc++;
    }
    return ok;
}

/* The halves an instruction of the fast copy reads (mid_use_def with the live set given), where
 * an access its test checks reads only the lower half of its base. */
static uint32_t fast_use(const mbpf_insn *in, const mbpf_fact *f, const ml_loop *l,
                         uint32_t live, uint32_t hz)
{
    uint32_t use, def;
    mid_use_def(in, f, live, hz, &use, &def);
    mbpf_fact checked = *f;
    checked.mem = mid_access_check(in, f);
    if (is_access(in) && mid_loop_hoisted(l, &checked)) {
        const int load = MBPF_CLASS(in->code) == MBPF_LDX;
        const int base = load ? MBPF_SRC(in) : MBPF_DST(in);
        const int value_hi = MBPF_CLASS(in->code) == MBPF_STX && MBPF_SRC(in) == base &&
                             MBPF_SIZE(in->code) == MBPF_DW;
        if (!value_hi)
            use &= ~MID_HI(base);
    }
    return use;
}

/* l->dead: start from the halves dead at every exit, then drop each one some instruction of the
 * fast copy reads (with the smaller live sets), until nothing changes. */
static uint32_t fast_dead(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                          const ml_loop *l)
{
    uint32_t dead = MID_ALL_REGS & ~mid_live_in(p, facts, m, l->latch + 1);
    for (uint32_t pc = l->head; pc < l->latch; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (is_jump(in))
            dead &= ~mid_live_in(p, facts, m, (uint32_t)jump_target(pc, in));
        if (is_lddw(in))
            pc++;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t pc = l->head; pc <= l->latch; pc++) {
            const mbpf_insn *in = &p->insns[pc];
            const uint32_t use = fast_use(in, &facts[pc], l, m->live_out[pc] & ~dead, m->hz_in[pc]);
            if (use & dead) {
                dead &= ~use;
                changed = 1;
            }
            if (is_lddw(in))
                pc++;
        }
    }
    return dead;
}

/* At the start of an iteration: invariants and 64-bit induction variables stand for themselves. */
static void iteration_start(const reg_defs *d, sym *st)
{
    for (int r = 0; r < NREGS; r++)
        st[r] = (d->n[r] == 0 || d->iv[r] == 2) ? sym_reg(r) : sym_unknown();
}

/* A straight-line loop: one walk over [head, latch]. */
static int group_accesses(const mbpf_program *p, const mbpf_fact *facts, const reg_defs *d,
                          ml_loop *l, uint32_t *guarded)
{
    sym st[NREGS];
    *guarded = 0;
    iteration_start(d, st);
    return walk_accesses(p, facts, d, l, l->head, l->latch, 0, st, guarded);
}

/* Is induction variable r expected below 2^32 whenever the fast copy runs, so that checking it
 * costs no fast runs: a base of its own (its group's check wants the upper half zero anyway), a
 * counter counting up to a bound below 2^32, or a growing offset added to another base? */
static int expected_zero(const ml_loop *l, int r, int32_t step)
{
    if (r == l->ctr)
        return step > 0 && (l->test == ML_LT || l->test == ML_LE);
    for (int g = 0; g < l->n_groups; g++)
        if ((l->g[g].a == r && l->g[g].b < 0) || ((l->g[g].a == r || l->g[g].b == r) && step > 0))
            return 1;
    return 0;
}

/* The halves the fast copy reads, each instruction but the update of register `skip`. */
static uint32_t fast_reads(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                           const ml_loop *l, int skip)
{
    uint32_t reads = 0;
    for (uint32_t pc = l->head; pc <= l->latch; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (defined_reg(in) != skip)
            reads |= fast_use(in, &facts[pc], l, m->live_out[pc] & ~l->dead, m->hz_in[pc]);
        if (is_lddw(in))
            pc++;
    }
    return reads;
}

/* l->dead, then the narrow induction variables (mid_loops.h): 64-bit ones whose upper half the
 * fast copy reads, with a step the test can multiply; not a counter tested with "!=" (one
 * running up to 0 from below carries at its last update, an ordered test keeps it on one side
 * of its bound). One expected to be zero is taken as zero (its test checks it) only when an
 * instruction other than its update reads that half: else knowing it buys nothing. */
static void fast_widths(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                        const reg_defs *d, ml_loop *l)
{
    l->dead = fast_dead(p, facts, m, l);
    for (int r = 0; r < MBPF_REG_FP && l->n_narrow < ML_MAX_NARROW; r++) {
        if ((r != l->ctr || l->test != ML_NE) && d->iv[r] == 2 && !(l->dead & MID_HI(r)) &&
            d->step[r] <= ML_MAX_STEP && d->step[r] >= -ML_MAX_STEP) {
            l->narrow[l->n_narrow].r = (int8_t)r;
            l->narrow[l->n_narrow].step = d->step[r];
            l->n_narrow++;
            if (((m->hz_in[l->entry] >> r) & 1u) ||
                (expected_zero(l, r, d->step[r]) &&
                 (fast_reads(p, facts, m, l, r) & MID_HI(r))))
                l->hz_fast |= (uint16_t)(1u << r);
        }
    }
}

static int analyse_loop(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                        uint32_t h, uint32_t latch, ml_loop *l)
{
    uint32_t exits, guarded;
    reg_defs d;
    memset(l, 0, sizeof *l);
    l->head = l->entry = h;
    l->latch = latch;
    if (!loop_shape(p, facts, h, latch, &exits))
        return 0;
    scan_defs(p, h, latch, &d);
    if (!latch_test(&p->insns[latch], m->hz_in[latch], &d, l))
        return 0;
    const int hoist = group_accesses(p, facts, &d, l, &guarded);
    if (guarded && !hoist)
        return 0; /* the fast copy would keep guards (and need their cold paths) */
    if (hoist && l->n_groups)
        l->flags |= ML_HOIST;
    else
        l->n_groups = 0;
    const mbpf_fact *lf = &facts[latch];
    if ((facts[h].flags & MBPF_FACT_LOOP_HEAD) && !(lf->flags & MBPF_FACT_BOUNDED))
        return 0; /* the back edge would pay the head's entry charge: both copies' back edges
                   * go past it */
    if (exits == 0 && (lf->flags & MBPF_FACT_BACKEDGE) && !(lf->flags & MBPF_FACT_BOUNDED))
        l->flags |= ML_PRECHARGE;
    if (!(l->flags & (ML_HOIST | ML_PRECHARGE)))
        return 0;
    fast_widths(p, facts, m, &d, l);
    return 1;
}

/* ---- rotated loops (ML_ROTATED in mid_loops.h) ---------------------------------------------- */

#define ROTATED_REACH 256 /* how far after a back edge the loop's last one is looked for */

/* The condition that keeps a loop going when `in`'s jump leaves it: the negated jump. */
static int negate_jump(const mbpf_insn *in, mbpf_insn *out)
{
    static const uint8_t pairs[][2] = {{MBPF_JLT, MBPF_JGE}, {MBPF_JLE, MBPF_JGT},
                                       {MBPF_JSLT, MBPF_JSGE}, {MBPF_JSLE, MBPF_JSGT},
                                       {MBPF_JEQ, MBPF_JNE}};
    const uint8_t op = MBPF_OP(in->code);
    *out = *in;
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        for (int k = 0; k < 2; k++)
            if (op == pairs[i][k]) {
                out->code = (uint8_t)((in->code & ~0xf0u) | pairs[i][1 - k]);
                return 1;
            }
    return 0;
}

static int outside(uint32_t h, uint32_t l, int64_t t)
{
    return t < (int64_t)h || t > (int64_t)l;
}

/* [head, test] straight line ending in a conditional jump; sets the entry, whether the jump's
 * taken side is the one that leaves (*leaves) and returns the test's pc, or 0. */
static uint32_t rotated_test(const mbpf_program *p, const mbpf_fact *facts, uint32_t h,
                             uint32_t latch, uint32_t *entry, int *leaves)
{
    uint32_t t = h;
    while (t < latch && !is_jump(&p->insns[t])) {
        if (t > h && (facts[t].flags & MBPF_FACT_JUMP_TARGET))
            return 0;
        t += is_lddw(&p->insns[t]) ? 2 : 1;
    }
    const mbpf_insn *in = &p->insns[t];
    if (t >= latch || t == h || MBPF_OP(in->code) == MBPF_JA ||
        (facts[t].flags & MBPF_FACT_JUMP_TARGET))
        return 0;
    const int64_t tt = jump_target(t, in);
    if (outside(h, latch, tt)) { /* taken: leave; fall through: go on */
        *entry = t + 1;
        *leaves = 1;
        return t;
    }
    /* taken: go on at t + 2; fall through: one ja that leaves */
    const mbpf_insn *x = &p->insns[t + 1];
    if (tt != (int64_t)t + 2 || !is_jump(x) || MBPF_OP(x->code) != MBPF_JA ||
        !outside(h, latch, jump_target(t + 1, x)) ||
        (facts[t + 1].flags & MBPF_FACT_JUMP_TARGET))
        return 0;
    *entry = t + 2;
    *leaves = 0;
    return t;
}

/* The body's jumps: forward inside it, back to head, or out. Counts the exits (other than the
 * test's) and the landing points, checks the back edges' budget flags agree; 0 on any doubt. */
static int rotated_body(const mbpf_program *p, const mbpf_fact *facts, ml_loop *l, uint32_t test,
                        uint32_t *exits, uint8_t *backedge_flags)
{
    const uint32_t h = l->head, e = l->entry, latch = l->latch;
    *exits = 0;
    *backedge_flags = 0xff;
    l->n_targets = 1;
    l->target[0] = e;
    for (uint32_t pc = h; pc <= latch; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const mbpf_fact *f = &facts[pc];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (!(f->flags & MBPF_FACT_REACHABLE) || (f->flags & MBPF_FACT_SUBPROG) ||
            ((cls == MBPF_JMP || cls == MBPF_JMP32) && (op == MBPF_CALL || op == MBPF_EXIT)) ||
            (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC))
            return 0;
        if (pc > e && (f->flags & MBPF_FACT_JUMP_TARGET)) {
            if (l->n_targets == ML_MAX_TARGETS)
                return 0;
            l->target[l->n_targets++] = pc;
        }
        const int test_side = pc == test || (pc == test + 1 && l->entry == test + 2);
        if (is_jump(in) && !test_side) {
            const int64_t t = jump_target(pc, in);
            const uint8_t be = f->flags & (MBPF_FACT_BACKEDGE | MBPF_FACT_BOUNDED);
            if (t == (int64_t)h) {
                if (pc < e || !(be & MBPF_FACT_BACKEDGE) ||
                    (*backedge_flags != 0xff && *backedge_flags != be))
                    return 0;
                *backedge_flags = be;
            } else if (!outside(h, latch, t)) {
                if (t <= (int64_t)pc || pc < e)
                    return 0; /* only forward jumps inside the body */
            } else {
                (*exits)++;
            }
            if (pc == latch && op != MBPF_JA)
                (*exits)++; /* a conditional last back edge falls out of the loop */
        }
        if (is_lddw(in))
            pc++;
    }
    return *backedge_flags != 0xff;
}

/* Every edge from outside [head, latch] lands on the entry: no fall-through into head, and no
 * jump into the range elsewhere. */
static int rotated_single_entry(const mbpf_program *p, const ml_loop *l)
{
    const uint32_t h = l->head;
    if (h < 1 || (h >= 2 && is_lddw(&p->insns[h - 2])))
        return 0;
    const mbpf_insn *before = &p->insns[h - 1];
    const uint8_t cls = MBPF_CLASS(before->code), op = MBPF_OP(before->code);
    if (!((cls == MBPF_JMP || cls == MBPF_JMP32) && (op == MBPF_JA || op == MBPF_EXIT)))
        return 0;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (pc >= h && pc <= l->latch)
            continue;
        if (is_jump(in)) {
            const int64_t t = jump_target(pc, in);
            if (!outside(h, l->latch, t) && t != (int64_t)l->entry)
                return 0;
        }
        if (is_lddw(in))
            pc++;
    }
    return 1;
}

static int analyse_rotated(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                           uint32_t h, uint32_t latch, ml_loop *l)
{
    uint32_t exits, guarded = 0;
    uint8_t be;
    int leaves;
    reg_defs d;
    memset(l, 0, sizeof *l);
    if (facts[h].flags & (MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
        return 0;
    /* the last jump back to head close by closes the loop */
    for (uint32_t pc = latch + 1; pc < p->n_insns && pc < latch + ROTATED_REACH; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (is_jump(in) && jump_target(pc, in) == (int64_t)h)
            latch = pc;
        if (is_lddw(in))
            pc++;
    }
    l->head = h;
    l->latch = latch;
    if (latch + 1 >= p->n_insns)
        return 0;
    const uint32_t test = rotated_test(p, facts, h, latch, &l->entry, &leaves);
    if (!test || (facts[l->entry].flags & (MBPF_FACT_LOOP_HEAD | MBPF_FACT_SUBPROG)) ||
        !rotated_body(p, facts, l, test, &exits, &be) || !rotated_single_entry(p, l))
        return 0;
    /* induction variables: updated in [head, test), once per iteration */
    scan_defs(p, h, latch, &d);
    uint32_t body_defs = 0;
    for (uint32_t pc = l->entry; pc <= latch; pc++) {
        const int r = defined_reg(&p->insns[pc]);
        if (r >= 0 && r < NREGS)
            body_defs |= 1u << r;
        if (is_lddw(&p->insns[pc]))
            pc++;
    }
    for (int r = 0; r < NREGS; r++)
        if ((body_defs >> r) & 1u)
            d.iv[r] = 0;
    mbpf_insn cont;
    if (leaves ? !negate_jump(&p->insns[test], &cont) : ((cont = p->insns[test]), 0))
        return 0;
    if (!latch_test(&cont, m->hz_in[test], &d, l))
        return 0;
    /* accesses: from the entry to the last back edge, then [head, test] after it */
    sym st[NREGS];
    iteration_start(&d, st);
    int hoist = walk_accesses(p, facts, &d, l, l->entry, latch, body_defs, st, &guarded);
    for (int r = 0; r < NREGS; r++)
        if ((body_defs >> r) & 1u)
            st[r] = sym_unknown(); /* head joins the back edges */
    hoist &= walk_accesses(p, facts, &d, l, h, l->entry - 1, 0, st, &guarded);
    if (guarded && !hoist)
        return 0;
    l->flags |= ML_ROTATED;
    if (hoist && l->n_groups)
        l->flags |= ML_HOIST;
    else
        l->n_groups = 0;
    if (exits == 0 && be == MBPF_FACT_BACKEDGE)
        l->flags |= ML_PRECHARGE;
    if (!(l->flags & (ML_HOIST | ML_PRECHARGE)))
        return 0;
    fast_widths(p, facts, m, &d, l);
    return 1;
}

size_t mid_loops_work_size(void)
{
    return sizeof(mid_loops) + 4;
}

const mid_loops *mid_loops_analyse(const mbpf_program *p, const mbpf_fact *facts,
                                   const mid_info *m, void *work, size_t size)
{
    return mid_loops_find(p, facts, m, work, size, 0);
}

const mid_loops *mid_loops_find(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m,
                                void *work, size_t size, unsigned shapes)
{
    if (size < mid_loops_work_size())
        return NULL;
    mid_loops *ls = (mid_loops *)(void *)(((uintptr_t)work + 3u) & ~(uintptr_t)3u);
    ls->n = 0; /* analyse_loop clears each entry it fills */
    uint32_t tried = 0;
    for (uint32_t pc = 0; pc < p->n_insns && ls->n < ML_MAX_LOOPS && tried < MAX_CANDIDATES; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (pc > 0 && is_lddw(&p->insns[pc - 1]))
            continue;
        if (!(facts[pc].flags & MBPF_FACT_BACKEDGE) || !(facts[pc].flags & MBPF_FACT_REACHABLE) ||
            !is_jump(in) || MBPF_OP(in->code) == MBPF_JA)
            continue;
        const int64_t h = jump_target(pc, in);
        if (h < 0 || h > (int64_t)pc)
            continue;
        if (mid_loop_around(ls, pc))
            continue; /* another back edge of a rotated loop already found */
        tried++;
        if (analyse_loop(p, facts, m, (uint32_t)h, pc, &ls->loop[ls->n]) ||
            ((shapes & ML_SHAPE_ROTATED) &&
             analyse_rotated(p, facts, m, (uint32_t)h, pc, &ls->loop[ls->n])))
            ls->n++;
    }
    return ls;
}

const ml_loop *mid_loop_at_head(const mid_loops *ls, uint32_t pc)
{
    for (uint32_t i = 0; ls && i < ls->n; i++)
        if (ls->loop[i].head == pc)
            return &ls->loop[i];
    return NULL;
}

const ml_loop *mid_loop_at_latch(const mid_loops *ls, uint32_t pc)
{
    for (uint32_t i = 0; ls && i < ls->n; i++)
        if (ls->loop[i].latch == pc)
            return &ls->loop[i];
    return NULL;
}

int mid_loop_back_edge(const ml_loop *l, const mbpf_program *p, uint32_t pc)
{
    return pc >= l->head && pc <= l->latch && is_jump(&p->insns[pc]) &&
           (pc == l->head || !is_lddw(&p->insns[pc - 1])) &&
           jump_target(pc, &p->insns[pc]) == (int64_t)l->head;
}

const ml_loop *mid_loop_around(const mid_loops *ls, uint32_t pc)
{
    for (uint32_t i = 0; ls && i < ls->n; i++)
        if (pc >= ls->loop[i].head && pc <= ls->loop[i].latch)
            return &ls->loop[i];
    return NULL;
}

int mid_loop_hoisted(const ml_loop *l, const mbpf_fact *f)
{
    return (l->flags & ML_HOIST) && f->mem == MBPF_MEM_GUARD_REGION;
}

int mid_loop_aligned(const ml_loop *l)
{
    for (int g = 0; g < l->n_groups; g++)
        if (!l->g[g].align)
            return 0;
    return (l->flags & ML_HOIST) != 0;
}

int mid_loop_narrow_update(const ml_loop *l, const mbpf_insn *in, uint32_t hz)
{
    int32_t k;
    const int r = MBPF_DST(in);
    if (MBPF_CLASS(in->code) != MBPF_ALU64 || !add_const(in, &k) ||
        (((hz >> r) & 1u) && !((l->hz_fast >> r) & 1u)))
        return 0;
    for (int i = 0; i < l->n_narrow; i++)
        if (l->narrow[i].r == r)
            return 1;
    return 0;
}

int mid_loop_checks_zero(const ml_loop *l, int r, uint32_t hz)
{
    if (!((l->hz_fast >> r) & 1u) || ((hz >> r) & 1u))
        return 0;
    for (int g = 0; g < l->n_groups; g++)
        if (l->g[g].a == r && l->g[g].b < 0)
            return 0;
    return 1;
}

void mid_loops_left(const mbpf_program *p, const mbpf_fact *facts, const mid_loops *ls,
                    uint32_t *guards, uint32_t *budgeted)
{
    *guards = *budgeted = 0;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_fact *f = &facts[pc];
        if (!(f->flags & MBPF_FACT_REACHABLE) || (pc > 0 && is_lddw(&p->insns[pc - 1])))
            continue;
        const mbpf_fact checked = {mid_access_check(&p->insns[pc], f), f->region, f->flags, f->aux};
        const int guarded = is_access(&p->insns[pc]) && checked.mem != MBPF_MEM_NONE &&
                            checked.mem != MBPF_MEM_PROVEN;
        const int charged = (f->flags & MBPF_FACT_BACKEDGE) && !(f->flags & MBPF_FACT_BOUNDED);
        if (!guarded && !charged)
            continue; /* the common case: no loop lookup */
        const ml_loop *in_loop = mid_loop_around(ls, pc);
        if (guarded && !(in_loop && mid_loop_hoisted(in_loop, &checked)))
            (*guards)++;
        if (charged && !(in_loop && (in_loop->flags & ML_PRECHARGE) && mid_loop_back_edge(in_loop, p, pc)))
            (*budgeted)++;
    }
}
