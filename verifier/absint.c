/* The abstract interpreter: one state per jump target and function entry (astate, in the
 * arena), sweeps over the program in instruction order until the states at loop heads stop
 * changing (widening at loop heads keeps that to a few sweeps), then the facts of the last
 * sweep. It rejects reads of uninitialised registers and stack bytes, pointer stores into the
 * context, writes through pointers proven to point into rodata (or a read-only context); it
 * proves memory accesses in bounds for the translators. */
#include <string.h>

#include "verifier/absint.h"

#define NO_POINT 0xffffffffu
#define MAX_SWEEPS 64u

static uint32_t point_of(const vstate *st, uint32_t pc)
{
    return st->work[pc];
}

static astate *state_at(vstate *st, uint32_t pc)
{
    uint32_t i = point_of(st, pc);
    return i == NO_POINT ? NULL : &((astate *)st->states)[i];
}

/* ---- joins ---- */

/* States are copied with word loops: the library memcpy of a size-optimised libc may move one
 * byte at a time, and states move at every join point. */
static void state_copy(astate *d, const astate *src)
{
    uint32_t *dw = (uint32_t *)(void *)d;
    const uint32_t *sw = (const uint32_t *)(const void *)src;
    for (uint32_t i = 0; i < sizeof(astate) / 4; i++)
        dw[i] = sw[i];
}

static int reg_equal(const areg *a, const areg *b)
{
    return a->type == b->type && a->flags == b->flags && a->ub == b->ub && a->lo == b->lo &&
           a->hi == b->hi && (a->type != T_UNINIT || a->origin == b->origin);
}

static void join_reg(areg *to, const areg *from, uint32_t len_to, uint32_t len_from, uint32_t len_j,
                     int widen)
{
    if (to->type == T_UNINIT)
        return;
    if (from->type == T_UNINIT) {
        *to = *from;
        return;
    }
    if (to->type != from->type) {
        int any = a_is_ptr(to) || a_is_ptr(from) || to->type == T_ANY || from->type == T_ANY;
        a_unknown(to);
        if (any)
            to->type = T_ANY;
        return;
    }
    int32_t ua = a_eff_ub(to, len_to), ubb = a_eff_ub(from, len_from);
    int32_t ub = ua < ubb ? ua : ubb;
    int is_ptr = a_is_ptr(to);
    uint64_t lo = to->lo, hi = to->hi;
    if (is_ptr) {
        if ((int64_t)from->lo < (int64_t)lo)
            lo = widen ? (uint64_t)INT64_MIN : from->lo;
        if ((int64_t)from->hi > (int64_t)hi)
            hi = widen ? (uint64_t)INT64_MAX : from->hi;
    } else {
        if (from->lo < lo)
            lo = widen ? 0 : from->lo;
        if (from->hi > hi)
            hi = widen ? ~0ull : from->hi;
    }
    if (widen && ub < ua)
        ub = UB_NONE;
    to->lo = lo;
    to->hi = hi;
    to->ub = ub;
    to->flags &= from->flags;
    to->flags |= (uint8_t)((to->flags | from->flags) & AF_HINT);
    a_normalize(to, len_j);
    /* store the bound in its canonical form (what it implies under len_j): a raw bound that
     * differs from an implied one would let successive joins flip between the two forever */
    to->ub = a_eff_ub(to, len_j);
}

static int same_words(const void *a, const void *b, size_t bytes)
{
    const uint32_t *x = (const uint32_t *)a, *y = (const uint32_t *)b;
    for (size_t i = 0; i < bytes / 4; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* Merge `from` into the state of point pc. Returns 1 when that state changed. */
static int merge(vstate *st, uint32_t pc, const astate *from, int back_edge)
{
    astate *to = state_at(st, pc);
    if (!to->reached) {
        state_copy(to, from);
        to->reached = 1;
        to->dirty = 1;
        return 1;
    }
    int widen = back_edge; /* widening at the first change keeps sweeps few; the LEN relation and
                            * the refinements at the loop test recover what it loses */
    uint32_t len_j = to->len_min < from->len_min ? to->len_min : from->len_min;
    int changed = len_j != to->len_min;
    for (int r = 0; r < AREGS; r++) {
        if (same_words(&to->r[r], &from->r[r], sizeof(areg)) && len_j == to->len_min)
            continue; /* the usual case once a loop has settled */
        areg before = to->r[r];
        join_reg(&to->r[r], &from->r[r], to->len_min, from->len_min, len_j, widen);
        changed |= !reg_equal(&to->r[r], &before);
    }
    to->len_min = len_j;
    if (!same_words(to->init, from->init, 2 * AS_SLOTS)) {
        for (int i = 0; i < AS_SLOTS; i++) {
            uint8_t init = to->init[i] & from->init[i];
            uint8_t kind = to->kind[i] == from->kind[i] ? to->kind[i] : T_SCALAR;
            changed |= init != to->init[i] || kind != to->kind[i];
            to->init[i] = init;
            to->kind[i] = kind;
        }
    }
    if (changed)
        to->dirty = 1;
    return changed;
}

/* ---- entry states ---- */

static void entry_state(astate *s, uint32_t pc, int main_entry)
{
    uint32_t *w = (uint32_t *)(void *)s;
    for (uint32_t i = 0; i < sizeof(astate) / 4; i++)
        w[i] = 0;
    for (int r = 0; r < AREGS; r++)
        a_uninit(&s->r[r], pc);
    if (main_entry) {
        s->r[1].type = T_CTX;
        s->r[1].flags = 0;
        s->r[1].lo = s->r[1].hi = 0;
        s->r[1].ub = 0; /* offset 0 <= LEN */
        a_scalar(&s->r[2], 0, LEN_MAX);
        s->r[2].flags = AF_EQ_LEN;
        s->r[2].ub = 0;
    } else {
        for (int r = 1; r <= 5; r++) { /* arguments: anything, pointers included */
            a_unknown(&s->r[r]);
            s->r[r].type = T_ANY;
        }
    }
    for (int i = 0; i < AS_SLOTS; i++)
        s->kind[i] = T_SCALAR;
    s->reached = 1;
}

/* ---- checks ---- */

static const char *const reg_names[MBPF_NREGS] = {"r0", "r1", "r2", "r3", "r4", "r5",
                                                  "r6", "r7", "r8", "r9", "r10"};

static int use(vstate *st, uint32_t pc, const astate *s, uint8_t r)
{
    if (r == MBPF_REG_FP || s->r[r].type != T_UNINIT)
        return 0;
    char msg[64];
    size_t n = 0;
    const char *tail = " is not initialised on a path from insn ";
    for (const char *p = reg_names[r]; *p;)
        msg[n++] = *p++;
    while (*tail && n + 1 < sizeof msg)
        msg[n++] = *tail++;
    msg[n] = '\0';
    return vreject_num(st, pc, msg, s->r[r].origin);
}

/* The value at register r as an operand (r10 is the frame pointer). */
static areg operand(const astate *s, uint8_t r)
{
    areg v;
    if (r == MBPF_REG_FP) {
        memset(&v, 0, sizeof v);
        v.type = T_STACK;
        v.ub = UB_NONE;
        return v;
    }
    return s->r[r];
}

/* Stack bytes [lo, hi) relative to r10 that overlap the tracked slots. */
static int stack_bytes_init(const astate *s, int64_t lo, int64_t hi)
{
    for (int64_t b = lo; b < hi; b++) {
        if (b >= 0 || b < -(int64_t)(8 * AS_SLOTS))
            continue;
        int64_t depth = -b - 1; /* 0 = the byte just below r10 */
        uint32_t slot = (uint32_t)(depth / 8), bit = 7u - (uint32_t)(depth % 8);
        if (!(s->init[slot] >> bit & 1u))
            return 0;
    }
    return 1;
}

static void stack_mark(astate *s, int64_t lo, int64_t hi, uint8_t kind)
{
    for (int64_t b = lo; b < hi; b++) {
        if (b >= 0 || b < -(int64_t)(8 * AS_SLOTS))
            continue;
        int64_t depth = -b - 1;
        uint32_t slot = (uint32_t)(depth / 8), bit = 7u - (uint32_t)(depth % 8);
        s->init[slot] |= (uint8_t)(1u << bit);
        s->kind[slot] = T_SCALAR;
    }
    if (kind != T_SCALAR && !(lo & 7) && hi == lo + 8 && lo < 0 && lo >= -(int64_t)(8 * AS_SLOTS))
        s->kind[(-lo) / 8 - 1] = kind;
}

static void stack_all_init(astate *s)
{
    for (int i = 0; i < AS_SLOTS; i++) {
        s->init[i] = 0xff;
        s->kind[i] = T_SCALAR;
    }
}

/* Region bounds for a proof: [0, len) of rodata/data, the frame [-512, 0) of the stack. */
static int proven(vstate *st, const astate *s, const areg *b, int16_t off, uint32_t size, int write)
{
    if ((b->flags & AF_HINT) || (int64_t)b->lo < -(1ll << 40) || (int64_t)b->hi > (1ll << 40))
        return 0;
    int64_t lo = (int64_t)b->lo + off, hi = (int64_t)b->hi + off + (int64_t)size;
    switch (b->type) {
    case T_STACK: return lo >= -MBPF_STACK_SIZE && hi <= 0;
    case T_RODATA: return !write && lo >= 0 && hi <= (int64_t)st->prog->rodata_len;
    case T_DATA: return lo >= 0 && hi <= (int64_t)st->prog->data_len;
    case T_CTX: {
        uint32_t need = write ? MBPF_REGION_W : MBPF_REGION_R;
        if ((st->opts->ctx_flags & need) != need || lo < 0)
            return 0;
        if (hi <= (int64_t)st->opts->ctx_min_len)
            return 1;
        int32_t ub = a_eff_ub(b, s->len_min);
        /* offset <= LEN - ub, so the access ends at most at LEN - ub + off + size */
        return ub != UB_NONE && (int64_t)off + (int64_t)size <= (int64_t)ub;
    }
    default: return 0;
    }
}

/* Every value the pointer may have gives an access outside its region: reject outright. */
static int out_of_bounds(const vstate *st, const areg *b, int16_t off, uint32_t size)
{
    if (!a_is_ptr(b) || (b->flags & AF_HINT) || (int64_t)b->lo < -(1ll << 40) || (int64_t)b->hi > (1ll << 40))
        return 0;
    int64_t lo = (int64_t)b->lo + off, hi = (int64_t)b->hi + off; /* first byte, lowest and highest */
    int64_t min_ok, max_ok; /* allowed first bytes */
    switch (b->type) {
    case T_STACK: min_ok = -MBPF_STACK_SIZE; max_ok = -(int64_t)size; break;
    case T_CTX: return hi < 0;
    case T_RODATA: min_ok = 0; max_ok = (int64_t)st->prog->rodata_len - (int64_t)size; break;
    case T_DATA: min_ok = 0; max_ok = (int64_t)st->prog->data_len - (int64_t)size; break;
    default: return 0;
    }
    return hi < min_ok || lo > max_ok;
}

static const uint8_t region_of_type[] = {0, 0, 0, MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_RODATA,
                                         MBPF_RGN_DATA};

static void mem_fact(vstate *st, const astate *s, mbpf_fact *f, const areg *b, int16_t off,
                     uint32_t size, int write)
{
    if (proven(st, s, b, off, size, write)) {
        f->mem = MBPF_MEM_PROVEN;
        f->region = region_of_type[b->type];
    } else if (a_is_ptr(b)) {
        f->mem = MBPF_MEM_GUARD_REGION;
        f->region = region_of_type[b->type];
    } else {
        f->mem = MBPF_MEM_GUARD_ANY;
    }
}

static uint32_t size_bytes(uint8_t code)
{
    return mbpf_size_bytes(code);
}

/* Memory instruction: checks, stack bookkeeping, the loaded value. */
static int do_mem(vstate *st, uint32_t pc, astate *s, mbpf_fact *f)
{
    const mbpf_insn *in = &st->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code), mode = MBPF_MODE(in->code);
    const uint32_t size = size_bytes(in->code);
    const int write = cls != MBPF_LDX;
    const uint8_t base_r = cls == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
    if (use(st, pc, s, base_r))
        return -1;
    if (cls == MBPF_STX && use(st, pc, s, MBPF_SRC(in)))
        return -1;
    if (cls == MBPF_STX && mode == MBPF_ATOMIC && in->imm == MBPF_CMPXCHG && use(st, pc, s, 0))
        return -1;
    areg b = operand(s, base_r);
    if (!(b.flags & AF_HINT)) {
        if (write && b.type == T_RODATA)
            return vreject(st, pc, "write into read-only data");
        if (write && b.type == T_CTX && !(st->opts->ctx_flags & MBPF_REGION_W))
            return vreject(st, pc, "write into the read-only context");
        if (!write && b.type == T_CTX && !(st->opts->ctx_flags & MBPF_REGION_R))
            return vreject(st, pc, "read of a context the program may not read");
    }
    if (out_of_bounds(st, &b, in->off, size)) {
        static const char *const why[] = {"", "", "", "stack access outside the 512-byte frame",
                                          "context access before its start", "access outside rodata",
                                          "access outside the program's data"};
        return vreject(st, pc, why[b.type]);
    }
    if (cls == MBPF_STX && b.type == T_CTX) {
        areg v = operand(s, MBPF_SRC(in));
        if (a_is_ptr(&v) && !(v.flags & AF_HINT))
            return vreject(st, pc, "pointer stored into the context (it would leak to the host)");
    }
    mem_fact(st, s, f, &b, in->off, size, write);
    const int sane = (int64_t)b.lo >= -(1ll << 40) && (int64_t)b.hi <= (1ll << 40);
    int exact = b.type == T_STACK && !(b.flags & AF_HINT) && b.lo == b.hi && sane;
    int64_t at = sane ? (int64_t)b.lo + in->off : 0;
    if (exact && (!write || mode == MBPF_ATOMIC)) {
        /* every byte read must have been written (at a variable offset the program reads its
         * own stack, which no other tenant shares: not checked) */
        int64_t lo = (int64_t)b.lo + in->off, hi = (int64_t)b.hi + in->off + (int64_t)size;
        if (hi - lo <= 8 * AS_SLOTS + 8 && !stack_bytes_init(s, lo, hi))
            return vreject(st, pc, "read of uninitialised stack");
    }
    if (write && exact) {
        uint8_t kind = T_SCALAR;
        if (cls == MBPF_STX && mode == MBPF_MEM && size == 8) {
            areg v = operand(s, MBPF_SRC(in));
            if (a_is_ptr(&v))
                kind = v.type;
        }
        stack_mark(s, at, at + (int64_t)size, kind);
    } else if (write && b.type == T_STACK && b.lo != b.hi) {
        /* a store somewhere in a range: no byte becomes known-initialised, spilled pointers
         * there are no longer trustworthy */
        for (int i = 0; i < AS_SLOTS; i++)
            s->kind[i] = T_SCALAR;
    }
    if (cls == MBPF_LDX) {
        areg *d = &s->r[MBPF_DST(in)];
        if (exact && size == 8 && mode == MBPF_MEM && !(at & 7) && at < 0 && at >= -(int64_t)(8 * AS_SLOTS) &&
            s->kind[(-at) / 8 - 1] != T_SCALAR) {
            uint8_t k = s->kind[(-at) / 8 - 1];
            a_unknown(d);
            d->type = k;
            d->flags = AF_HINT;
            d->lo = (uint64_t)INT64_MIN;
            d->hi = (uint64_t)INT64_MAX;
        } else if (mode == MBPF_MEMSX || size == 8) {
            a_unknown(d);
        } else {
            a_scalar(d, 0, (1ull << (8 * size)) - 1);
        }
    } else if (mode == MBPF_ATOMIC && (in->imm & MBPF_FETCH)) {
        areg *d = &s->r[in->imm == MBPF_CMPXCHG ? 0 : MBPF_SRC(in)];
        if (size == 8)
            a_unknown(d);
        else
            a_scalar(d, 0, 0xffffffffull);
    }
    return 0;
}

static void hi_zero_fact(const astate *s, mbpf_fact *f, uint8_t r)
{
    const areg *v = &s->r[r];
    if (v->type == T_SCALAR && v->hi <= 0xffffffffull)
        f->flags |= MBPF_FACT_HI_ZERO;
}

static uint32_t jump_dest(uint32_t pc, const mbpf_insn *in)
{
    int32_t rel = (MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA) ? in->imm : in->off;
    return (uint32_t)((int64_t)pc + 1 + rel);
}

/* Interpret instruction pc on s (in place: s becomes the fall-through state). Branch targets are
 * merged here. Returns -1 on rejection, 0 when execution may fall through, 1 when it cannot. */
static int step(vstate *st, uint32_t pc, astate *s, mbpf_fact *f, uint32_t *restart)
{
    const mbpf_insn *in = &st->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const uint8_t dst = MBPF_DST(in), src = MBPF_SRC(in);
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64: {
        if (op != MBPF_MOV && use(st, pc, s, dst))
            return -1;
        areg b;
        if (MBPF_SRCBIT(in->code) && op != MBPF_END && op != MBPF_NEG) {
            if (use(st, pc, s, src))
                return -1;
            b = operand(s, src);
        } else {
            uint64_t k = cls == MBPF_ALU ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm;
            a_scalar(&b, k, k);
        }
        a_alu(s, in, &s->r[dst], &b);
        hi_zero_fact(s, f, dst);
        return 0;
    }
    case MBPF_LD: {
        const mbpf_insn *next = &st->insns[pc + 1];
        areg *d = &s->r[dst];
        if (src == MBPF_LDDW_REGION) {
            a_scalar(d, 0, 0);
            d->type = in->imm == MBPF_REGION_ID_RODATA ? T_RODATA : T_DATA;
            d->lo = d->hi = (uint64_t)(int64_t)next->imm;
        } else {
            uint64_t v = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)next->imm << 32;
            a_scalar(d, v, v);
            hi_zero_fact(s, f, dst);
        }
        return 0;
    }
    case MBPF_LDX:
    case MBPF_ST:
    case MBPF_STX:
        if (do_mem(st, pc, s, f))
            return -1;
        if (cls == MBPF_LDX)
            hi_zero_fact(s, f, dst);
        return 0;
    default:
        break;
    }
    /* jumps, calls, exit */
    if (op == MBPF_EXIT) /* the program's result must be defined; a local function may be void */
        return st->sub[pc] == 0 && use(st, pc, s, 0) ? -1 : 1;
    if (op == MBPF_CALL) {
        if (MBPF_SRCBIT(in->code) && use(st, pc, s, dst))
            return -1;
        int gave_stack = 0;
        for (int r = 1; r <= 5; r++)
            gave_stack |= s->r[r].type == T_STACK;
        if (gave_stack)
            stack_all_init(s);
        for (int r = 1; r <= 5; r++)
            a_uninit(&s->r[r], pc);
        a_unknown(&s->r[0]);
        if (src == MBPF_CALL_LOCAL)
            s->r[0].type = T_ANY; /* the callee may return anything, a pointer included */
        return 0;
    }
    if (op != MBPF_JA) {
        if (use(st, pc, s, dst) || (MBPF_SRCBIT(in->code) && use(st, pc, s, src)))
            return -1;
    }
    uint32_t t = jump_dest(pc, in);
    if (op == MBPF_JA) {
        if (merge(st, t, s, t <= pc) && t <= pc && t < *restart)
            *restart = t;
        return 1;
    }
    /* the branch narrows at most the two compared registers and len_min: narrow in place for
     * the taken edge, merge, restore, then narrow for the fall-through */
    const uint8_t rb = MBPF_SRCBIT(in->code) && src < AREGS ? src : dst;
    const areg save_a = s->r[dst < AREGS ? dst : 0], save_b = s->r[rb < AREGS ? rb : 0];
    const uint32_t save_len = s->len_min;
    if (a_branch(s, in, 1) && merge(st, t, s, t <= pc) && t <= pc && t < *restart)
        *restart = t;
    if (dst < AREGS)
        s->r[dst] = save_a;
    if (rb < AREGS)
        s->r[rb] = save_b;
    s->len_min = save_len;
    return a_branch(s, in, 0) ? 0 : 1;
}

/* Figures from the final facts. */
static void count_figures(vstate *st, const mbpf_fact *facts)
{
    mbpf_verify_result *res = st->res;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        const mbpf_insn *in = &st->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code);
        const int hz = (facts[pc].flags & MBPF_FACT_HI_ZERO) != 0;
        if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) {
            res->mem_accesses++;
            res->mem_proven += facts[pc].mem == MBPF_MEM_PROVEN;
        }
        if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LDX ||
            (cls == MBPF_LD && MBPF_SRC(in) != MBPF_LDDW_REGION)) {
            res->alu_results++;
            res->alu_hi_zero += (uint32_t)hz;
        }
        if (cls == MBPF_ALU) {
            res->alu32_results++;
            res->alu32_hi_zero += (uint32_t)hz;
        }
    }
}

/* One sweep over [start, n): interpret the blocks whose entry state changed since they were last
 * interpreted (all of them the first time); the others keep their facts. Returns -1 on
 * rejection, else the lowest loop head whose state changed (st->n when none did). */
static int64_t sweep(vstate *st, mbpf_fact *facts, uint32_t start, astate *cur)
{
    uint32_t restart = st->n;
    int live = 0;
    for (uint32_t pc = start; pc < st->n; pc++) {
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        if (st->marks[pc] & VM_SUBPROG) {
            entry_state(cur, pc, pc == 0);
            merge(st, pc, cur, 0);
            live = 0;
        }
        astate *at = state_at(st, pc);
        if (at) {
            if (live)
                merge(st, pc, cur, 0);
            if (!at->reached || !at->dirty) {
                live = 0; /* not reached yet, or nothing new since the last time */
                continue;
            }
            at->dirty = 0;
            state_copy(cur, at);
            live = 1;
        }
        if (!live)
            continue;
        mbpf_fact dummy, *f = facts ? &facts[pc] : &dummy;
        const uint8_t cls = MBPF_CLASS(st->insns[pc].code);
        f->mem = (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) ? MBPF_MEM_GUARD_ANY : MBPF_MEM_NONE;
        f->region = 0;
        f->flags = facts ? (uint8_t)(f->flags & ~MBPF_FACT_HI_ZERO) : 0;
        int r = step(st, pc, cur, f, &restart);
        if (r < 0)
            return -1;
        live = r == 0;
    }
    return restart;
}

int vabsint(vstate *st, mbpf_fact *facts)
{
    uint32_t n_points = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        st->work[pc] = NO_POINT;
        if (st->marks[pc] & (VM_TARGET | VM_SUBPROG))
            st->work[pc] = n_points++;
    }
    uint32_t *words = (uint32_t *)st->states;
    for (size_t i = 0; i < (size_t)n_points * (sizeof(astate) / 4); i++)
        words[i] = 0;
    st->res->states = n_points;
    /* instructions no sweep reaches (a branch known never taken) keep the full guard */
    for (uint32_t pc = 0; facts && pc < st->n; pc++) {
        const uint8_t cls = MBPF_CLASS(st->insns[pc].code);
        if (!(st->marks[pc] & VM_LDDW_TAIL) && (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX))
            facts[pc].mem = MBPF_MEM_GUARD_ANY;
    }
    astate cur;
    /* code before the lowest loop head that changed has final states: sweep from there */
    int64_t start = 0;
    while (start < st->n) {
        /* joins are monotone and widened, so this ends in a few sweeps; the cap keeps the cost
         * linear whatever happens, failing closed */
        if (st->res->sweeps >= MAX_SWEEPS)
            return vreject(st, (uint32_t)start, "verification does not converge (too many passes)");
        start = sweep(st, facts, (uint32_t)start, &cur);
        if (start < 0)
            return -1;
        st->res->sweeps++;
    }
    if (facts)
        count_figures(st, facts);
    return 0;
}

const astate *vabsint_state(const vstate *st, uint32_t pc)
{
    return state_at((vstate *)st, pc);
}
