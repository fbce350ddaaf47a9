/* Transfer functions of the abstract interpreter: ALU on intervals (with the LEN-relative bound)
 * and the narrowing that conditional jumps give each branch. Every rule over-approximates: when
 * in doubt the result is an unknown scalar, which costs a guard, never safety. */
#include "verifier/absint.h"

#define U32MAX 0xffffffffull
#define S63 0x7fffffffffffffffull

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
    if ((r->lo == 0 || r->hi <= S63) && r->hi <= len_min) { /* signed and unsigned views agree */
        /* value <= hi = len_min - d <= LEN - d; a d past the field's range still gives its
         * largest value (an edge with a huge len_min then includes in a join's relation) */
        const uint64_t d = len_min - r->hi;
        const int32_t k = d > 0x7fffffffu ? 0x7fffffff : (int32_t)d;
        if (k > ub)
            ub = k;
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

static void raise_ub(areg *r, int32_t ub)
{
    if (ub != UB_NONE && ub > r->ub)
        r->ub = ub;
}

/* ---- links ---- */

static int linkable(const areg *r)
{
    return r->type == T_SCALAR && r->lo <= r->hi;
}

static void unlink_reg(areg *r)
{
    r->flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT);
    r->delta = 0;
}

static void set_link(areg *r, unsigned g, int32_t delta)
{
    unlink_reg(r);
    r->flags |= (uint8_t)(g << AF_LINK_SHIFT);
    r->delta = (int16_t)delta;
}

static int delta_fits(int64_t d)
{
    return d >= -DELTA_MAX && d <= DELTA_MAX;
}

void a_link_for_copy(astate *s, uint8_t src)
{
    if (src >= AREGS || !linkable(&s->r[src]) || A_LINK(&s->r[src]))
        return;
    unsigned used = 0, g = 1;
    for (int i = 0; i < AREGS; i++)
        used |= 1u << A_LINK(&s->r[i]);
    while (used >> g & 1u)
        g++; /* at most AREGS groups: g <= AREGS + 1 < 16 */
    set_link(&s->r[src], g, 0);
}

void a_links_canon(astate *s)
{
    for (int pass = 0; pass < 2; pass++) { /* the second pass drops groups left with one member */
        int8_t rep[16];
        int16_t base[16];
        uint8_t count[16];
        for (int g = 0; g < 16; g++)
            rep[g] = -1, base[g] = 0, count[g] = 0;
        for (int i = 0; i < AREGS; i++) {
            unsigned g = A_LINK(&s->r[i]);
            if (!g)
                continue;
            if (!linkable(&s->r[i])) {
                unlink_reg(&s->r[i]);
                continue;
            }
            if (rep[g] < 0)
                rep[g] = (int8_t)i, base[g] = s->r[i].delta;
            count[g]++;
        }
        for (int i = 0; i < AREGS; i++) {
            areg *r = &s->r[i];
            unsigned g = A_LINK(r);
            int32_t d = g ? (int32_t)r->delta - base[g] : 0;
            if (!g)
                continue;
            if (count[g] < 2 || !delta_fits(d))
                unlink_reg(r);
            else
                set_link(r, (unsigned)rep[g] + 1u, d);
        }
    }
}

/* Registers i and j of r differ by the exact constant *diff (i - j): same group, or constants. */
static int related(const areg *r, int i, int j, int32_t *diff)
{
    const areg *a = &r[i], *b = &r[j];
    if (!linkable(a) || !linkable(b))
        return 0;
    if (A_LINK(a) && A_LINK(a) == A_LINK(b)) {
        *diff = (int32_t)a->delta - b->delta;
        return 1;
    }
    if (a->lo == a->hi && b->lo == b->hi && (a->lo >= b->lo ? a->lo - b->lo : b->lo - a->lo) <= DELTA_MAX) {
        *diff = a->lo >= b->lo ? (int32_t)(a->lo - b->lo) : -(int32_t)(b->lo - a->lo);
        return 1;
    }
    return 0;
}

/* A relation holds in the join when it holds, with the same difference, in both states. Each
 * register joins the group of the first lower register it is related to (that group's lowest
 * member, or it founds the group): the result is canonical. */
void a_links_join(astate *to, const areg *old_to, const areg *from)
{
    uint8_t g[AREGS], cand[AREGS];
    int32_t d[AREGS];
    for (int i = 0; i < AREGS; i++) /* only a linked or constant register in both may relate */
        cand[i] = (uint8_t)(linkable(&to->r[i]) && linkable(&old_to[i]) && linkable(&from[i]) &&
                            (A_LINK(&old_to[i]) || old_to[i].lo == old_to[i].hi) &&
                            (A_LINK(&from[i]) || from[i].lo == from[i].hi));
    for (int i = 0; i < AREGS; i++) {
        g[i] = 0;
        d[i] = 0;
        if (!cand[i])
            continue;
        for (int j = 0; j < i; j++) {
            int32_t d1, d2;
            if (!cand[j] || !related(old_to, i, j, &d1) || !related(from, i, j, &d2) || d1 != d2 ||
                !delta_fits((int64_t)d[j] + d1))
                continue;
            if (!g[j])
                g[j] = (uint8_t)(j + 1);
            g[i] = g[j];
            d[i] = d[j] + d1;
            break;
        }
    }
    for (int i = 0; i < AREGS; i++) {
        if (g[i])
            set_link(&to->r[i], g[i], d[i]);
        else
            unlink_reg(&to->r[i]);
    }
}

/* The exact value of register x of r when its state pins it: a constant, or a member of a group
 * with a constant member. Returns 0 when it is not pinned. */
static int pinned(const areg *r, int x, uint64_t *v)
{
    if (!linkable(&r[x]))
        return 0;
    if (r[x].lo == r[x].hi) {
        *v = r[x].lo;
        return 1;
    }
    const unsigned g = A_LINK(&r[x]);
    for (int m = 0; g && m < AREGS; m++) {
        if (A_LINK(&r[m]) != g || !linkable(&r[m]) || r[m].lo != r[m].hi)
            continue;
        const int32_t e = (int32_t)r[x].delta - r[m].delta; /* v_x = v_m + e, no wrap */
        if (e < 0 ? r[m].lo < (uint64_t)-(int64_t)e : r[m].lo > ~0ull - (uint64_t)e)
            return 0;
        *v = r[m].lo + (uint64_t)(int64_t)e;
        return 1;
    }
    return 0;
}

int a_links_imply(const areg *r, int i, int k, int32_t diff)
{
    if (!linkable(&r[i]) || !linkable(&r[k]))
        return 0;
    if (A_LINK(&r[i]) && A_LINK(&r[i]) == A_LINK(&r[k]))
        return (int32_t)r[i].delta - r[k].delta == diff;
    uint64_t vi, vk; /* a chain of relations between groups passes through pinned values */
    if (!pinned(r, i, &vi) || !pinned(r, k, &vk))
        return 0;
    return diff >= 0 ? vi >= vk && vi - vk == (uint64_t)diff : vk >= vi && vk - vi == (uint64_t)-(int64_t)diff;
}

int a_links_canonical(const areg *r)
{
    for (int i = 0; i < AREGS; i++) {
        const unsigned g = A_LINK(&r[i]);
        if (!g)
            continue;
        const int f = (int)g - 1; /* the founder: the group's lowest member */
        if (!linkable(&r[i]) || f >= AREGS || f > i || A_LINK(&r[f]) != g || r[i].delta < -DELTA_MAX)
            return 0;
        int members = 0;
        for (int j = 0; j < AREGS; j++)
            members += A_LINK(&r[j]) == g;
        if (members < 2)
            return 0;
    }
    for (int i = 0; i < AREGS; i++)
        if (!A_LINK(&r[i]) && r[i].delta)
            return 0;
    return 1;
}

/* A constant added or subtracted as a signed displacement k that keeps every value of d inside
 * [0, width] gives exactly d + k (no wrap): the interval, the LEN bound and d's link move with
 * it. Returns 0 when that does not apply. */
static int add_displacement(astate *s, uint8_t op, int is32, areg *d, const areg *src)
{
    const uint64_t width = is32 ? U32MAX : ~0ull;
    if ((op != MBPF_ADD && op != MBPF_SUB) || !is_const(src) || !linkable(d) || d->hi > width)
        return 0;
    int64_t k = is32 ? (int64_t)(int32_t)(uint32_t)src->lo : (int64_t)src->lo;
    if (op == MBPF_SUB) {
        if (k == INT64_MIN)
            return 0;
        k = -k;
    }
    if (k >= 0 ? d->hi > width - (uint64_t)k : d->lo < 0 - (uint64_t)k)
        return 0;
    const int32_t ub = k <= 0x7fffffff && k >= -0x7fffffff ? ub_shift(a_eff_ub(d, s->len_min), k) : UB_NONE;
    const unsigned g = A_LINK(d);
    const int64_t delta = (int64_t)d->delta + k;
    const uint64_t lo = d->lo + (uint64_t)k, hi = d->hi + (uint64_t)k;
    a_scalar(d, lo, hi);
    d->ub = ub;
    if (g && delta_fits(delta))
        set_link(d, g, (int32_t)delta);
    a_normalize(d, s->len_min);
    return 1;
}

/* r of s was narrowed: so are the other members of its group (o = r + (o.delta - r.delta)).
 * Returns 0 when one of them has no value left (the path cannot run). */
static int link_narrow(astate *s, const areg *r)
{
    const unsigned g = A_LINK(r);
    if (!g || r->type != T_SCALAR || r->lo > r->hi)
        return 1;
    const int32_t ubr = a_eff_ub(r, s->len_min);
    for (int k = 0; k < AREGS; k++) {
        areg *o = &s->r[k];
        if (o == r || A_LINK(o) != g || o->type != T_SCALAR)
            continue;
        const int64_t dd = (int64_t)o->delta - r->delta;
        const uint64_t u = dd >= 0 ? (uint64_t)dd : (uint64_t)-dd;
        if (dd >= 0 ? r->hi <= ~0ull - u : r->lo >= u) {
            uint64_t lo = dd >= 0 ? r->lo + u : r->lo - u, hi = dd >= 0 ? r->hi + u : r->hi - u;
            if (lo > o->lo)
                o->lo = lo;
            if (hi < o->hi)
                o->hi = hi;
        }
        raise_ub(o, ub_shift(ubr, dd));
        a_normalize(o, s->len_min);
        if (o->lo > o->hi)
            return 0;
    }
    return 1;
}

/* Scalar op on intervals (operands already cut to 32 bits for ALU32). Returns 0 when the result
 * is unknown. */
static int range_op(uint8_t op, int is32, const areg *a, const areg *bv, uint64_t *lo, uint64_t *hi)
{
    areg masked;
    const areg *b = bv;
    if ((op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && is_const(bv)) {
        /* the machine uses the shift amount modulo the width */
        masked = *bv;
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

/* LEN-relative bound of the result of a scalar op (out of line: inlined into a_alu, its bound
 * calls made it 300 bytes larger). */
static __attribute__((noinline)) int32_t ub_of(uint8_t op, const areg *a, const areg *b, uint32_t len_min)
{
    /* each bound made only where it is used (most operations use none) */
    switch (op) {
    case MBPF_ADD:
        if (is_const(b) && b->lo <= 0x7fffffff)
            return ub_shift(a_eff_ub(a, len_min), (int64_t)b->lo);
        if (is_const(a) && a->lo <= 0x7fffffff)
            return ub_shift(a_eff_ub(b, len_min), (int64_t)a->lo);
        return UB_NONE;
    case MBPF_SUB:
        return is_const(b) && b->lo <= 0x7fffffff && a->lo >= b->lo ? ub_shift(a_eff_ub(a, len_min), -(int64_t)b->lo)
                                                                     : UB_NONE;
    case MBPF_DIV:
    case MBPF_MOD:
    case MBPF_RSH:
        return a_eff_ub(a, len_min); /* never larger than a */
    case MBPF_AND: {
        const int32_t ua = a_eff_ub(a, len_min), ubb = a_eff_ub(b, len_min);
        return ua > ubb ? ua : ubb;
    }
    default:
        return UB_NONE;
    }
}

/* Pointer offsets stay within [-OFF_LIMIT, OFF_LIMIT] or are unknown: then base + offset never
 * wraps around 2^64 (a base is a 32-bit device address, or a host address below 2^47) and every
 * sum or difference of two such bounds fits an int64 with room to spare. */
static int off_sane(int64_t v)
{
    return v >= -OFF_LIMIT && v <= OFF_LIMIT;
}

static void off_unknown(areg *p)
{
    p->lo = (uint64_t)INT64_MIN;
    p->hi = (uint64_t)INT64_MAX;
    p->ub = UB_NONE;
    p->flags &= (uint8_t)~AF_EQ_LEN;
}

/* p +/- s for a pointer p and a scalar s. Returns 0 when the offset became unknown. */
static int ptr_offset_add(areg *p, const areg *s, int sub)
{
    const int64_t plo = (int64_t)p->lo, phi = (int64_t)p->hi;
    int64_t dlo, dhi;
    if (!off_sane(plo) || !off_sane(phi) || plo > phi || s->lo > s->hi) {
        off_unknown(p);
        return 0;
    }
    if (is_const(s) && off_sane((int64_t)s->lo)) {
        dlo = dhi = (int64_t)s->lo; /* a constant is a signed displacement (r2 += -8) */
    } else if (s->hi <= (uint64_t)OFF_LIMIT) {
        dlo = (int64_t)s->lo;
        dhi = (int64_t)s->hi;
    } else {
        off_unknown(p);
        return 0;
    }
    /* |each term| <= 2^40: no overflow below */
    int64_t lo = sub ? plo - dhi : plo + dlo, hi = sub ? phi - dlo : phi + dhi;
    if (!off_sane(lo) || !off_sane(hi)) {
        off_unknown(p);
        return 0;
    }
    p->lo = (uint64_t)lo;
    p->hi = (uint64_t)hi;
    return 1;
}

/* A value that may carry an address: what arithmetic on a pointer gives, other than a pointer
 * plus or minus a number. It may not be stored where the verifier stops tracking it. */
void a_any(areg *r, uint64_t hi)
{
    a_scalar(r, 0, hi);
    r->type = T_ANY;
}

/* p - q for two pointers into the same region: the difference of their offsets, a plain number
 * (no address in it). Returns 0 when that is not known to be a non-negative interval. */
static int ptr_diff(areg *d, const areg *q)
{
    const int64_t plo = (int64_t)d->lo, phi = (int64_t)d->hi, qlo = (int64_t)q->lo, qhi = (int64_t)q->hi;
    if (d->type != q->type || ((d->flags | q->flags) & AF_HINT) || !off_sane(plo) || !off_sane(phi) ||
        !off_sane(qlo) || !off_sane(qhi) || plo > phi || qlo > qhi)
        return 0;
    int64_t lo = plo - qhi, hi = phi - qlo; /* fits: |terms| <= 2^40 */
    if (lo >= 0)
        a_scalar(d, (uint64_t)lo, (uint64_t)hi);
    else
        a_unknown(d); /* may be negative: any 64-bit number */
    return 1;
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
        if (!ptr_offset_add(d, src, op == MBPF_SUB)) {
            ub = UB_NONE;
            eq = 0;
        }
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
    if (a_is_ptr(d) && a_is_ptr(src) && op == MBPF_SUB && ptr_diff(d, src))
        return;
    if (a_is_ptr(d) || a_is_ptr(src) || d->type == T_ANY || src->type == T_ANY) {
        a_any(d, ~0ull);
        return;
    }
    a_unknown(d);
}

/* May r carry an address (a pointer, or a value of unknown kind)? */
static int may_hold_addr(const areg *r)
{
    return a_is_ptr(r) || r->type == T_ANY;
}

void a_alu(astate *s, const mbpf_insn *in, areg *d, const areg *src)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int is32 = cls == MBPF_ALU;
    const uint64_t width = is32 ? U32MAX : ~0ull;
    if (op == MBPF_END) {
        uint64_t max = in->imm >= 64 ? ~0ull : (1ull << in->imm) - 1;
        int keeps = MBPF_SRCBIT(in->code) == MBPF_TO_LE && cls == MBPF_ALU && d->type == T_SCALAR && d->hi <= max;
        if (may_hold_addr(d))
            a_any(d, max); /* the bytes of an address, reordered */
        else if (!keeps)
            a_scalar(d, 0, max);
        return;
    }
    if (op == MBPF_NEG) {
        if (may_hold_addr(d))
            a_any(d, width);
        else if (is_const(d))
            a_scalar(d, (0 - d->lo) & width, (0 - d->lo) & width);
        else
            a_scalar(d, 0, width);
        return;
    }
    if (op == MBPF_MOV) {
        if (in->off != 0) { /* movsx: sign extension of the low 8/16/32 bits */
            uint64_t keep = (1ull << (in->off - 1)) - 1;
            if (src->type == T_SCALAR && src->hi <= keep)
                a_scalar(d, src->lo, src->hi);
            else if (may_hold_addr(src))
                a_any(d, width);
            else
                a_scalar(d, 0, width);
            return;
        }
        if (!is32) {
            a_copy(d, src);
            return;
        }
        if (src->type == T_SCALAR && src->hi <= U32MAX)
            a_copy(d, src);
        else if (may_hold_addr(src))
            a_any(d, U32MAX); /* the low word of an address is the address on a 32-bit core */
        else
            a_scalar(d, 0, U32MAX);
        return;
    }
    if (!is32 && (may_hold_addr(d) || may_hold_addr(src))) {
        alu_ptr(s, op, d, src);
        return;
    }
    if (is32 && (may_hold_addr(d) || may_hold_addr(src))) {
        a_any(d, U32MAX); /* 32-bit arithmetic on an address: a number that may still be one */
        return;
    }
    const int signed_div = (op == MBPF_DIV || op == MBPF_MOD) && in->off == 1;
    if (add_displacement(s, op, is32, d, src))
        return;
    areg a, b;
    a_copy(&a, d);
    a_copy(&b, src);
    if (is32) { /* operate on the low halves when they are all there is */
        if (a.hi > U32MAX)
            a_scalar(&a, 0, U32MAX);
        if (b.hi > U32MAX)
            a_scalar(&b, 0, U32MAX);
    }
    uint64_t lo, hi;
    if (!signed_div && a.lo <= a.hi && b.lo <= b.hi && range_op(op, is32, &a, &b, &lo, &hi) &&
        (!is32 || hi <= U32MAX)) {
        int32_t ub = ub_of(op, &a, &b, s->len_min);
        a_scalar(d, lo, hi);
        d->ub = ub;
        a_normalize(d, s->len_min);
    } else {
        a_scalar(d, 0, width);
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

/* Two values whose intervals a compare may narrow: scalars, or two context pointers. For
 * pointers the machine compares base + offset; with both offsets in [0, OFF_LIMIT] neither sum
 * wraps, so an unsigned 64-bit compare (or equality) of the sums is the same compare of the
 * offsets. A 32-bit compare sees only the low words of the sums, a signed one may see a sum
 * past 2^63 as negative: neither says anything about the offsets. */
static int comparable(const areg *a, const areg *b, int is32, int is_signed)
{
    if (a->type == T_SCALAR && b->type == T_SCALAR)
        return a->lo <= a->hi && b->lo <= b->hi;
    return !is32 && !is_signed && a->type == T_CTX && b->type == T_CTX && !((a->flags | b->flags) & AF_HINT) &&
           (int64_t)a->lo >= 0 && (int64_t)b->lo >= 0 && (int64_t)a->hi <= OFF_LIMIT &&
           (int64_t)b->hi <= OFF_LIMIT && a->lo <= a->hi && b->lo <= b->hi;
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
    if (MBPF_DST(in) == MBPF_REG_FP || !comparable(a, b, cls == MBPF_JMP32, is_signed))
        return 1;
    /* 32-bit compares and signed compares of scalars narrow only where they agree with the
     * 64-bit unsigned compare (both values below 2^32, or 2^31, or 2^63) */
    uint64_t limit = cls == MBPF_JMP32 ? (is_signed ? 0x7fffffffull : U32MAX) : (is_signed ? S63 : ~0ull);
    if (a->hi > limit || b->hi > limit)
        return 1;
    areg a0, b0;
    a_copy(&a0, a);
    a_copy(&b0, b);
    if (!apply(s, rel, a, b)) {
        a_copy(a, &a0);
        a_copy(b, &b0);
        return 0;
    }
    learn_len(s, a);
    learn_len(s, b);
    a_normalize(a, s->len_min);
    if (b != &kb)
        a_normalize(b, s->len_min);
    if (a->lo > a->hi || (b != &kb && b->lo > b->hi))
        return 0;
    return link_narrow(s, a) && (b == &kb || link_narrow(s, b));
}
