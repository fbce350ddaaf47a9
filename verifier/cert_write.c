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

static void put_fields(out_buf *o, const void *base, const cert_field *fields, unsigned n, int ptr)
{
    uint64_t mask = 0;
    for (unsigned i = 0; i < n; i++)
        if (cert_get(base, &fields[i]) != (ptr ? fields[i].def_ptr : fields[i].def))
            mask |= 1ull << i;
    put_varint(o, mask);
    for (unsigned i = 0; i < n; i++)
        if (mask >> i & 1)
            put_varint(o, cert_zigzag(cert_get(base, &fields[i])));
}

static void put_state(out_buf *o, const astate *s)
{
    put_fields(o, s, state_fields, N_STATE_FIELDS, 0);
    uint32_t regs = 0;
    for (int r = 0; r < AREGS; r++)
        if (s->r[r].type != T_UNINIT)
            regs |= 1u << r;
    put_varint(o, regs);
    for (int r = 0; r < AREGS; r++) {
        if (!(regs >> r & 1))
            continue;
        put8(o, s->r[r].type);
        put_fields(o, &s->r[r], reg_fields, N_REG_FIELDS, cert_is_ptr_type(s->r[r].type));
    }
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
}

static long write_cert(const vstate *st, const mbpf_fact *facts, uint8_t *out, size_t cap)
{
    out_buf o = {out, 0, cap, 0};
    uint32_t n_states = 0, n_loops = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const astate *s = vabsint_state(st, pc);
        n_states += s && s->reached;
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
        const astate *s = vabsint_state(st, pc);
        if (!s || !s->reached)
            continue;
        if (o.len > MBPF_CERT_MAX_LEN)
            return -3;
        put16_at(&o, index + 4 * i, pc);
        put16_at(&o, index + 4 * i + 2, (uint32_t)o.len);
        put_state(&o, s);
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
    *out_len = 0;
    int rc = vverify(&st, p, opts, facts, arena, arena_size, res);
    if (rc == -2 || (rc && !partial))
        return rc;
    const int have_states = res->states != 0; /* the abstract interpreter ran */
    long len;
    if (have_states) {
        len = write_cert(&st, rc ? NULL : facts, out, cap);
    } else {
        vstate none;
        memset(&none, 0, sizeof none);
        none.n = 0;
        len = write_cert(&none, NULL, out, cap);
    }
    if (len < 0)
        return rc ? rc : -3;
    *out_len = (size_t)len;
    return rc;
}
