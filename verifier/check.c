/* The certificate checker (mcubpf/cert.h): one pass over the program in instruction order. A
 * block starts from its certificate state (or the state falling into it), the full verifier's
 * transfer functions run over it (vabsint_step), and every edge's state must be included in its
 * target's certificate state. Inclusion is the verifier's own join: `from` is included in `to`
 * when joining it changes nothing, so the check is exactly as sound as the fixpoint it replaces.
 * Loop bounds are recomputed by the verifier's loop pass on the checked states and must equal
 * the certificate's claims. The certificate is untrusted: every byte is read with a bounds check
 * and every state is decoded into a well-formed abstract state. */
#include <string.h>

#include "verifier/cert_format.h"
#include "verifier/check.h"

typedef struct vcheck {
    vstate st; /* first: the hooks get &st */
    const uint8_t *cert;
    uint32_t len;
    uint32_t n_states, n_loops;
    uint32_t next;      /* index of the next state in instruction order */
    uint32_t end;       /* where the last decoded state (in order) ended */
    astate *cur;        /* the state being interpreted (one of states[]) */
    astate *tmp;        /* a target's certificate state (the other one) */
    uint32_t tmp_off, tmp_end; /* where the state in tmp starts and ends in the certificate (0: none) */
    astate states[2];
    areg reg_defaults[CERT_N_DEFS]; /* a listed register before its fields (CERT_DEF_*), each
                                     * made when a register first needs it (many small
                                     * certificates list none, most use one or two) */
    uint8_t have_defaults;          /* bit k: reg_defaults[k] made */
} vcheck;

#define ARENA_FIXED (sizeof(vcheck) + 16u)

size_t mbpf_check_arena_size(uint32_t n_insns)
{
    return (size_t)n_insns * MBPF_CHECK_ARENA_PER_INSN + ARENA_FIXED;
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t index_pc(const vcheck *c, uint32_t i)
{
    return get16(c->cert + MBPF_CERT_HEADER + 4u * i);
}

static uint32_t index_off(const vcheck *c, uint32_t i)
{
    return get16(c->cert + MBPF_CERT_HEADER + 4u * i + 2u);
}

/* The index entry of the state at pc, or n_states. */
static uint32_t find_state(const vcheck *c, uint32_t pc)
{
    uint32_t lo = 0, hi = c->n_states;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, at = index_pc(c, mid);
        if (at == pc)
            return mid;
        if (at < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return c->n_states;
}

/* ---- decoding ---- */

typedef struct reader {
    const uint8_t *p, *end;
    int bad;
} reader;

V_INLINE uint8_t rd_u8(reader *r)
{
    if (r->p >= r->end) {
        r->bad = 1;
        return 0;
    }
    return *r->p++;
}

/* LEB128, at most 64 bits, past its first byte. The first four bytes are gathered in 32 bits
 * (64-bit shifts are several instructions each on a 32-bit core). */
static uint64_t rd_varint_long(reader *r)
{
    uint32_t low = 0;
    for (unsigned shift = 0; shift < 28; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        const uint8_t b = *r->p++;
        low |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return low;
    }
    uint64_t v = low;
    for (unsigned shift = 28; r->p < r->end; shift += 7) {
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1)
            break;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
        if (shift == 63)
            break;
    }
    r->bad = 1;
    return 0;
}

/* Most values take one byte: that case inline. */
V_INLINE uint64_t rd_varint(reader *r)
{
    if (r->p < r->end && !(*r->p & 0x80))
        return *r->p++;
    return rd_varint_long(r);
}

/* A field's value: a zigzag varint of the field sign-extended to 64 bits. */
static int64_t rd_value(reader *r)
{
    return cert_unzigzag(rd_varint(r));
}

/* The defaults of a register written against defaults k (reg_fields[].def[k]). */
static void reg_defaults(areg *a, int k)
{
    a_scalar(a, 0, 0);
    for (unsigned i = 0; i < N_REG_FIELDS; i++)
        cert_set(a, &reg_fields[i], reg_fields[i].def[k]);
}

/* One listed register: its type and which defaults it is written against (c->reg_defaults),
 * then the fields that differ from them. The fields are read in the order of reg_fields[]
 * (flags, ub, lo, hi, delta), each stored directly with the range check of its width: a state
 * is decoded at every edge, and the table walk (a call and a switch per field) cost more than
 * the rest of the decoding. */
static void rd_reg(vcheck *c, reader *r, areg *a)
{
    const uint8_t b = rd_u8(r), type = b & 0x0f, defs = (uint8_t)(b >> CERT_DEFS_SHIFT);
    if (type < T_SCALAR || type > T_DATA || defs >= CERT_N_DEFS)
        r->bad = 1;
    const int k = defs < CERT_N_DEFS ? defs : 0;
    if (!(c->have_defaults >> k & 1)) { /* made when first needed */
        reg_defaults(&c->reg_defaults[k], k);
        c->have_defaults |= (uint8_t)(1u << k);
    }
    *a = c->reg_defaults[k];
    a->type = type;
    const uint64_t m = rd_varint(r);
    if (m >> N_REG_FIELDS) {
        r->bad = 1;
        return;
    }
    const uint32_t mask = (uint32_t)m;
    if (mask & 1) {
        const int64_t v = rd_value(r);
        if (v < 0 || v > 0xff || ((uint32_t)v & ~CERT_REG_FLAGS))
            r->bad = 1;
        a->flags = (uint8_t)v;
    }
    if (mask & 2) {
        const int64_t v = rd_value(r);
        if (v != (int32_t)v)
            r->bad = 1;
        a->ub = (int32_t)v;
    }
    if (mask & 4)
        a->lo = (uint64_t)rd_value(r);
    if (mask & 8)
        a->hi = (uint64_t)rd_value(r);
    if (mask & 16) {
        const int64_t v = rd_value(r);
        if (v != (int16_t)v)
            r->bad = 1;
        a->delta = (int16_t)v;
    }
}

static int slot_kind_ok(uint8_t k)
{
    return k == T_SCALAR || k == T_ANY || (k >= T_STACK && k <= T_DATA);
}

/* One spill record: its offset, size and value, as the verifier makes them (spill_record in
 * absint.c): 4 or 8 bytes, aligned, inside the frame, no link; no two records share a byte. The
 * value may be wider than its size (joins widen it): the claim is checked on every edge. */
static void rd_spill(vcheck *c, reader *r, aspill *sp)
{
    const int64_t off = cert_unzigzag(rd_varint(r));
    const uint8_t size = rd_u8(r);
    rd_reg(c, r, &sp->v);
    if ((size != 4 && size != 8) || (off & (size - 1)) || off < -(int64_t)MBPF_STACK_SIZE || off + size > 0 ||
        (sp->v.flags & 0xf0u) || sp->v.delta) {
        r->bad = 1;
        return;
    }
    sp->off = (int16_t)off;
    sp->size = size;
}

static void rd_spills(vcheck *c, reader *r, astate *s)
{
    for (int i = 0; i < SPILLS; i++)
        s->spill[i].size = 0; /* no record; a record is read by its size first */
    const uint64_t mask = rd_varint(r);
    if (mask >> SPILLS)
        r->bad = 1;
    for (int i = 0; i < SPILLS && !r->bad; i++) {
        if (!(mask >> i & 1))
            continue;
        rd_spill(c, r, &s->spill[i]);
        for (int j = 0; j < i && !r->bad; j++)
            if (s->spill[j].size && s->spill[j].off < s->spill[i].off + s->spill[i].size &&
                s->spill[i].off < s->spill[j].off + s->spill[j].size)
                r->bad = 1;
    }
}

/* Decode the state at byte off for instruction pc into s. Returns the offset after it, or 0 when
 * the bytes are no well-formed state. */
static uint32_t decode(vcheck *c, uint32_t off, uint32_t pc, astate *s)
{
    reader r = {c->cert + off, c->cert + c->len, 0};
    s->len_min = (uint32_t)state_fields[0].def[CERT_DEF_NUMBER];
    s->reached = 1;
    s->dirty = 0;
    uint32_t *init = (uint32_t *)(void *)s->init, *kind = (uint32_t *)(void *)s->kind;
    for (int i = 0; i < AS_SLOTS / 4; i++) {
        init[i] = 0;
        kind[i] = AS_SCALAR_WORD;
    }
    const uint64_t present = rd_varint(&r); /* state_fields[]: len_min */
    if (present >> N_STATE_FIELDS)
        r.bad = 1;
    else if (present & 1) {
        const int64_t v = rd_value(&r);
        if (v < 0 || v > 0xffffffffll)
            r.bad = 1;
        s->len_min = (uint32_t)v;
    }
    const uint64_t listed = rd_varint(&r);
    if (listed >> AREGS)
        r.bad = 1;
    const uint32_t regs = (uint32_t)listed;
    uint32_t linked = 0; /* link groups or deltas listed: their form is checked below */
    for (int i = 0; i < AREGS; i++) {
        if (regs >> i & 1) {
            rd_reg(c, &r, &s->r[i]);
            linked |= (s->r[i].flags & 0xf0u) | (uint16_t)s->r[i].delta;
        } else {
            a_uninit(&s->r[i], pc);
        }
    }
    const uint64_t slots = rd_varint(&r);
    for (int half = 0; half < 2; half++) { /* the 64-bit mask in 32-bit halves */
        uint32_t m = (uint32_t)(slots >> (32 * half));
        for (int i = 32 * half; m && !r.bad; i++, m >>= 1) {
            if (!(m & 1))
                continue;
            s->init[i] = rd_u8(&r);
            s->kind[i] = rd_u8(&r);
            if (!slot_kind_ok(s->kind[i]))
                r.bad = 1;
        }
    }
    rd_spills(c, &r, s);
    if (!r.bad && linked && !a_links_canonical(s->r))
        r.bad = 1;
    return r.bad ? 0 : (uint32_t)(r.p - c->cert);
}

/* Is s included in h (a decoded certificate state) by the verifier's join: does joining s into
 * h change nothing? Each value by the join's rule (a_reg_included); each link h claims (a
 * register and its group's founder differ by its delta) must hold in s (a_links_imply); no stack
 * byte h claims written that s has not, no slot kind narrower than s's; every spill record h
 * claims is one of s's, at the same place and size, its value included. */
static int included(const astate *s, const astate *h)
{
    if (s->len_min < h->len_min)
        return 0;
    for (int i = 0; i < AREGS; i++) {
        const areg *b = &h->r[i];
        if (b->type == T_UNINIT)
            continue; /* anything is included */
        if (!a_same_value(&s->r[i], b) && !a_reg_included(&s->r[i], s->len_min, b, h->len_min))
            return 0;
        const unsigned g = A_LINK(b); /* b - its group's founder (r[g - 1]): the deltas' difference */
        if (g && (int)g - 1 != i && !a_links_imply(s->r, i, (int)g - 1, (int32_t)b->delta - h->r[g - 1].delta))
            return 0;
    }
    const uint32_t *si = (const uint32_t *)(const void *)s->init, *hi = (const uint32_t *)(const void *)h->init;
    const uint32_t *sk = (const uint32_t *)(const void *)s->kind, *hk = (const uint32_t *)(const void *)h->kind;
    for (int w = 0; w < AS_SLOTS / 4; w++) {
        if (hi[w] & ~si[w])
            return 0; /* bytes claimed written that are not */
        if (hk[w] == sk[w])
            continue;
        for (int i = 4 * w; i < 4 * w + 4; i++)
            if (h->kind[i] != T_ANY && h->kind[i] != s->kind[i])
                return 0; /* (part of) an address where the claim is narrower */
    }
    for (int i = 0; i < SPILLS; i++) {
        const aspill *sp = &h->spill[i], *f = NULL;
        if (!sp->size)
            continue;
        for (int j = 0; j < SPILLS && !f; j++)
            if (s->spill[j].size == sp->size && s->spill[j].off == sp->off)
                f = &s->spill[j];
        if (!f || !a_reg_included(&f->v, s->len_min, &sp->v, h->len_min))
            return 0;
    }
    return 1;
}

/* ---- the hooks of the transfer functions ---- */

/* Decode the state at byte off (for instruction pc) into tmp, unless it is there already (an
 * edge into the block just ahead, then the fall-through into it). Returns its end, 0 when it is
 * malformed. */
static uint32_t decode_tmp(vcheck *c, uint32_t off, uint32_t pc)
{
    if (c->tmp_off != off) {
        c->tmp_end = decode(c, off, pc, c->tmp);
        c->tmp_off = c->tmp_end ? off : 0;
    }
    return c->tmp_end;
}

/* Edge from pc to t leaving with state s: t must have a certificate state that includes s. */
static int check_edge(vstate *st, uint32_t pc, uint32_t t, const astate *s, int back_edge)
{
    (void)back_edge;
    vcheck *c = (vcheck *)(void *)st;
    uint32_t i = find_state(c, t);
    if (i == c->n_states)
        return vreject_num(st, pc, "certificate: no state for the jump target, insn ", t);
    if (!decode_tmp(c, index_off(c, i), t))
        return vreject_num(st, pc, "certificate: malformed state for insn ", t);
    if (!included(s, c->tmp))
        return vreject_num(st, pc, "certificate: the state here is not included in the state claimed for insn ", t);
    return 0;
}

/* The checked state at pc (the loop pass reads loop heads): its certificate state. */
static const astate *cert_state(const vstate *st, uint32_t pc)
{
    vcheck *c = (vcheck *)(void *)st;
    uint32_t i = find_state(c, pc);
    if (i == c->n_states || !decode_tmp(c, index_off(c, i), pc))
        return NULL;
    return c->tmp;
}

/* ---- the pass ---- */

static int check_header(vcheck *c)
{
    vstate *st = &c->st;
    if (c->len < MBPF_CERT_HEADER || c->len > MBPF_CERT_MAX_LEN)
        return vreject_num(st, st->n, "certificate: length out of range: ", c->len);
    if (c->cert[0] != MBPF_CERT_VERSION)
        return vreject_num(st, st->n, "certificate: unsupported version ", c->cert[0]);
    if (c->cert[1] & ~MBPF_CERT_FLAG_ADDR_IN_DATA || get16(c->cert + 6))
        return vreject(st, st->n, "certificate: unknown flags or reserved bits set");
    c->n_states = get16(c->cert + 2);
    c->n_loops = get16(c->cert + 4);
    const uint32_t tables = MBPF_CERT_HEADER + 4u * (c->n_states + c->n_loops);
    if (tables > c->len)
        return vreject(st, st->n, "certificate: truncated (its tables run past its end)");
    for (uint32_t i = 0; i < c->n_states; i++) {
        uint32_t pc = index_pc(c, i);
        if (pc >= st->n || (i && pc <= index_pc(c, i - 1)))
            return vreject_num(st, st->n, "certificate: state index out of order or out of range at entry ", i);
    }
    const uint8_t *loops = c->cert + MBPF_CERT_HEADER + 4u * c->n_states;
    for (uint32_t i = 0; i < c->n_loops; i++) {
        uint32_t h = get16(loops + 4 * i), trips = get16(loops + 4 * i + 2);
        if (h >= st->n || (i && h <= get16(loops + 4 * (i - 1))) || trips < 1 || trips > MBPF_LOOP_MAX_TRIPS)
            return vreject_num(st, st->n, "certificate: loop claim out of order or out of range at entry ", i);
    }
    c->end = tables;
    c->st.addr_in_data = (c->cert[1] & MBPF_CERT_FLAG_ADDR_IN_DATA) != 0;
    return 0;
}

/* The structural facts of pc, as mbpf_verify gives them before the abstract interpreter runs. */
static void initial_fact(uint8_t mark, uint8_t code, mbpf_fact *f)
{
    uint8_t flags = 0, mem = 0; /* made in locals, stored once (byte stores may alias anything) */
    if (!(mark & VM_LDDW_TAIL)) {
        flags = MBPF_FACT_REACHABLE;
        if (mark & VM_TARGET)
            flags |= MBPF_FACT_JUMP_TARGET;
        if (mark & VM_SUBPROG)
            flags |= MBPF_FACT_SUBPROG;
        const uint8_t cls = MBPF_CLASS(code);
        if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX)
            mem = MBPF_MEM_GUARD_ANY; /* until interpreted: never, when no path reaches it */
    }
    f->mem = mem;
    f->region = 0;
    f->flags = flags;
    f->aux = 0;
}

/* Start the block at pc from its certificate state (the next one in order), after checking that
 * the state falling into it (when live) is included. */
static int enter_state(vcheck *c, uint32_t pc, int live)
{
    vstate *st = &c->st;
    uint32_t off = index_off(c, c->next);
    if (off != c->end)
        return vreject_num(st, pc, "certificate: the state for this insn is not where the previous one ends, byte ", off);
    uint32_t end = decode_tmp(c, off, pc);
    if (!end)
        return vreject(st, pc, "certificate: malformed state for this insn");
    if (live && !included(c->cur, c->tmp))
        return vreject(st, pc, "certificate: the state falling into this insn is not included in its certificate state");
    astate *was = c->cur; /* the block starts from its certificate state */
    c->cur = c->tmp;
    c->tmp = was;
    c->tmp_off = 0;
    c->end = end;
    c->next++;
    return 0;
}

static int walk(vcheck *c, mbpf_fact *facts)
{
    vstate *st = &c->st;
    const uint32_t n = st->n;
    const uint8_t *marks = st->marks;
    const mbpf_insn *insns = st->insns;
    int live = 0;
    uint32_t at = c->n_states ? index_pc(c, 0) : n; /* where the next state in order is */
    for (uint32_t pc = 0; pc < n; pc++) {
        const uint8_t mark = marks[pc];
        initial_fact(mark, insns[pc].code, &facts[pc]);
        if (mark & VM_LDDW_TAIL)
            continue;
        if (mark & VM_SUBPROG)
            live = 0; /* functions do not fall into each other; callees start from call edges */
        if (pc == 0) {
            vabsint_entry(c->cur, 0, 1);
            live = 1;
        }
        if (at == pc) {
            if (enter_state(c, pc, live))
                return -1;
            live = 1;
            at = c->next < c->n_states ? index_pc(c, c->next) : n;
        }
        if (live) {
            int r = vabsint_step(st, pc, c->cur, &facts[pc]);
            if (r < 0)
                return -1;
            live = r == 0;
        }
        vabsint_count(st, pc, &facts[pc]); /* its facts are final (the loop pass adds loop flags) */
    }
    if (c->end != c->len)
        return vreject_num(st, st->n, "certificate: bytes after its last state: ", (int64_t)c->len - c->end);
    if (st->addr_stored_data && !st->addr_in_data)
        return vreject(st, st->n, "certificate: the program stores addresses into its data, the certificate says it does not");
    return 0;
}

/* The loop pass on the checked states; its bounds must be the certificate's claims. */
static int check_loops(vcheck *c, mbpf_fact *facts, uint32_t back_edges)
{
    vstate *st = &c->st;
    if (!back_edges && !c->n_loops)
        return 0; /* no loop, no claim */
    if (back_edges)
        vloops(st, facts); /* without back edges it has nothing to say */
    const uint8_t *loops = c->cert + MBPF_CERT_HEADER + 4u * c->n_states;
    uint32_t i = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const int head = (facts[pc].flags & MBPF_FACT_LOOP_HEAD) != 0;
        const int claim = i < c->n_loops && get16(loops + 4 * i) == pc;
        if (!head && !claim)
            continue;
        if (!claim)
            return vreject(st, pc, "certificate: no claim for this loop the checked states bound");
        if (!head)
            return vreject(st, pc, "certificate: loop claim does not hold (the checked states do not bound this loop)");
        if (get16(loops + 4 * i + 2) != MBPF_FACT_TRIPS(&facts[pc]))
            return vreject_num(st, pc, "certificate: loop claim does not hold; the checked states bound it by ",
                               MBPF_FACT_TRIPS(&facts[pc]));
        i++;
    }
    return 0;
}

int mbpf_check(const mbpf_program *p, const mbpf_verify_opts *opts, const uint8_t *cert,
               size_t cert_len, mbpf_fact *facts, void *arena, size_t arena_size,
               mbpf_verify_result *res)
{
    vzero_words(res, sizeof *res);
    uint8_t *a = (uint8_t *)(((uintptr_t)arena + 7u) & ~(uintptr_t)7u);
    vcheck *c = (vcheck *)(void *)a;
    vstate *st = &c->st;
    const uint32_t max = opts->max_insns ? opts->max_insns : MBPF_MAX_INSNS;
    if (!arena || arena_size < mbpf_check_arena_size(p->n_insns) || !facts) {
        vstate tiny;
        memset(&tiny, 0, sizeof tiny);
        tiny.res = res;
        vreject_num(&tiny, p->n_insns, "work arena too small; the check needs bytes: ",
                    (int64_t)mbpf_check_arena_size(p->n_insns));
        return -2;
    }
    vzero_words(st, sizeof *st); /* the states are written before they are read */
    c->next = c->tmp_off = 0;
    c->have_defaults = 0;
    c->cur = &c->states[0];
    c->tmp = &c->states[1];
    st->prog = p;
    st->insns = p->insns;
    st->n = p->n_insns;
    st->opts = opts;
    st->res = res;
    st->edge = check_edge;
    st->state_of = cert_state;
    if (st->n == 0)
        return vreject(st, 0, "empty program");
    if (st->n > max)
        return vreject_num(st, st->n, "program too large; instruction limit ", max);
    uint32_t *scratch = (uint32_t *)(void *)(a + ((sizeof(vcheck) + 7u) & ~(size_t)7u));
    st->marks = (uint8_t *)(scratch + st->n);
    st->dfs = scratch;
    c->cert = cert;
    c->len = cert && cert_len <= MBPF_CERT_MAX_LEN ? (uint32_t)cert_len : (cert ? MBPF_CERT_MAX_LEN + 1u : 0);
    if (!cert)
        return vreject(st, st->n, "certificate: none given");
    uint32_t back_edges;
    if (check_header(c) || vpreflight(st) || vcheck_cfg(st, scratch, &back_edges))
        return -1;
    if (walk(c, facts) || check_loops(c, facts, back_edges))
        return -1;
    res->states = c->n_states;
    res->sweeps = 1;
    return 0;
}
