/* Certificates in the host tools: writing one with the full verifier, printing one. */
#include "aot/cert_tool.h"

#include <stdlib.h>
#include <string.h>

#include "verifier/cert_format.h"

static int write_one(const mbpf_program *p, const mbpf_profile *pr, void *arena, size_t arena_len,
                     uint8_t **cert, size_t *cert_len, int partial, char *err, size_t errlen)
{
    mbpf_verify_opts o;
    mbpf_verify_result r;
    mbpf_profile_opts(pr, &o);
    mbpf_fact *facts = calloc(p->n_insns ? p->n_insns : 1, sizeof *facts);
    uint8_t *buf = malloc(MBPF_CERT_MAX_LEN + 1);
    if (!facts || !buf) {
        free(facts);
        free(buf);
        snprintf(err, errlen, "out of memory");
        return 4;
    }
    int rc = mbpf_cert_write(p, &o, facts, arena, arena_len, &r, buf, MBPF_CERT_MAX_LEN + 1, cert_len, partial);
    free(facts);
    if (rc == -3 || (rc && !partial) || (rc && !*cert_len && rc != -1)) {
        free(buf);
        if (rc == -3)
            snprintf(err, errlen, "the certificate does not fit the format (over %u bytes)", MBPF_CERT_MAX_LEN);
        else
            snprintf(err, errlen, "no certificate: %s", r.msg);
        return 4;
    }
    *cert = buf;
    return 0;
}

int mbpf_tool_cert(const mbpf_loaded *l, const mbpf_program *p, const mbpf_profile *pr, void *arena,
                   size_t arena_len, uint8_t **cert, size_t *cert_len, int partial, char *err,
                   size_t errlen)
{
    if (l->cert) {
        *cert = malloc(l->cert_len ? l->cert_len : 1);
        if (!*cert) {
            snprintf(err, errlen, "out of memory");
            return 4;
        }
        memcpy(*cert, l->cert, l->cert_len);
        *cert_len = l->cert_len;
        return 0;
    }
    return write_one(p, pr, arena, arena_len, cert, cert_len, partial, err, errlen);
}

uint8_t *mbpf_tool_cert_build(const mbpf_program *p, const mbpf_profile *pr, size_t *cert_len,
                              char *err, size_t errlen)
{
    size_t need = mbpf_verify_arena_need(p);
    void *arena = malloc(need);
    uint8_t *cert = NULL;
    if (!arena) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (write_one(p, pr, arena, need, &cert, cert_len, 0, err, errlen))
        cert = NULL;
    free(arena);
    return cert;
}

/* ---- printing ---- */

typedef struct rd {
    const uint8_t *p;
    size_t pos, len;
    int bad;
} rd;

static uint64_t rd_varint(rd *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->pos >= r->len) {
            r->bad = 1;
            return v;
        }
        uint8_t b = r->p[r->pos++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = 1;
    return v;
}

static uint8_t rd_u8(rd *r)
{
    if (r->pos >= r->len) {
        r->bad = 1;
        return 0;
    }
    return r->p[r->pos++];
}

static const char *const type_names[] = {"uninit", "scalar", "any", "stack", "ctx", "rodata", "data"};
static const char *const reg_field_names[] = {"flags", "ub", "lo", "hi", "delta"};

static void print_fields(FILE *f, rd *r, const cert_field *fields, unsigned n, const char *const *names)
{
    uint64_t mask = rd_varint(r);
    for (unsigned i = 0; i < n && !r->bad; i++)
        if (mask >> i & 1) {
            int64_t v = cert_unzigzag(rd_varint(r));
            if (fields[i].is_signed)
                fprintf(f, " %s=%lld", names[i], (long long)v);
            else
                fprintf(f, " %s=%llu", names[i], (unsigned long long)(uint64_t)v);
        }
    if (mask >> n)
        r->bad = 1;
}

/* A listed register: its type (flags bits 4-7 are its link group, delta its distance from the
 * group's founder), then the fields that differ from its kind's defaults, whichever defaults the
 * writer chose to encode it against. */
static void print_reg(FILE *f, rd *r)
{
    const uint8_t b = rd_u8(r), t = b & 0x0f, defs = (uint8_t)(b >> CERT_DEFS_SHIFT);
    const uint64_t mask = rd_varint(r);
    if (defs >= CERT_N_DEFS || mask >> N_REG_FIELDS)
        r->bad = 1;
    areg a;
    memset(&a, 0, sizeof a);
    for (unsigned i = 0; i < N_REG_FIELDS; i++)
        cert_set(&a, &reg_fields[i], reg_fields[i].def[r->bad ? 0 : defs]);
    for (unsigned i = 0; i < N_REG_FIELDS && !r->bad; i++)
        if ((mask >> i & 1) && !cert_set(&a, &reg_fields[i], cert_unzigzag(rd_varint(r))))
            r->bad = 1;
    const int kind = cert_defaults_of(t, a.flags);
    fprintf(f, "%s%s", t < 7 ? type_names[t] : "?", kind == CERT_DEF_HINT ? "(reloaded, offset unknown)" : "");
    for (unsigned i = 0; i < N_REG_FIELDS && !r->bad; i++) {
        const int64_t v = cert_get(&a, &reg_fields[i]);
        if (v == reg_fields[i].def[kind])
            continue;
        if (reg_fields[i].is_signed)
            fprintf(f, " %s=%lld", reg_field_names[i], (long long)v);
        else
            fprintf(f, " %s=%llu", reg_field_names[i], (unsigned long long)(uint64_t)v);
    }
}

void mbpf_cert_print(FILE *f, const mbpf_program *p, const uint8_t *cert, size_t len)
{
    if (len < MBPF_CERT_HEADER) {
        fprintf(f, "certificate: %zu bytes, shorter than its header\n", len);
        return;
    }
    uint32_t ns = cert[2] | (uint32_t)cert[3] << 8, nl = cert[4] | (uint32_t)cert[5] << 8;
    fprintf(f, "certificate: version %u, %zu bytes (%.2fx the bytecode's %u), %u states, %u loop claims%s\n",
            cert[0], len, (double)len / (8.0 * p->n_insns), 8u * p->n_insns, ns, nl,
            cert[1] & MBPF_CERT_FLAG_ADDR_IN_DATA ? ", addresses stored in data" : "");
    size_t tables = MBPF_CERT_HEADER + 4u * ((size_t)ns + nl);
    if (tables > len) {
        fprintf(f, "  (truncated tables)\n");
        return;
    }
    const uint8_t *loops = cert + MBPF_CERT_HEADER + 4u * ns;
    for (uint32_t i = 0; i < nl; i++)
        fprintf(f, "  loop at insn %u: at most %u trips per entry\n", loops[4 * i] | loops[4 * i + 1] << 8,
                loops[4 * i + 2] | loops[4 * i + 3] << 8);
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *e = cert + MBPF_CERT_HEADER + 4u * i;
        uint32_t pc = e[0] | (uint32_t)e[1] << 8, off = e[2] | (uint32_t)e[3] << 8;
        rd r = {cert, off, len, 0};
        fprintf(f, "  insn %u (byte %u):", pc, off);
        static const char *const state_names[] = {"len_min"};
        print_fields(f, &r, state_fields, N_STATE_FIELDS, state_names);
        uint64_t regs = rd_varint(&r);
        for (int k = 0; k < AREGS && !r.bad; k++) {
            if (!(regs >> k & 1))
                continue;
            fprintf(f, " r%d:", k);
            print_reg(f, &r);
            fprintf(f, ";");
        }
        uint64_t slots = rd_varint(&r);
        for (int k = 0; k < AS_SLOTS && !r.bad; k++)
            if (slots >> k & 1) {
                uint8_t init = rd_u8(&r), kind = rd_u8(&r);
                fprintf(f, " [r10-%d]:init=%02x,%s", 8 * (k + 1), init, kind < 7 ? type_names[kind] : "?");
            }
        uint64_t spills = rd_varint(&r);
        for (int k = 0; k < 8 && !r.bad; k++)
            if (spills >> k & 1) {
                int64_t at = cert_unzigzag(rd_varint(&r));
                uint8_t size = rd_u8(&r);
                fprintf(f, " spill[r10%+lld,%u]:", (long long)at, size);
                print_reg(f, &r);
            }
        fprintf(f, "%s (%zu bytes)\n", r.bad ? " (malformed)" : "", r.pos - off);
    }
}
