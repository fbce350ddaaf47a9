/* The certificate writer (host): runs the full verifier, then writes its states at the join
 * points and its loop bounds in the format of docs/formats.md ("Verifier certificate"). */
#include <string.h>

#include "verifier/cert_format.h"

typedef struct out_buf {
    uint8_t *p;
    size_t len, cap;
    int overflow;
} out_buf;

static void put8(out_buf *o, uint8_t v)
{
    if (o->len < o->cap)
        o->p[o->len] = v;
    else
        o->overflow = 1;
    o->len++;
}

static void put16(out_buf *o, uint32_t v)
{
    put8(o, (uint8_t)v);
    put8(o, (uint8_t)(v >> 8));
}

static void put_varint(out_buf *o, uint64_t v)
{
    do {
        uint8_t b = (uint8_t)(v & 0x7f);
        v >>= 7;
        put8(o, (uint8_t)(b | (v ? 0x80 : 0)));
    } while (v);
}

static void put16_at(out_buf *o, size_t at, uint32_t v)
{
    if (at + 1 < o->cap) {
        o->p[at] = (uint8_t)v;
        o->p[at + 1] = (uint8_t)(v >> 8);
    }
}

static void put_fields(out_buf *o, const void *base, const cert_field *fields, unsigned n, int defs)
{
    uint64_t mask = 0;
    for (unsigned i = 0; i < n; i++)
        if (cert_get(base, &fields[i]) != fields[i].def[defs])
            mask |= 1ull << i;
    put_varint(o, mask);
    for (unsigned i = 0; i < n; i++)
        if (mask >> i & 1)
            put_varint(o, cert_zigzag(cert_get(base, &fields[i])));
}

/* Bytes put_fields writes for these defaults. */
static size_t fields_size(const void *base, const cert_field *fields, unsigned n, int defs)
{
    uint8_t scratch[1];
    out_buf o = {scratch, 0, 0, 0};
    put_fields(&o, base, fields, n, defs);
    return o.len;
}

/* A register against the defaults that write it in the fewest bytes. */
static void put_reg(out_buf *o, const areg *r)
{
    int defs = 0;
    for (int d = 1; d < CERT_N_DEFS; d++)
        if (fields_size(r, reg_fields, N_REG_FIELDS, d) < fields_size(r, reg_fields, N_REG_FIELDS, defs))
            defs = d;
    put8(o, (uint8_t)(r->type | defs << CERT_DEFS_SHIFT));
    put_fields(o, r, reg_fields, N_REG_FIELDS, defs);
}

/* The links of s once its dead registers (not in live) are gone: each group numbered after its lowest live
 * member, a group left with one member dropped, every delta kept. Re-basing the deltas on the
 * new founder would change them: the live members' differences may not fit a delta (r1 = 8711
 * founding r6 = r1 + 31273 and r8 = r1 - 8711: r6 - r8 does not), and a delta pushed out of
 * range by an addition unlinks its register, so the checker must run on the full verifier's
 * own deltas to reach its states. */
static void relink_live(astate *s, uint32_t live)
{
    uint8_t low[16], count[16];
    uint32_t member = 0; /* live and initialised: the registers a group keeps */
    for (int g = 0; g < 16; g++)
        low[g] = AREGS, count[g] = 0;
    for (int r = AREGS - 1; r >= 0; r--) {
        const unsigned g = A_LINK(&s->r[r]);
        if ((live >> r & 1) && s->r[r].type != T_UNINIT) {
            member |= 1u << r;
            if (g)
                low[g] = (uint8_t)r, count[g]++;
        }
    }
    for (int r = 0; r < AREGS; r++) {
        areg *a = &s->r[r];
        const unsigned g = A_LINK(a);
        if (!g)
            continue;
        const int16_t delta = a->delta;
        a->flags &= (uint8_t)~(0xfu << AF_LINK_SHIFT);
        a->delta = 0;
        if ((member >> r & 1) && count[g] >= 2) {
            a->flags |= (uint8_t)((low[g] + 1u) << AF_LINK_SHIFT);
            a->delta = delta;
        }
    }
}

/* The state with its dead registers left out (uninitialised), its links among the live ones. */
static void put_state(out_buf *o, const astate *full, uint32_t live)
{
    static astate s_buf; /* host only: keeps a large state off the stack */
    astate *s = &s_buf;
    *s = *full;
    relink_live(s, live);
    for (int r = 0; r < AREGS; r++)
        if (!(live >> r & 1))
            a_uninit(&s->r[r], 0);
    put_fields(o, s, state_fields, N_STATE_FIELDS, CERT_DEF_NUMBER);
    uint32_t regs = 0;
    for (int r = 0; r < AREGS; r++)
        if (s->r[r].type != T_UNINIT)
            regs |= 1u << r;
    put_varint(o, regs);
    for (int r = 0; r < AREGS; r++)
        if (regs >> r & 1)
            put_reg(o, &s->r[r]);
    uint64_t slots = 0;
    for (int i = 0; i < AS_SLOTS; i++)
        if (s->init[i] || s->kind[i] != T_SCALAR)
            slots |= 1ull << i;
    put_varint(o, slots);
    for (int i = 0; i < AS_SLOTS; i++)
        if (slots >> i & 1) {
            put8(o, s->init[i]);
            put8(o, s->kind[i]);
        }
    uint32_t spills = 0;
    for (int i = 0; i < SPILLS; i++)
        if (s->spill[i].size)
            spills |= 1u << i;
    put_varint(o, spills);
    for (int i = 0; i < SPILLS; i++)
        if (spills >> i & 1) {
            put_varint(o, cert_zigzag(s->spill[i].off));
            put8(o, s->spill[i].size);
            put_reg(o, &s->spill[i].v);
        }
}

/* ---- register liveness: a certificate leaves out the registers no path reads before writing
 * them (the checker then takes them as uninitialised, which includes every value, and no
 * instruction it interprets reads them). Calls count as reading r1-r5 (the verifier looks at them
 * for stack pointers passed, local calls hand them to the callee) and exits as reading r0. ---- */

#define R(n) (1u << (n))

static void uses_defs(const mbpf_insn *in, uint32_t *use, uint32_t *def)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const uint8_t d = MBPF_DST(in), sr = MBPF_SRC(in);
    const uint32_t dm = d < AREGS ? R(d) : 0, sm = sr < AREGS ? R(sr) : 0;
    *use = *def = 0;
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64:
        *use = (op != MBPF_MOV ? dm : 0) | (MBPF_SRCBIT(in->code) && op != MBPF_END && op != MBPF_NEG ? sm : 0);
        *def = dm;
        return;
    case MBPF_LD: *def = dm; return;
    case MBPF_LDX: *use = sm; *def = dm; return;
    case MBPF_ST: *use = dm; return;
    case MBPF_STX:
        *use = dm | sm;
        if (MBPF_MODE(in->code) == MBPF_ATOMIC) {
            if (in->imm == MBPF_CMPXCHG)
                *use |= R(0), *def = R(0);
            else if (in->imm & MBPF_FETCH)
                *def = sm;
        }
        return;
    default: break;
    }
    if (op == MBPF_EXIT) {
        *use = R(0);
    } else if (op == MBPF_CALL) {
        *use = R(1) | R(2) | R(3) | R(4) | R(5) | (MBPF_SRCBIT(in->code) ? dm : 0);
        *def = R(0) | R(1) | R(2) | R(3) | R(4) | R(5);
    } else if (op != MBPF_JA) {
        *use = dm | (MBPF_SRCBIT(in->code) ? sm : 0);
    }
}

static uint32_t dest_of(uint32_t pc, const mbpf_insn *in)
{
    int32_t rel = (MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA) ? in->imm : in->off;
    return (uint32_t)((int64_t)pc + 1 + rel);
}

/* live[pc]: registers live on entry to pc, to their fixpoint by backward passes (the program
 * passed the CFG checks: targets in range, no fall-through off a function's end). */
static void liveness(const vstate *st, uint32_t *live)
{
    for (uint32_t pc = 0; pc < st->n; pc++)
        live[pc] = 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t pc = st->n; pc-- > 0;) {
            if (st->marks[pc] & VM_LDDW_TAIL)
                continue;
            const mbpf_insn *in = &st->insns[pc];
            const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
            const int jump = (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT;
            const uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
            uint32_t out = 0, use, def;
            if (op != MBPF_EXIT || (cls != MBPF_JMP && cls != MBPF_JMP32)) {
                if (!(jump && op == MBPF_JA) && next < st->n)
                    out |= live[next];
                if (jump)
                    out |= live[dest_of(pc, in)];
            }
            uses_defs(in, &use, &def);
            uint32_t l = use | (out & ~def);
            if (l != live[pc]) {
                live[pc] = l;
                changed = 1;
            }
        }
    }
}

/* The state kept at pc: none at the entry unless something jumps there (the checker starts
 * from the same entry state the full verifier does). */
static const astate *kept_state(const vstate *st, uint32_t pc)
{
    const astate *s = vabsint_state(st, pc);
    if (!s || !s->reached || (pc == 0 && !(st->marks[0] & VM_TARGET)))
        return NULL;
    return s;
}

static long write_cert(const vstate *st, const mbpf_fact *facts, uint8_t *out, size_t cap, const uint32_t *live)
{
    out_buf o = {out, 0, cap, 0};
    uint32_t n_states = 0, n_loops = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        n_states += kept_state(st, pc) != NULL;
        n_loops += facts && (facts[pc].flags & MBPF_FACT_LOOP_HEAD) ? 1u : 0u;
    }
    if (n_states > 0xffffu || n_loops > 0xffffu || st->n > 0x10000u)
        return -3;
    put8(&o, MBPF_CERT_VERSION);
    put8(&o, st->addr_in_data ? MBPF_CERT_FLAG_ADDR_IN_DATA : 0);
    put16(&o, n_states);
    put16(&o, n_loops);
    put16(&o, 0);
    const size_t index = o.len;
    for (uint32_t i = 0; i < n_states; i++)
        put16(&o, 0), put16(&o, 0); /* filled below */
    for (uint32_t pc = 0; facts && pc < st->n; pc++)
        if (facts[pc].flags & MBPF_FACT_LOOP_HEAD) {
            put16(&o, pc);
            put16(&o, MBPF_FACT_TRIPS(&facts[pc]));
        }
    uint32_t i = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const astate *s = kept_state(st, pc);
        if (!s)
            continue;
        if (o.len > MBPF_CERT_MAX_LEN)
            return -3;
        put16_at(&o, index + 4 * i, pc);
        put16_at(&o, index + 4 * i + 2, (uint32_t)o.len);
        put_state(&o, s, live ? live[pc] : ~0u);
        i++;
    }
    if (o.overflow || o.len > MBPF_CERT_MAX_LEN)
        return -3;
    return (long)o.len;
}

int mbpf_cert_write(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                    void *arena, size_t arena_size, mbpf_verify_result *res, uint8_t *out,
                    size_t cap, size_t *out_len, int partial)
{
    vstate st;
    memset(&st, 0, sizeof st);
    *out_len = 0;
    if (!facts) { /* without them the loop claims would be missing: a certificate that never checks */
        static const char why[] = "certificate: no facts array to write the loop claims from";
        memcpy(res->msg, why, sizeof why);
        return -1;
    }
    int rc = vverify(&st, p, opts, facts, arena, arena_size, res);
    if (rc == -2 || (rc && !partial))
        return rc;
    const int have_states = res->states != 0; /* the abstract interpreter ran */
    long len;
    if (have_states) {
        uint32_t *live = NULL;
        if (!rc) { /* the loop pass is done with dfs (2n words) */
            live = st.dfs;
            liveness(&st, live);
        }
        len = write_cert(&st, rc ? NULL : facts, out, cap, live);
    } else {
        vstate none;
        memset(&none, 0, sizeof none);
        none.n = 0;
        len = write_cert(&none, NULL, out, cap, NULL);
    }
    if (len < 0)
        return rc ? rc : -3;
    *out_len = (size_t)len;
    return rc;
}
