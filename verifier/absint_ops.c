/* Transfer functions of the abstract interpreter: ALU on intervals (with the LEN-relative bound)
 * and the narrowing that conditional jumps give each branch. Every rule over-approximates: when
 * in doubt the result is an unknown scalar, which costs a guard, never safety. */
#include "verifier/absint.h"

#define U32MAX 0xffffffffull
#define S63 0x7fffffffffffffffull

void a_scalar(areg *r, uint64_t lo, uint64_t hi)
{
    r->type = T_SCALAR;
    r->flags = 0;
    r->origin = 0;
    r->ub = UB_NONE;
    r->lo = lo;
    r->hi = hi;
}

void a_unknown(areg *r)
{
    a_scalar(r, 0, ~0ull);
}

void a_uninit(areg *r, uint32_t pc)
{
    a_scalar(r, 0, ~0ull);
    r->type = T_UNINIT;
    r->origin = (uint16_t)(pc > 0xffffu ? 0xffffu : pc);
}

int a_is_ptr(const areg *r)
{
    return r->type >= T_STACK;
}

static int bounded_by_len(const areg *r)
{
    return r->type == T_SCALAR || (r->type == T_CTX && !(r->flags & AF_HINT));
}

/* The strongest "value <= LEN - k" known: the recorded one, or one that follows from the
 * interval and LEN >= len_min. */
int32_t a_eff_ub(const areg *r, uint32_t len_min)
{
    if (!bounded_by_len(r))
        return UB_NONE;
    int32_t ub = r->ub;
    if (r->flags & AF_EQ_LEN)
        ub = ub > 0 ? ub : 0;
    if (r->lo == 0 || r->hi <= S63) { /* signed and unsigned views agree */
        uint64_t hi = r->hi;
        if (hi <= len_min && len_min - hi <= 0x7fffffffu && (int32_t)(len_min - hi) > ub)
            ub = (int32_t)(len_min - hi);
    }
    return ub;
}

/* Tighten the interval with the LEN bound (LEN < 2^32). */
void a_normalize(areg *r, uint32_t len_min)
{
    if (!bounded_by_len(r))
        return;
    if (r->flags & AF_EQ_LEN) {
        if (r->lo < len_min)
            r->lo = len_min;
        if (r->hi > LEN_MAX)
            r->hi = LEN_MAX;
    }
    if (r->ub != UB_NONE && (r->type == T_SCALAR ? 1 : (int64_t)r->lo >= 0)) {
        int64_t cap = (int64_t)LEN_MAX - r->ub;
        if (cap < 0) {
            r->lo = 1;
            r->hi = 0; /* empty: callers treat it as a dead path */
        } else if (r->hi > (uint64_t)cap && (r->type == T_SCALAR || (int64_t)r->hi > cap)) {
            r->hi = (uint64_t)cap;
        }
    }
}

static int is_const(const areg *r)
{
    return r->type == T_SCALAR && r->lo == r->hi;
}

/* ub of a+b and a-b when one side is a small constant. */
static int32_t ub_shift(int32_t ub, int64_t delta)
{
    if (ub == UB_NONE || delta > 0x7fffffff || delta < -0x7fffffff)
        return UB_NONE;
    int64_t v = (int64_t)ub - delta;
    return v < -0x7fffffff || v > 0x7fffffff ? UB_NONE : (int32_t)v;
}

static uint64_t pow2_above(uint64_t v)
{
    uint64_t m = v;
    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    m |= m >> 32;
    return m;
}

/* Scalar op on intervals (operands already cut to 32 bits for ALU32). Returns 0 when the result
 * is unknown. */
static int range_op(uint8_t op, int is32, const areg *a, const areg *bv, uint64_t *lo, uint64_t *hi)
{
    areg masked = *bv;
    const areg *b = bv;
    if ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && is_const(bv)) {
        /* the machine uses the shift amount modulo the width */
        masked.lo = masked.hi = bv->lo & (is32 ? 31u : 63u);
        b = &masked;
    }
    switch (op) {
    case MBPF_ADD:
        if (a->hi > ~0ull - b->hi)
            return 0;
        *lo = a->lo + b->lo;
        *hi = a->hi + b->hi;
        return 1;
    case MBPF_SUB:
        if (a->lo < b->hi)
            return 0;
        *lo = a->lo - b->hi;
        *hi = a->hi - b->lo;
        return 1;
    case MBPF_MUL:
        if (a->hi > U32MAX || b->hi > U32MAX)
            return 0;
        *lo = a->lo * b->lo;
        *hi = a->hi * b->hi;
        return 1;
    case MBPF_DIV: /* x / 0 = 0 */
        *lo = b->lo ? a->lo / b->hi : 0;
        *hi = b->lo ? a->hi / b->lo : a->hi;
        return 1;
    case MBPF_MOD: /* x % 0 = x */
        *lo = 0;
        *hi = (b->lo && b->hi - 1 < a->hi) ? b->hi - 1 : a->hi;
        if (b->lo && a->hi < b->lo)
            *lo = a->lo;
        return 1;
    case MBPF_AND:
        *lo = 0;
        *hi = a->hi < b->hi ? a->hi : b->hi;
        return 1;
    case MBPF_OR:
    case MBPF_XOR:
        *lo = op == MBPF_OR ? (a->lo > b->lo ? a->lo : b->lo) : 0;
        *hi = pow2_above(a->hi > b->hi ? a->hi : b->hi);
        return 1;
    case MBPF_LSH:
        if (b->lo != b->hi || b->lo > 63 || a->hi > (~0ull >> b->lo))
            return 0;
        *lo = a->lo << b->lo;
        *hi = a->hi << b->lo;
        return 1;
    case MBPF_RSH:
    case MBPF_ARSH:
        if (op == MBPF_ARSH && a->hi > (is32 ? 0x7fffffffull : S63))
            return 0; /* the sign bit may be set: not a logical shift */
        if (b->lo != b->hi || b->lo > 63) {
            *lo = 0;
            *hi = a->hi;
        } else {
            *lo = a->lo >> b->lo;
            *hi = a->hi >> b->lo;
        }
        return 1;
    default:
        return 0;
    }
}

/* LEN-relative bound of the result of a scalar op. */
static int32_t ub_of(uint8_t op, const areg *a, const areg *b, uint32_t len_min)
{
    int32_t ua = a_eff_ub(a, len_min), ubb = a_eff_ub(b, len_min);
    switch (op) {
    case MBPF_ADD:
        if (is_const(b) && b->lo <= 0x7fffffff)
            return ub_shift(ua, (int64_t)b->lo);
        if (is_const(a) && a->lo <= 0x7fffffff)
            return ub_shift(ubb, (int64_t)a->lo);
        return UB_NONE;
    case MBPF_SUB:
        return is_const(b) && b->lo <= 0x7fffffff && a->lo >= b->lo ? ub_shift(ua, -(int64_t)b->lo) : UB_NONE;
    case MBPF_DIV:
    case MBPF_MOD:
    case MBPF_RSH:
        return ua; /* never larger than a */
    case MBPF_AND:
        return ua > ubb ? ua : ubb;
    default:
        return UB_NONE;
    }
}

static void ptr_offset_add(areg *p, const areg *s, int sub)
{
    /* a constant is a signed displacement (r2 += -8) */
    if (is_const(s) && (int64_t)s->lo >= -(1ll << 62) && (int64_t)s->lo <= (1ll << 62) &&
        (int64_t)p->lo >= -(1ll << 62) && (int64_t)p->hi <= (1ll << 62)) {
        int64_t d = sub ? -(int64_t)s->lo : (int64_t)s->lo;
        p->lo = (uint64_t)((int64_t)p->lo + d);
        p->hi = (uint64_t)((int64_t)p->hi + d);
        return;
    }
    /* offsets are signed; a scalar interval beyond 2^62 makes the offset unknown */
    if (s->hi > (1ull << 62) || (int64_t)p->lo < -(1ll << 62) || (int64_t)p->hi > (1ll << 62)) {
        p->lo = (uint64_t)INT64_MIN;
        p->hi = (uint64_t)INT64_MAX;
        p->ub = UB_NONE;
        p->flags &= (uint8_t)~AF_EQ_LEN;
        return;
    }
    int64_t lo = (int64_t)p->lo, hi = (int64_t)p->hi;
    if (sub) {
        lo -= (int64_t)s->hi;
        hi -= (int64_t)s->lo;
    } else {
        lo += (int64_t)s->lo;
        hi += (int64_t)s->hi;
    }
    p->lo = (uint64_t)lo;
    p->hi = (uint64_t)hi;
}

static void alu_ptr(astate *s, uint8_t op, areg *d, const areg *src)
{
    if (a_is_ptr(d) && src->type == T_SCALAR && (op == MBPF_ADD || op == MBPF_SUB)) {
        int was_zero = d->lo == 0 && d->hi == 0;
        int32_t ub = UB_NONE;
        if (d->type == T_CTX && !(d->flags & AF_HINT)) {
            if (is_const(src) && (int64_t)src->lo <= 0x7fffffff && (int64_t)src->lo >= -0x7fffffff)
                ub = ub_shift(a_eff_ub(d, s->len_min), op == MBPF_ADD ? (int64_t)src->lo : -(int64_t)src->lo);
            else if (was_zero && op == MBPF_ADD)
                ub = a_eff_ub(src, s->len_min);
        }
        uint8_t eq = (uint8_t)(was_zero && op == MBPF_ADD && (src->flags & AF_EQ_LEN));
        ptr_offset_add(d, src, op == MBPF_SUB);
        d->ub = ub;
        d->flags = (uint8_t)((d->flags & AF_HINT) | (eq ? AF_EQ_LEN : 0));
        a_normalize(d, s->len_min);
        return;
    }
    if (d->type == T_SCALAR && a_is_ptr(src) && op == MBPF_ADD) {
        areg sc = *d;
        *d = *src;
        alu_ptr(s, op, d, &sc);
        return;
    }
    if (d->type == T_ANY || src->type == T_ANY) {
        areg any;
        a_unknown(&any);
        any.type = T_ANY;
        *d = any;
        return;
    }
    a_unknown(d); /* any other arithmetic on a pointer gives a plain number */
}

void a_alu(astate *s, const mbpf_insn *in, areg *d, const areg *src)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int is32 = cls == MBPF_ALU;
    if (op == MBPF_END) {
        uint64_t max = in->imm >= 64 ? ~0ull : (1ull << in->imm) - 1;
        int keeps = MBPF_SRCBIT(in->code) == MBPF_TO_LE && cls == MBPF_ALU && d->type == T_SCALAR && d->hi <= max;
        if (!keeps)
            a_scalar(d, 0, max);
        return;
    }
    if (op == MBPF_NEG) {
        if (is_const(d))
            a_scalar(d, is32 ? (uint32_t)(0 - d->lo) : 0 - d->lo, is32 ? (uint32_t)(0 - d->lo) : 0 - d->lo);
        else
            is32 ? a_scalar(d, 0, U32MAX) : a_unknown(d);
        return;
    }
    if (op == MBPF_MOV) {
        if (in->off != 0) { /* movsx: sign extension of the low 8/16/32 bits */
            uint64_t keep = (1ull << (in->off - 1)) - 1;
            if (src->type == T_SCALAR && src->hi <= keep)
                a_scalar(d, src->lo, src->hi);
            else
                is32 ? a_scalar(d, 0, U32MAX) : a_unknown(d);
            return;
        }
        if (!is32) {
            *d = *src;
            return;
        }
        if (src->type == T_SCALAR && src->hi <= U32MAX)
            *d = *src;
        else
            a_scalar(d, 0, U32MAX);
        return;
    }
    if (!is32 && (a_is_ptr(d) || a_is_ptr(src) || d->type == T_ANY || src->type == T_ANY)) {
        alu_ptr(s, op, d, src);
        return;
    }
    const int signed_div = (op == MBPF_DIV || op == MBPF_MOD) && in->off == 1;
    areg a = *d, b = *src;
    if (is32) { /* operate on the low halves when they are all there is */
        if (a.type != T_SCALAR || a.hi > U32MAX)
            a_scalar(&a, 0, U32MAX);
        if (b.type != T_SCALAR || b.hi > U32MAX)
            a_scalar(&b, 0, U32MAX);
    }
    uint64_t lo, hi;
    if (!signed_div && range_op(op, is32, &a, &b, &lo, &hi) && (!is32 || hi <= U32MAX)) {
        int32_t ub = ub_of(op, &a, &b, s->len_min);
        a_scalar(d, lo, hi);
        d->ub = ub;
        a_normalize(d, s->len_min);
    } else {
        is32 ? a_scalar(d, 0, U32MAX) : a_unknown(d);
    }
}

/* ---- branches ---- */

enum { R_EQ, R_NE, R_LT, R_LE, R_GT, R_GE, R_NONE };

static int relation(uint8_t op, int taken, int *is_signed)
{
    static const struct {
        uint8_t op, yes, no, sgn;
    } t[] = {
        {MBPF_JEQ, R_EQ, R_NE, 0},   {MBPF_JNE, R_NE, R_EQ, 0},   {MBPF_JGT, R_GT, R_LE, 0},
        {MBPF_JGE, R_GE, R_LT, 0},   {MBPF_JLT, R_LT, R_GE, 0},   {MBPF_JLE, R_LE, R_GT, 0},
        {MBPF_JSGT, R_GT, R_LE, 1},  {MBPF_JSGE, R_GE, R_LT, 1},  {MBPF_JSLT, R_LT, R_GE, 1},
        {MBPF_JSLE, R_LE, R_GT, 1},
    };
    for (unsigned i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].op == op) {
            *is_signed = t[i].sgn;
            return taken ? t[i].yes : t[i].no;
        }
    return R_NONE;
}

/* Two values whose intervals can be compared: scalars, or offsets into the context. */
static int comparable(const areg *a, const areg *b)
{
    if (a->type == T_SCALAR && b->type == T_SCALAR)
        return 1;
    return a->type == T_CTX && b->type == T_CTX && !((a->flags | b->flags) & AF_HINT) &&
           (int64_t)a->lo >= 0 && (int64_t)b->lo >= 0;
}

static void raise_ub(areg *r, int32_t ub)
{
    if (ub != UB_NONE && ub > r->ub)
        r->ub = ub;
}

/* a < b (strict) or a <= b: narrow both. Returns 0 when impossible. */
static int apply_le(astate *s, areg *a, areg *b, int strict)
{
    int32_t ubb = a_eff_ub(b, s->len_min);
    if (strict) {
        if (b->hi == 0)
            return 0;
        if (a->hi > b->hi - 1)
            a->hi = b->hi - 1;
        if (a->lo == ~0ull)
            return 0;
        if (b->lo < a->lo + 1)
            b->lo = a->lo + 1;
        raise_ub(a, ub_shift(ubb, -1));
    } else {
        if (a->hi > b->hi)
            a->hi = b->hi;
        if (b->lo < a->lo)
            b->lo = a->lo;
        raise_ub(a, ubb);
    }
    return a->lo <= a->hi && b->lo <= b->hi;
}

static int apply(astate *s, int rel, areg *a, areg *b)
{
    switch (rel) {
    case R_EQ: {
        uint64_t lo = a->lo > b->lo ? a->lo : b->lo, hi = a->hi < b->hi ? a->hi : b->hi;
        if (lo > hi)
            return 0;
        a->lo = b->lo = lo;
        a->hi = b->hi = hi;
        int32_t ua = a_eff_ub(a, s->len_min), ubb = a_eff_ub(b, s->len_min);
        raise_ub(a, ubb);
        raise_ub(b, ua);
        return 1;
    }
    case R_NE:
        if (is_const(b)) {
            if (is_const(a) && a->lo == b->lo)
                return 0;
            if (a->lo == b->lo)
                a->lo++;
            else if (a->hi == b->lo)
                a->hi--;
        } else if (is_const(a)) {
            if (b->lo == a->lo)
                b->lo++;
            else if (b->hi == a->lo)
                b->hi--;
        }
        return a->lo <= a->hi && b->lo <= b->hi;
    case R_LT: return apply_le(s, a, b, 1);
    case R_LE: return apply_le(s, a, b, 0);
    case R_GT: return apply_le(s, b, a, 1);
    case R_GE: return apply_le(s, b, a, 0);
    default: return 1;
    }
}

/* A register equal to LEN tells us about LEN itself. */
static void learn_len(astate *s, const areg *r)
{
    if (r->type == T_SCALAR && (r->flags & AF_EQ_LEN) && r->lo > s->len_min && r->lo <= LEN_MAX)
        s->len_min = (uint32_t)r->lo;
}

int a_branch(astate *s, const mbpf_insn *in, int taken)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    int is_signed = 0;
    int rel = relation(op, taken, &is_signed);
    if (rel == R_NONE)
        return 1;
    areg *a = &s->r[MBPF_DST(in)];
    areg kb, *b = &kb;
    if (MBPF_SRCBIT(in->code)) {
        if (MBPF_SRC(in) == MBPF_REG_FP)
            return 1;
        b = &s->r[MBPF_SRC(in)];
    } else {
        uint64_t k = cls == MBPF_JMP32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm;
        a_scalar(&kb, k, k);
    }
    if (MBPF_DST(in) == MBPF_REG_FP || !comparable(a, b))
        return 1;
    /* 32-bit compares and signed compares narrow only where they agree with 64-bit unsigned */
    uint64_t limit = cls == MBPF_JMP32 ? (is_signed ? 0x7fffffffull : U32MAX) : (is_signed ? S63 : ~0ull);
    if (a->hi > limit || b->hi > limit)
        return 1;
    areg a0 = *a, b0 = *b;
    if (!apply(s, rel, a, b)) {
        *a = a0;
        *b = b0;
        return 0;
    }
    learn_len(s, a);
    learn_len(s, b);
    a_normalize(a, s->len_min);
    if (b != &kb)
        a_normalize(b, s->len_min);
    return a->lo <= a->hi && (b == &kb || b->lo <= b->hi);
}
