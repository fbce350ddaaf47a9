/* Device profiles (include/mcubpf/profile.h): the checks a device makes at load, shared with the
 * host tools so that both give the same verdict on the same program. */
#include <string.h>

#include "mcubpf/cert.h"
#include "mcubpf/config.h"
#include "mcubpf/profile.h"

uint32_t mbpf_profile_max_depth(const mbpf_profile *pr)
{
    uint32_t d = pr->stack_len / MBPF_STACK_SIZE;
    return d > MBPF_MAX_CALL_DEPTH ? MBPF_MAX_CALL_DEPTH : d;
}

static int is_local_call(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL;
}

/* Functions are contiguous (the verifier checks it): a function runs from its entry to the next
 * entry. scratch[pc] at an entry is the function's depth (1 + deepest callee), 0 elsewhere.
 * Each pass propagates one more level; the verifier bounds the depth, so few passes suffice. */
uint32_t mbpf_call_depth(const mbpf_program *p, uint8_t *scratch)
{
    const uint32_t n = p->n_insns;
    memset(scratch, 0, n);
    if (!n)
        return 0;
    scratch[0] = 1;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (is_local_call(in)) {
            int64_t t = (int64_t)pc + 1 + in->imm;
            if (t >= 0 && t < (int64_t)n)
                scratch[t] = 1;
        }
        if (in->code == MBPF_OPC_LDDW)
            pc++;
    }
    for (uint32_t pass = 0; pass <= MBPF_MAX_CALL_DEPTH; pass++) {
        int changed = 0;
        uint32_t cur = 0;
        for (uint32_t pc = 0; pc < n; pc++) {
            if (scratch[pc])
                cur = pc;
            const mbpf_insn *in = &p->insns[pc];
            if (is_local_call(in)) {
                int64_t t = (int64_t)pc + 1 + in->imm;
                if (t >= 0 && t < (int64_t)n && scratch[t] + 1u > scratch[cur] &&
                    scratch[t] < 255u) {
                    scratch[cur] = (uint8_t)(scratch[t] + 1u);
                    changed = 1;
                }
            }
            if (in->code == MBPF_OPC_LDDW)
                pc++;
        }
        if (!changed)
            break;
    }
    return scratch[0];
}

/* A message line built without snprintf (not available on the device). */
typedef struct msg_buf {
    char *s;
    size_t len, cap;
} msg_buf;

static void put_str(msg_buf *m, const char *s)
{
    while (*s && m->len + 1 < m->cap)
        m->s[m->len++] = *s++;
    m->s[m->len] = 0;
}

static void put_u32(msg_buf *m, uint32_t v)
{
    char num[12];
    int i = 11;
    num[i] = 0;
    do {
        num[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    put_str(m, num + i);
}

/* "verify: insn PC (DISASM): " as the verifier's own lines begin. */
static msg_buf reject_at(mbpf_verify_result *res, const mbpf_program *p, uint32_t pc)
{
    char dis[64];
    mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
    msg_buf m = {res->msg, 0, sizeof res->msg};
    res->pc = pc;
    put_str(&m, "verify: insn ");
    put_u32(&m, pc);
    put_str(&m, " (");
    put_str(&m, dis);
    put_str(&m, "): ");
    return m;
}

void mbpf_profile_opts(const mbpf_profile *pr, mbpf_verify_opts *o)
{
    memset(o, 0, sizeof *o);
    o->helper_mask_lo = pr->helpers_lo;
    o->helper_mask_hi = pr->helpers_hi;
    o->max_insns = pr->max_insns;
    o->ctx_flags = pr->ctx_flags;
    o->ctx_min_len = pr->ctx_min_len;
}

int mbpf_profile_check(const mbpf_program *p, const mbpf_profile *pr, mbpf_fact *facts, void *arena,
                       size_t arena_size, mbpf_verify_result *res)
{
    return mbpf_profile_check_cert(p, pr, NULL, 0, facts, arena, arena_size, res);
}

int mbpf_profile_check_cert(const mbpf_program *p, const mbpf_profile *pr, const uint8_t *cert,
                            size_t cert_len, mbpf_fact *facts, void *arena, size_t arena_size,
                            mbpf_verify_result *res)
{
    mbpf_verify_opts o;
    mbpf_profile_opts(pr, &o);
#if MBPF_WITH_FULL_VERIFIER
    int rc = cert ? mbpf_check(p, &o, cert, cert_len, facts, arena, arena_size, res)
                  : mbpf_verify(p, &o, facts, arena, arena_size, res);
#else
    /* no fixpoint verifier in this build: a program without a certificate is refused */
    static const char no_cert[] = "verify: this device needs a certificate (bpfpack adds one)";
    int rc = -1;
    if (cert) {
        rc = mbpf_check(p, &o, cert, cert_len, facts, arena, arena_size, res);
    } else {
        memset(res, 0, sizeof *res);
        memcpy(res->msg, no_cert, sizeof no_cert);
    }
#endif
    if (rc)
        return rc;
    /* the arena is free again: one byte per instruction for the depth of each function */
    if (arena_size < p->n_insns)
        return -2;
    uint32_t depth = mbpf_call_depth(p, (uint8_t *)arena);
    uint32_t max = mbpf_profile_max_depth(pr);
    if (depth > max) {
        const uint8_t *d = (const uint8_t *)arena;
        uint32_t at = 0; /* the call in the entry function that starts the deepest chain */
        for (uint32_t pc = 0; pc < p->n_insns && (pc == 0 || !d[pc]); pc++) {
            const mbpf_insn *in = &p->insns[pc];
            if (is_local_call(in) && d[(uint32_t)((int64_t)pc + 1 + in->imm)] + 1u == depth) {
                at = pc;
                break;
            }
            if (in->code == MBPF_OPC_LDDW)
                pc++;
        }
        msg_buf m = reject_at(res, p, at);
        put_str(&m, "local calls nest ");
        put_u32(&m, depth);
        put_str(&m, " frames deep; the stack given holds ");
        put_u32(&m, max);
        put_str(&m, " (");
        put_u32(&m, MBPF_STACK_SIZE);
        put_str(&m, " bytes per frame)");
        return -1;
    }
    if (pr->flags & MBPF_PROFILE_STRICT) {
        if (!facts) {
            msg_buf m = {res->msg, 0, sizeof res->msg};
            res->pc = 0;
            put_str(&m, "verify: the strict check needs the verifier's facts");
            return -1;
        }
        for (uint32_t pc = 0; pc < p->n_insns; pc++)
            if (facts[pc].mem == MBPF_MEM_GUARD_REGION || facts[pc].mem == MBPF_MEM_GUARD_ANY) {
                msg_buf m = reject_at(res, p, pc);
                put_str(&m, "memory access not proven in bounds (strict: ");
                put_u32(&m, res->mem_accesses - res->mem_proven);
                put_str(&m, " of ");
                put_u32(&m, res->mem_accesses);
                put_str(&m, " accesses are not)");
                return -1;
            }
    }
    return 0;
}

void mbpf_rt_tenant_profile(const mbpf_runtime *rt, const mbpf_tenant *t, mbpf_profile *out)
{
    memset(out, 0, sizeof *out);
    for (uint32_t id = 1; id < MBPF_RT_MAX_HELPERS && id < 32; id++)
        if (rt->helpers[id] && (t->helper_mask >> id & 1u))
            out->helpers_lo |= 1ull << id;
    out->ctx_flags = t->ctx_flags;
    out->stack_len = t->stack_len;
}
