/* The abstract interpreter: one state per jump target, function entry and instruction after a
 * conditional back edge (astate, in the arena); a pass over the program in instruction order
 * that iterates each loop to its fixpoint (widening at its head) before going on, function
 * entries joined from their call sites. It rejects reads of uninitialised registers and stack
 * bytes, addresses stored where they could reach the host, writes through pointers proven to
 * point into rodata (or a read-only context); it proves memory accesses in bounds for the
 * translators (docs/verifier.md says why each rule is sound). */
#include <string.h>

#include "verifier/absint.h"

#define NO_POINT 0xffffffffu
#define MAX_VISITS 64u /* interpretations per instruction, on average */
#define JOINS_BEFORE_WIDEN 2u

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
           a->hi == b->hi && a->delta == b->delta;
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
    const uint8_t hint = (uint8_t)((to->flags | from->flags) & AF_HINT); /* either side's */
    to->flags &= from->flags;
    to->flags |= hint;
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

/* A spill record survives a join when both states have it (same bytes): the join of the values. */
static int spills_join(astate *to, const astate *from, uint32_t len_j, int widen)
{
    int changed = 0;
    for (int i = 0; i < SPILLS; i++) {
        aspill *t = &to->spill[i];
        const aspill *f = NULL;
        if (!t->size)
            continue;
        for (int j = 0; j < SPILLS && !f; j++)
            if (from->spill[j].size == t->size && from->spill[j].off == t->off)
                f = &from->spill[j];
        if (!f) {
            t->size = 0;
            changed = 1;
            continue;
        }
        areg was = t->v;
        join_reg(&t->v, &f->v, to->len_min, from->len_min, len_j, widen);
        t->v.flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT);
        changed |= !reg_equal(&t->v, &was);
    }
    return changed;
}

int a_reg_included(const areg *from, uint32_t len_from, const areg *to, uint32_t len_to)
{
    if (to->type == T_UNINIT || a_same_value(from, to))
        return 1;
    areg f, j, t;
    a_copy(&f, from);
    a_copy(&j, to);
    f.flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT);
    f.delta = 0;
    j.flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT);
    j.delta = 0;
    a_copy(&t, &j);
    join_reg(&j, &f, len_to, len_from, len_to < len_from ? len_to : len_from, 0);
    return reg_equal(&j, &t);
}

/* Merge `from` into the state of point pc. Returns 1 when that state changed. */
static int merge(vstate *st, uint32_t pc, const astate *from, int back_edge)
{
    astate *to = state_at(st, pc);
    if (!to->reached) {
        state_copy(to, from);
        a_links_canon(to);
        to->reached = 1;
        to->dirty = 1;
        return 1;
    }
    /* a back edge widens from its second change on: the first join keeps a loop-invariant value
     * that the first iteration saw narrowed (by a compare of a register linked to it); widening
     * early keeps sweeps few, the LEN relation and the loop test's narrowing recover the rest */
    int widen = back_edge && to->joins >= JOINS_BEFORE_WIDEN;
    uint32_t len_j = to->len_min < from->len_min ? to->len_min : from->len_min;
    int changed = len_j != to->len_min;
    areg before[AREGS];
    for (int r = 0; r < AREGS; r++)
        before[r] = to->r[r];
    for (int r = 0; r < AREGS; r++) {
        if (same_words(&to->r[r], &from->r[r], sizeof(areg)) && len_j == to->len_min)
            continue; /* the usual case once a loop has settled */
        join_reg(&to->r[r], &from->r[r], to->len_min, from->len_min, len_j, widen);
    }
    a_links_join(to, before, from->r);
    for (int r = 0; r < AREGS; r++)
        changed |= !reg_equal(&to->r[r], &before[r]);
    changed |= spills_join(to, from, len_j, widen);
    to->len_min = len_j;
    if (!same_words(to->init, from->init, 2 * AS_SLOTS)) {
        for (int i = 0; i < AS_SLOTS; i++) {
            uint8_t init = to->init[i] & from->init[i];
            uint8_t kind = to->kind[i] == from->kind[i] ? to->kind[i] : T_ANY; /* address bytes on a path */
            if (to->kind[i] != from->kind[i] && to->kind[i] == T_SCALAR && from->kind[i] == T_SCALAR)
                kind = T_SCALAR;
            changed |= init != to->init[i] || kind != to->kind[i];
            to->init[i] = init;
            to->kind[i] = kind;
        }
    }
    if (changed)
        to->dirty = 1;
    if (changed && back_edge && to->joins < JOINS_BEFORE_WIDEN)
        to->joins++;
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
    uint32_t *kind = (uint32_t *)(void *)s->kind;
    for (int i = 0; i < AS_SLOTS / 4; i++)
        kind[i] = AS_SCALAR_WORD;
    s->reached = 1;
}

/* ---- checks ---- */

static const char *const reg_names[MBPF_NREGS] = {"r0", "r1", "r2", "r3", "r4", "r5",
                                                  "r6", "r7", "r8", "r9", "r10"};

/* The rejection of a read of register r while it is uninitialised (since insn s->r[r].lo). */
static int use_fail(vstate *st, uint32_t pc, const astate *s, uint8_t r)
{
    char msg[64];
    size_t n = 0;
    const char *tail = " is not initialised on a path from insn ";
    for (const char *p = reg_names[r]; *p;)
        msg[n++] = *p++;
    while (*tail && n + 1 < sizeof msg)
        msg[n++] = *tail++;
    msg[n] = '\0';
    return vreject_num(st, pc, msg, (int64_t)s->r[r].lo);
}

/* Register r is read at pc: it must be initialised on every path here (inline: asked for
 * nearly every operand, and nearly always true). */
V_INLINE int use(vstate *st, uint32_t pc, const astate *s, uint8_t r)
{
    if (r == MBPF_REG_FP || s->r[r].type != T_UNINIT)
        return 0;
    return use_fail(st, pc, s, r);
}

/* The value at register r as an operand (r10 is the frame pointer). */
static areg operand(const astate *s, uint8_t r)
{
    if (r == MBPF_REG_FP) {
        const areg fp = {T_STACK, 0, 0, UB_NONE, 0, 0};
        return fp;
    }
    return s->r[r];
}

/* The slot of stack byte b (relative to r10, in [-MBPF_STACK_SIZE, 0)). */
static uint32_t slot_of(int64_t b)
{
    return (uint32_t)((-b - 1) / 8);
}

static int in_frame(int64_t b)
{
    return b < 0 && b >= -(int64_t)MBPF_STACK_SIZE;
}

/* Were all stack bytes [lo, hi) relative to r10 written? (bytes outside the frame are rejected
 * elsewhere) */
static int stack_bytes_init(const astate *s, int64_t lo, int64_t hi)
{
    for (int64_t b = lo; b < hi; b++) {
        if (!in_frame(b))
            continue;
        uint32_t bit = 7u - (uint32_t)((-b - 1) % 8);
        if (!(s->init[slot_of(b)] >> bit & 1u))
            return 0;
    }
    return 1;
}

/* The slots [*first, *last] that stack bytes [lo, hi) relative to r10 meet (slot i covers
 * [-8(i+1), -8i)); 0 when the bytes miss the frame. */
static int slot_span(int64_t lo, int64_t hi, uint32_t *first, uint32_t *last)
{
    if (lo < -(int64_t)MBPF_STACK_SIZE)
        lo = -(int64_t)MBPF_STACK_SIZE;
    if (hi > 0)
        hi = 0;
    if (lo >= hi)
        return 0;
    *first = slot_of(hi - 1);
    *last = slot_of(lo);
    return 1;
}

/* Does any slot overlapping [lo, hi) hold (part of) an address? */
static int stack_has_addr(const astate *s, int64_t lo, int64_t hi)
{
    uint32_t i, last;
    if (!slot_span(lo, hi, &i, &last))
        return 0;
    for (; i <= last; i++)
        if (s->kind[i] != T_SCALAR)
            return 1;
    return 0;
}

/* A store of `size` bytes at the exact offset lo: the bytes are written now. `kind` is what the
 * slot holds afterwards when the store fills one slot exactly (a spill), T_SCALAR for a number. */
static void stack_mark(astate *s, int64_t lo, int64_t hi, uint8_t kind)
{
    for (int64_t b = lo; b < hi; b++) {
        if (!in_frame(b))
            continue;
        uint32_t bit = 7u - (uint32_t)((-b - 1) % 8);
        s->init[slot_of(b)] |= (uint8_t)(1u << bit);
    }
    if (!(lo & 7) && hi == lo + 8 && in_frame(lo)) {
        s->kind[slot_of(lo)] = kind; /* the whole slot is replaced */
        return;
    }
    /* part of a slot: address bytes left in it stay there */
    for (int64_t b = lo; b < hi; b++)
        if (in_frame(b) && (kind != T_SCALAR || s->kind[slot_of(b)] != T_SCALAR))
            s->kind[slot_of(b)] = T_ANY;
}

/* A store somewhere in [lo, hi): no byte becomes known-written, address bytes may remain. */
static void stack_smudge(astate *s, int64_t lo, int64_t hi)
{
    uint32_t i, last;
    if (!slot_span(lo, hi, &i, &last))
        return;
    for (; i <= last; i++)
        if (s->kind[i] != T_SCALAR)
            s->kind[i] = T_ANY;
}

/* After a call: a callee or helper given a stack pointer may have written any byte of the frame;
 * a helper (also one a callee calls) may have copied address bytes from slot to slot, reaching
 * the frame through any pointer or absolute address. */
static void stack_after_call(astate *s, int gave_stack)
{
    int addr = 0;
    for (int i = 0; i < AS_SLOTS; i++)
        addr |= s->kind[i] != T_SCALAR;
    for (int i = 0; i < AS_SLOTS; i++) {
        if (gave_stack)
            s->init[i] = 0xff;
        if (addr)
            s->kind[i] = T_ANY;
    }
}

/* Spill records whose bytes [off, off + size) meet [lo, hi) are dropped: they may be written. */
static void spills_kill(astate *s, int64_t lo, int64_t hi)
{
    for (int i = 0; i < SPILLS; i++) {
        aspill *r = &s->spill[i];
        if (r->size && r->off < hi && r->off + (int64_t)r->size > lo)
            r->size = 0;
    }
}

static const aspill *spill_find(const astate *s, int64_t off, uint32_t size)
{
    for (int i = 0; i < SPILLS; i++)
        if (s->spill[i].size == size && s->spill[i].off == off)
            return &s->spill[i];
    return NULL;
}

/* A store of size bytes at exactly r10 + off (records over those bytes already dropped): record
 * the value when it is whole (8 bytes, or 4 of a number below 2^32) and aligned. */
static void spill_record(astate *s, const mbpf_insn *in, int64_t off, uint32_t size)
{
    areg v;
    if ((size != 8 && size != 4) || (off & (int64_t)(size - 1)) || !in_frame(off))
        return;
    if (MBPF_CLASS(in->code) == MBPF_ST) {
        uint64_t k = size == 8 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;
        a_scalar(&v, k, k);
    } else {
        v = operand(s, MBPF_SRC(in));
    }
    if (size == 4 && (v.type != T_SCALAR || v.hi > 0xffffffffull))
        return;
    int k = 0; /* a free record, or the oldest one when all are taken */
    while (k < SPILLS - 1 && s->spill[k].size)
        k++;
    for (int i = k; i > 0; i--)
        s->spill[i] = s->spill[i - 1];
    aspill *r = &s->spill[0];
    r->v = v;
    r->v.flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT); /* links are between registers */
    r->v.delta = 0;
    r->off = (int16_t)off;
    r->size = (uint8_t)size;
}

/* An offset interval [lo, hi] of a pointer that is known and not inverted. */
static int off_known(const areg *b)
{
    return !(b->flags & AF_HINT) && (int64_t)b->lo >= -OFF_LIMIT && (int64_t)b->hi <= OFF_LIMIT &&
           (int64_t)b->lo <= (int64_t)b->hi;
}

/* Region bounds for a proof: [0, len) of rodata/data, the frame [-512, 0) of the stack. */
static int proven(vstate *st, const astate *s, const areg *b, int16_t off, uint32_t size, int write)
{
    if (!off_known(b))
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
    if (!a_is_ptr(b) || !off_known(b))
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
    mem_fact(st, s, f, &b, in->off, size, write);
    /* where on the stack: exactly (one offset), within a known range, or anywhere */
    const int on_stack = b.type == T_STACK && off_known(&b);
    const int exact = on_stack && b.lo == b.hi;
    const int64_t lo = on_stack ? (int64_t)b.lo + in->off : -(int64_t)MBPF_STACK_SIZE;
    const int64_t hi = on_stack ? (int64_t)b.hi + in->off + (int64_t)size : 0; /* bytes [lo, hi) */
    if (exact && f->mem == MBPF_MEM_PROVEN && !(lo & (int64_t)(size - 1))) /* sizes are powers of 2 */
        f->flags |= MBPF_FACT_ALIGNED; /* r10 is 8-byte aligned */
    /* a value that may be an address is stored only where the verifier follows it: a stack slot
     * at a known offset, or the program's data at a proven offset (loads from the data then give
     * values of unknown kind); never the context or an unknown place (and then the host) */
    if (cls == MBPF_STX) {
        areg v = operand(s, MBPF_SRC(in));
        if (a_is_ptr(&v) || v.type == T_ANY) {
            if (b.type == T_CTX)
                return vreject(st, pc, "pointer stored into the context (it would leak to the host)");
            if (b.type == T_DATA && f->mem == MBPF_MEM_PROVEN)
                st->addr_stored_data = 1;
            else if (!exact)
                return vreject(st, pc, "a value that may be an address stored outside the program's stack");
        }
    }
    const int reads = !write || mode == MBPF_ATOMIC;
    /* every byte read at an offset the verifier knows must have been written (at an unknown
     * offset the program reads its tenant's own stack: not checked) */
    if (reads && exact && !stack_bytes_init(s, lo, hi))
        return vreject(st, pc, "read of uninitialised stack");
    /* may the bytes read hold (part of) an address? Only stack slots can (the rule above keeps
     * addresses out of every other region): those the access may reach through a stack pointer
     * (its range, or the whole frame), and through a value of unknown kind (the whole frame; in a
     * called function also its callers' frames). A context, data or rodata pointer, or a number,
     * that reaches the stack at run time would take knowing where the stack lies already. */
    int addr_bytes = st->addr_in_data && reads && !(f->mem == MBPF_MEM_PROVEN && b.type != T_DATA);
    if (reads && (b.type == T_STACK || b.type == T_ANY)) {
        const int callee = pc >= st->first_callee;
        if (on_stack)
            addr_bytes |= stack_has_addr(s, lo, hi) || (callee && hi > 0);
        else
            addr_bytes |= callee || stack_has_addr(s, -(int64_t)MBPF_STACK_SIZE, 0);
    }
    if (write && b.type == T_STACK)
        spills_kill(s, lo, hi); /* the bytes it may write: one place, a range, or the frame */
    else if (write && f->mem != MBPF_MEM_PROVEN)
        spills_kill(s, -(int64_t)MBPF_STACK_SIZE, 0); /* a guarded store may land on the stack */
    if (write && exact && mode == MBPF_MEM)
        spill_record(s, in, lo, size);
    if (write && exact) {
        uint8_t kind = T_SCALAR;
        if (cls == MBPF_STX) {
            areg v = operand(s, MBPF_SRC(in));
            if (a_is_ptr(&v) && mode == MBPF_MEM && size == 8)
                kind = v.type;
            else if (a_is_ptr(&v) || v.type == T_ANY || (mode == MBPF_ATOMIC && addr_bytes))
                kind = T_ANY;
        }
        stack_mark(s, lo, hi, kind);
    } else if (write && b.type == T_STACK) {
        stack_smudge(s, lo, hi);
    }
    areg *d = NULL;
    if (cls == MBPF_LDX)
        d = &s->r[MBPF_DST(in)];
    else if (mode == MBPF_ATOMIC && (in->imm & MBPF_FETCH))
        d = &s->r[in->imm == MBPF_CMPXCHG ? 0 : MBPF_SRC(in)];
    if (!d)
        return 0;
    const uint64_t max = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
    const uint8_t k = exact && in_frame(lo) ? s->kind[slot_of(lo)] : T_SCALAR;
    const aspill *rec = cls == MBPF_LDX && mode == MBPF_MEM && exact ? spill_find(s, lo, size) : NULL;
    if (rec)
        *d = rec->v; /* exactly the value stored there */
    else if (cls == MBPF_LDX && mode == MBPF_MEM && exact && size == 8 && !(lo & 7) && k >= T_STACK) {
        a_unknown(d); /* a spilled pointer: its region as a hint, its offset unknown */
        d->type = k;
        d->flags = AF_HINT;
        d->lo = (uint64_t)INT64_MIN;
        d->hi = (uint64_t)INT64_MAX;
    } else if (addr_bytes) {
        a_any(d, mode == MBPF_MEMSX ? ~0ull : max); /* bytes of an address */
    } else if (mode == MBPF_MEMSX) {
        a_unknown(d);
    } else {
        a_scalar(d, 0, max);
    }
    return 0;
}

static void hi_zero_fact(const astate *s, mbpf_fact *f, uint8_t r)
{
    const areg *v = &s->r[r];
    if ((v->type == T_SCALAR || v->type == T_ANY) && v->hi <= 0xffffffffull)
        f->flags |= MBPF_FACT_HI_ZERO; /* a T_ANY interval bounds the value as well */
}

static uint32_t jump_dest(uint32_t pc, const mbpf_insn *in)
{
    int32_t rel = (MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA) ? in->imm : in->off;
    return (uint32_t)((int64_t)pc + 1 + rel);
}

/* The edge from pc to t leaves with state s, through st->edge. The full verifier's (join_edge)
 * merges s into t's state (widened when `widen`) and returns 1 when t <= pc and its state
 * changed; the certificate checker's (verifier/check.c) checks s against t's certificate state
 * instead: 0, or -1 when it does not hold. A hook, so that the checker links no join. */
static int join_edge(vstate *st, uint32_t pc, uint32_t t, const astate *s, int widen)
{
    return merge(st, t, s, widen) && t <= pc;
}

static int edge(vstate *st, uint32_t pc, uint32_t t, const astate *s, int widen)
{
    return st->edge(st, pc, t, s, widen);
}

/* Interpret instruction pc on s (in place: s becomes the fall-through state). Branch targets are
 * merged here. Returns -1 on rejection, 0 when execution may fall through, 1 when it cannot. */
/* The entry state of a local function is the join of what its call sites pass: r1-r5 as the
 * caller has them, except that a pointer into the caller's frame is no stack pointer of the
 * callee (whose r10 differs) and an undefined one may hold anything: both become values of
 * unknown kind. Returns 1 when the entry of a function placed before the call changed (it must
 * be interpreted again). */
static int call_entry(vstate *st, uint32_t pc, const astate *s)
{
    const uint32_t t = (uint32_t)((int64_t)pc + 1 + st->insns[pc].imm); /* checked by the CFG pass */
    astate e;
    entry_state(&e, t, 0);
    e.len_min = s->len_min;
    for (int r = 1; r <= 5; r++) {
        e.r[r] = s->r[r];
        if (e.r[r].type == T_STACK || e.r[r].type == T_UNINIT)
            a_any(&e.r[r], ~0ull);
    }
    return edge(st, pc, t, &e, 0);
}

static int step(vstate *st, uint32_t pc, astate *s, mbpf_fact *f, uint32_t *head, int *later)
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
            if (op == MBPF_MOV && in->off == 0)
                a_link_for_copy(s, src); /* dst becomes a copy: linked to src */
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
        return pc < st->first_callee && use(st, pc, s, 0) ? -1 : 1;
    if (op == MBPF_CALL) {
        if (MBPF_SRCBIT(in->code) && use(st, pc, s, dst))
            return -1;
        if (src == MBPF_CALL_LOCAL) {
            int r = call_entry(st, pc, s);
            if (r < 0)
                return -1;
            *later |= r;
        }
        int gave_stack = 0;
        for (int r = 1; r <= 5; r++)
            gave_stack |= s->r[r].type == T_STACK;
        stack_after_call(s, gave_stack);
        spills_kill(s, -(int64_t)MBPF_STACK_SIZE, 0); /* whatever runs may write the frame */
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
        int r = edge(st, pc, t, s, t <= pc);
        if (r < 0)
            return -1;
        if (r && t < *head)
            *head = t;
        return 1;
    }
    /* the branch narrows the registers (the two compared and those linked to them) and len_min:
     * narrow in place for the taken edge, merge, restore, then narrow for the fall-through. Only
     * the compared registers are saved when neither is linked (most compares): nothing else
     * changes then. */
    areg save[AREGS];
    const int src_reg = MBPF_SRCBIT(in->code) && src < AREGS;
    const int all = (dst < AREGS && A_LINK(&s->r[dst])) || (src_reg && A_LINK(&s->r[src]));
    if (all) {
        for (int r = 0; r < AREGS; r++)
            save[r] = s->r[r];
    } else {
        if (dst < AREGS)
            a_copy(&save[dst], &s->r[dst]);
        if (src_reg)
            a_copy(&save[src], &s->r[src]);
    }
    const uint32_t save_len = s->len_min;
    if (a_branch(s, in, 1)) {
        int r = edge(st, pc, t, s, t <= pc);
        if (r < 0)
            return -1;
        if (r && t < *head)
            *head = t;
    }
    if (all) {
        for (int r = 0; r < AREGS; r++)
            s->r[r] = save[r];
    } else {
        if (dst < AREGS)
            a_copy(&s->r[dst], &save[dst]);
        if (src_reg)
            a_copy(&s->r[src], &save[src]);
    }
    s->len_min = save_len;
    return a_branch(s, in, 0) ? 0 : 1;
}

/* One instruction with its facts recomputed: the memory and value facts start from nothing. */
static int interpret_insn(vstate *st, uint32_t pc, astate *s, mbpf_fact *f, uint32_t *head, int *later)
{
    const uint8_t cls = MBPF_CLASS(st->insns[pc].code);
    f->mem = (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) ? MBPF_MEM_GUARD_ANY : MBPF_MEM_NONE;
    f->region = 0;
    f->flags = (uint8_t)(f->flags & ~(MBPF_FACT_HI_ZERO | MBPF_FACT_ALIGNED));
    return step(st, pc, s, f, head, later);
}

int vabsint_step(vstate *st, uint32_t pc, astate *s, mbpf_fact *f)
{
    uint32_t head = st->n;
    int later = 0;
    return interpret_insn(st, pc, s, f, &head, &later);
}

void vabsint_entry(astate *s, uint32_t pc, int main_entry)
{
    entry_state(s, pc, main_entry);
}

/* Interpret the program in instruction order, blocks whose entry state changed since they were
 * last interpreted (all of them the first time); the others keep their facts. When a back edge
 * changes its loop head, the fall-through goes to the state after the back edge and the
 * interpretation goes back to the head: each loop reaches its fixpoint before the code after it
 * runs, so a chain of loops costs one pass, not one per loop. `work` caps the instructions
 * interpreted. Returns -1 on rejection. */
static int sweep(vstate *st, mbpf_fact *facts, astate *cur, uint64_t *work, int *later)
{
    int live = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        if (pc == 0) { /* other functions get their entry states from their call sites */
            entry_state(cur, pc, 1);
            merge(st, pc, cur, 0);
        }
        if (st->marks[pc] & VM_SUBPROG)
            live = 0;
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
        if (!(*work)--)
            return vreject(st, pc, "verification does not converge (too many passes)");
        mbpf_fact dummy, *f = facts ? &facts[pc] : &dummy;
        if (!facts)
            dummy.flags = 0;
        uint32_t head = st->n;
        int r = interpret_insn(st, pc, cur, f, &head, later);
        if (r < 0)
            return -1;
        live = r == 0;
        if (head < st->n) { /* a loop head changed: iterate the loop again */
            if (live) /* pc + 1 keeps a state (VM_AFTER_LOOP) */
                merge(st, pc + 1, cur, 0);
            live = 0;
            pc = head - 1;
            st->res->sweeps++;
        }
    }
    return 0;
}

static int interpret(vstate *st, mbpf_fact *facts)
{
    uint32_t n_points = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        st->work[pc] = NO_POINT;
        const mbpf_insn *in = &st->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (!(st->marks[pc] & VM_LDDW_TAIL) && (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_JA &&
            op != MBPF_CALL && op != MBPF_EXIT && in->off < 0 && pc + 1 < st->n)
            st->marks[pc + 1] |= VM_AFTER_LOOP;
    }
    for (uint32_t pc = 0; pc < st->n; pc++)
        if (st->marks[pc] & (VM_TARGET | VM_SUBPROG | VM_AFTER_LOOP))
            st->work[pc] = n_points++;
    uint32_t *words = (uint32_t *)st->states;
    for (size_t i = 0; i < (size_t)n_points * (sizeof(astate) / 4); i++)
        words[i] = 0;
    st->res->states = n_points;
    /* instructions never interpreted (a branch known never taken) keep the full guard */
    for (uint32_t pc = 0; facts && pc < st->n; pc++) {
        const uint8_t cls = MBPF_CLASS(st->insns[pc].code);
        if (!(st->marks[pc] & VM_LDDW_TAIL) && (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX))
            facts[pc].mem = MBPF_MEM_GUARD_ANY;
    }
    astate cur;
    /* joins are monotone and widened at loop heads, so every head settles after a few visits;
     * the cap keeps the cost linear in the program size whatever happens, failing closed */
    uint64_t work = (uint64_t)MAX_VISITS * st->n;
    st->res->sweeps = 0;
    for (int later = 1; later;) { /* again while a call changed a function placed before it */
        later = 0;
        st->res->sweeps++;
        if (sweep(st, facts, &cur, &work, &later))
            return -1;
    }
    for (uint32_t pc = 0; facts && pc < st->n; pc++)
        vabsint_count(st, pc, &facts[pc]);
    return 0;
}

int vabsint(vstate *st, mbpf_fact *facts)
{
    st->edge = join_edge;
    st->addr_in_data = st->addr_stored_data = 0;
    if (interpret(st, facts))
        return -1;
    if (!st->addr_stored_data)
        return 0;
    /* the program stores addresses into its data: again, with loads from it giving values of
     * unknown kind (known from the start, so every state is right the first time) */
    st->addr_in_data = 1;
    st->res->mem_accesses = st->res->mem_proven = st->res->alu_results = st->res->alu_hi_zero = 0;
    st->res->alu32_results = st->res->alu32_hi_zero = 0;
    return interpret(st, facts);
}

const astate *vabsint_state(const vstate *st, uint32_t pc)
{
    if (st->state_of)
        return st->state_of(st, pc);
    return state_at((vstate *)st, pc);
}
