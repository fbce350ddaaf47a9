/* The runtime API: loading (containers and AOT images), hot swap, runs and statistics. The code
 * cache lives in rt_cache.c, the default helpers in rt_helpers.c. */
#include <stddef.h>
#include <string.h>

#include "mcubpf/cert.h"
#include "mcubpf/container.h"
#include "mcubpf/interp.h"
#include "mcubpf/profile.h"
#include "mcubpf/image.h"
#include "mcubpf/runtime.h"
#include "mcubpf/sha256.h"
#include "mcubpf/verifier.h"
#include "runtime/interp_code.h"
#include "runtime/messages.h"
#include "runtime/rt_internal.h"
#include "runtime/rt_trust.h"

void rt_zero(void *p, size_t bytes)
{
    uint32_t *w = (uint32_t *)p;
    for (size_t i = 0; i < bytes / 4; i++)
        w[i] = 0;
}

#if MBPF_WITH_BYTECODE
static size_t align8(size_t v)
{
    return (v + 7u) & ~(size_t)7u;
}

static size_t work_size(uint32_t n_insns, size_t verify_bytes)
{
    size_t j = MBPF_RT_WITH_JIT ? mbpf_jit_work_size(n_insns) : 0;
    return align8(sizeof(mbpf_verify_result)) + align8((size_t)n_insns * sizeof(mbpf_fact)) +
           (verify_bytes > j ? verify_bytes : j) + 8u;
}

size_t mbpf_rt_work_size(uint32_t n_insns)
{
    return work_size(n_insns, MBPF_WITH_FULL_VERIFIER ? mbpf_verify_arena_size(n_insns)
                                                      : mbpf_check_arena_size(n_insns));
}

size_t mbpf_rt_work_need(const mbpf_program *p, int has_cert)
{
    /* without a certificate and without the full verifier the load is refused, whatever the
     * arena: the checker's need is then the one worth naming */
    return work_size(p->n_insns, has_cert || !MBPF_WITH_FULL_VERIFIER ? mbpf_check_arena_size(p->n_insns)
                                                                      : mbpf_verify_arena_need(p));
}

size_t mbpf_rt_interp_size(uint32_t n_insns)
{
    /* every instruction a loop head and a charged back edge at worst */
    return sizeof(interp_code) + 4u * (size_t)n_insns + sizeof(interp_slot) * (2u * (size_t)n_insns + 1u);
}

rt_work rt_work_split(mbpf_runtime *rt, const mbpf_program *p, int has_cert)
{
    const uint32_t n_insns = p->n_insns;
    rt_work w;
    uint8_t *a = (uint8_t *)(((uintptr_t)rt->cfg.work + 7u) & ~(uintptr_t)7u);
    size_t skip = (size_t)(a - (uint8_t *)rt->cfg.work);
    w.res = (mbpf_verify_result *)(void *)a;
    a += align8(sizeof(mbpf_verify_result));
    w.facts = (mbpf_fact *)(void *)a;
    a += align8((size_t)n_insns * sizeof(mbpf_fact));
    w.scratch = a;
    size_t used = skip + (size_t)(a - ((uint8_t *)rt->cfg.work + skip));
    w.scratch_len = rt->cfg.work_len > used ? rt->cfg.work_len - used : 0;
    w.need = mbpf_rt_work_need(p, has_cert);
    w.ok = rt->cfg.work != NULL && rt->cfg.work_len >= w.need;
    return w;
}
#else
/* An AOT-only runtime checks no bytecode: it needs no work arena and no pre-decoded form. */
size_t mbpf_rt_work_size(uint32_t n_insns)
{
    (void)n_insns;
    return 0;
}

size_t mbpf_rt_work_need(const mbpf_program *p, int has_cert)
{
    (void)p;
    (void)has_cert;
    return 0;
}

size_t mbpf_rt_interp_size(uint32_t n_insns)
{
    (void)n_insns;
    return 0;
}
#endif

int mbpf_rt_init(mbpf_runtime *rt, const mbpf_rt_config *cfg)
{
    if (!rt || !cfg)
        return MBPF_RT_ERR_ARG;
    memset(rt, 0, sizeof *rt);
    rt->cfg = *cfg;
    rt->ready = RT_IDLE;
    if (cfg->target != MBPF_TARGET_NONE && cfg->target != MBPF_RT_NATIVE_TARGET)
        return MBPF_RT_ERR_TARGET;
    if (cfg->target != MBPF_TARGET_NONE && (!cfg->code || !cfg->code_len))
        return MBPF_RT_ERR_ARG;
    return MBPF_RT_OK;
}

int mbpf_rt_register_helper(mbpf_runtime *rt, uint32_t id, mbpf_helper_fn fn)
{
    if (!rt || id == 0 || id >= MBPF_RT_MAX_HELPERS)
        return MBPF_RT_ERR_ARG;
    rt->helpers[id] = fn;
    return MBPF_RT_OK;
}

/* Record the outcome of a load (MBPF_RT_OK with msg NULL on success) and return its code. */
static int fail(mbpf_runtime *rt, mbpf_rt_error *err, int code, const char *msg)
{
    if (rt)
        rt->last_msg = msg;
    if (err) {
        err->code = code;
        err->pc = 0;
        err->msg = msg;
    }
    return code;
}

/* The helpers the tenant may call and the runtime has: the verifier's mask and the table. */
static uint32_t allowed_helpers(const mbpf_runtime *rt, const mbpf_tenant *t)
{
    uint32_t m = 0;
    for (uint32_t id = 1; id < MBPF_RT_MAX_HELPERS && id < 32; id++)
        if (rt->helpers[id] && (t->helper_mask >> id & 1u))
            m |= 1u << id;
    return m;
}

#if MBPF_WITH_BYTECODE
/* The device's checks, the same as the host tools' (mcubpf/profile.h): the certificate checker
 * (or, without a certificate, the full verifier where the firmware has it) with what the tenant
 * is offered, then call depth against the tenant's stack and, with MBPF_RT_STRICT, every access
 * proven. */
int rt_verify(mbpf_runtime *rt, const mbpf_program *prog, const mbpf_tenant *t, const uint8_t *cert,
              uint32_t cert_len, rt_work *w)
{
    mbpf_profile pr;
    mbpf_rt_tenant_profile(rt, t, &pr);
    if (rt->cfg.flags & MBPF_RT_STRICT)
        pr.flags |= MBPF_PROFILE_STRICT;
    return mbpf_profile_check_cert(prog, &pr, cert, cert_len, w->facts, w->scratch, w->scratch_len, w->res);
}

/* "runtime: work arena too small for this program; it needs N bytes", in the arena's message
 * buffer when it has one, else the same without the figure. */
static const char *arena_msg(mbpf_runtime *rt, const rt_work *w)
{
    static const char fixed[] = "runtime: work arena too small for this program";
    if (!rt->cfg.work || rt->cfg.work_len < sizeof(mbpf_verify_result) + 8u)
        return fixed;
    char *m = w->res->msg;
    size_t n = 0;
    for (const char *s = fixed; *s; s++)
        m[n++] = *s;
    for (const char *s = "; it needs "; *s; s++)
        m[n++] = *s;
    char num[12];
    int k = 0;
    size_t v = w->need;
    do {
        num[k++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v && k < 11);
    while (k)
        m[n++] = num[--k];
    for (const char *s = " bytes"; *s; s++)
        m[n++] = *s;
    m[n] = '\0';
    return m;
}
#endif

#if MBPF_RT_WITH_JIT
/* Cache key: bytecode, rodata, target and the options that shape the translation. */
static void make_key(const mbpf_runtime *rt, const mbpf_program *prog, const mbpf_tenant *t,
                     uint32_t key[4])
{
    mbpf_sha256_ctx s;
    uint8_t d[32];
    uint32_t extra[3] = {(uint32_t)rt->cfg.target, t->ctx_flags, prog->data_len};
    mbpf_sha256_init(&s);
    mbpf_sha256_update(&s, prog->insns, (size_t)prog->n_insns * sizeof(mbpf_insn));
    mbpf_sha256_update(&s, prog->rodata ? prog->rodata : (const uint8_t *)"", prog->rodata_len);
    mbpf_sha256_update(&s, extra, sizeof extra);
    mbpf_sha256_final(&s, d);
    memcpy(key, d, 16);
}
#endif

/* A checked program, not yet installed in a slot. */
typedef struct staged {
    mbpf_program prog;
    const uint8_t *data_init;
    uint32_t data_init_len;
    uint8_t kind;
    const uint8_t *aot_code;
    uint32_t aot_entry, aot_code_len;
    int is_signed;         /* a registered key's signature checked */
    const uint8_t *cert;   /* the container's verifier certificate */
    uint32_t cert_len;
    uint32_t hook, version;
} staged;

#if MBPF_WITH_BYTECODE
static int stage_container(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t,
                           const uint8_t *buf, size_t len, staged *s, mbpf_rt_error *err)
{
    mbpf_container_view v;
    const char *why = NULL;
    if (mbpf_container_parse(buf, len, &v, &why))
        return fail(rt, err, MBPF_RT_ERR_FORMAT, why);
    int rc = rt_trust_release(rt, p, 0, s->is_signed, v.flags & MBPF_CONTAINER_FLAG_SIGNED,
                              v.hook, v.prog_version, &why);
    if (rc)
        return fail(rt, err, rc, why);
    s->hook = v.hook;
    s->version = v.prog_version;
    if (v.data_len > p->data_cap)
        return fail(rt, err, MBPF_RT_ERR_NOMEM, MSG_RT_DATA_SIZE);
    s->prog.insns = v.insns;
    s->prog.n_insns = v.n_insns;
    s->prog.rodata = v.rodata;
    s->prog.rodata_len = v.rodata_len;
    s->prog.data = p->data;
    s->prog.data_len = v.data_len;
    s->data_init = v.data_init;
    s->data_init_len = v.data_init_len;
    s->kind = MBPF_RT_ENGINE_INTERP;
    if (!MBPF_WITH_INTERP && !rt_jit_enabled(rt))
        return fail(rt, err, MBPF_RT_ERR_TARGET,
                    "runtime: this build has no interpreter: bytecode needs a translation target");
    s->cert = v.cert;
    s->cert_len = v.cert_len;
    rt_work w = rt_work_split(rt, &s->prog, v.cert != NULL);
    if (!w.ok)
        return fail(rt, err, MBPF_RT_ERR_NOMEM, arena_msg(rt, &w));
    /* the verifier reads data only through the program description; no write happens here */
    if (rt_verify(rt, &s->prog, t, v.cert, v.cert_len, &w)) {
        fail(rt, err, MBPF_RT_ERR_VERIFY, "runtime: the verifier rejected the program");
        rt->last_msg = w.res->msg;
        if (err)
            err->pc = w.res->pc;
        return MBPF_RT_ERR_VERIFY;
    }
    return MBPF_RT_OK;
}
#endif

#if MBPF_WITH_AOT
/* An image refused for its target is a target error, any other refusal a format error. */
static int is_target_msg(const char *why)
{
    return why && (!strcmp(why, MSG_IMAGE_OTHER_TARGET) || !strcmp(why, MSG_IMAGE_UNKNOWN_TARGET));
}
#endif

static int stage_image(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const uint8_t *buf,
                       size_t len, staged *s, mbpf_rt_error *err)
{
#if !MBPF_WITH_AOT
    (void)p, (void)t, (void)buf, (void)len, (void)s;
    return fail(rt, err, MBPF_RT_ERR_TARGET, MSG_RT_NO_NATIVE);
#else
    mbpf_image_view v;
    const char *why = NULL;
    if (!(rt->cfg.flags & MBPF_RT_ALLOW_AOT))
        return fail(rt, err, MBPF_RT_ERR_PERMISSION, MSG_RT_AOT_POLICY);
    if (MBPF_RT_NATIVE_TARGET == MBPF_TARGET_NONE)
        return fail(rt, err, MBPF_RT_ERR_TARGET, MSG_RT_NO_NATIVE);
    if (mbpf_image_parse(buf, len, MBPF_RT_NATIVE_TARGET, &v, &why))
        return fail(rt, err, is_target_msg(why) ? MBPF_RT_ERR_TARGET : MBPF_RT_ERR_FORMAT, why);
    int rc = rt_trust_release(rt, p, 1, s->is_signed, v.flags & MBPF_IMAGE_FLAG_SIGNED, v.hook,
                              v.prog_version, &why);
    if (rc)
        return fail(rt, err, rc, why);
    s->hook = v.hook;
    s->version = v.prog_version;
    if (((uintptr_t)v.code & 3u) != 0)
        return fail(rt, err, MBPF_RT_ERR_FORMAT, MSG_RT_CODE_ALIGN);
    uint32_t allowed = allowed_helpers(rt, t);
    for (uint32_t i = 0; i < v.n_helpers; i++) {
        uint32_t id;
        memcpy(&id, &v.helpers[i], 4);
        if (id >= 32 || !(allowed >> id & 1u))
            return fail(rt, err, MBPF_RT_ERR_PERMISSION, MSG_RT_HELPER);
    }
    if (v.data_len > p->data_cap)
        return fail(rt, err, MBPF_RT_ERR_NOMEM, MSG_RT_DATA_SIZE);
    memset(&s->prog, 0, sizeof s->prog);
    s->prog.rodata = v.rodata;
    s->prog.rodata_len = v.rodata_len;
    s->prog.data = p->data;
    s->prog.data_len = v.data_len;
    s->data_init = v.data;
    s->data_init_len = v.data_len;
    s->kind = MBPF_RT_ENGINE_AOT;
    s->aot_code = v.code;
    s->aot_entry = v.entry;
    s->aot_code_len = v.code_len;
    return MBPF_RT_OK;
#endif
}

static int stage(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const uint8_t *buf,
                 size_t len, staged *s, mbpf_rt_error *err)
{
    uint32_t magic = 0;
    if (!rt || !p || !t || !buf || !t->stack || t->stack_len < MBPF_STACK_SIZE)
        return fail(rt, err, MBPF_RT_ERR_ARG, MSG_RT_ARGS);
    if (t->id > MBPF_RT_TENANT_ID_MAX)
        return fail(rt, err, MBPF_RT_ERR_ARG, MSG_RT_TENANT_ID);
    if (len >= 4)
        memcpy(&magic, buf, 4);
    if (magic != MBPF_CONTAINER_MAGIC && magic != MBPF_IMAGE_MAGIC)
        return fail(rt, err, MBPF_RT_ERR_FORMAT, MSG_RT_MAGIC);
    /* the signature block before anything else: the artefact is parsed without it */
    const char *why = NULL;
    int rc = rt_trust_signature(rt, buf, len, &len, &s->is_signed, &why);
    if (rc)
        return fail(rt, err, rc, why);
    if (magic == MBPF_CONTAINER_MAGIC)
#if MBPF_WITH_BYTECODE
        return stage_container(rt, p, t, buf, len, s, err);
#else
        return fail(rt, err, MBPF_RT_ERR_TARGET, MSG_RT_NO_BYTECODE);
#endif
    return stage_image(rt, p, t, buf, len, s, err);
}

#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
/* What the fast lane's entry is called with: the block (the code's state), from which the
 * interpreter's entry finds its runtime. */
#define FAST_ARG(rt) (&(rt)->block)
RT_INLINE mbpf_runtime *runtime_of(mbpf_jit_block *b)
{
    return (mbpf_runtime *)(void *)((uint8_t *)b - offsetof(mbpf_runtime, block));
}
#else
/* No code runs in this build: the interpreter's entry is called with the runtime itself. */
#define FAST_ARG(rt) ((mbpf_jit_block *)(void *)(rt))
RT_INLINE mbpf_runtime *runtime_of(mbpf_jit_block *b)
{
    return (mbpf_runtime *)(void *)b;
}
#endif

#if MBPF_WITH_INTERP
/* Untranslated bytecode in the fast lane, called as code is: the interpreter reads the whole
 * exec, whose per-run words are filled here (the tenant's budget of the moment, which translated
 * code reads through the block; no context length without a context, the check translated code
 * makes in its prologue when it reads the length; budget_left and the fault words are the
 * interpreter's to write). r0 goes where the lane reads code's. The pre-decoded form, when there
 * is one, was prepared at load for this program: it is not checked again. */
RT_INLINE uint32_t interp_run_lane(mbpf_jit_block *b, uintptr_t ctx, uint32_t ctx_len, int ready)
{
    mbpf_runtime *rt = runtime_of(b);
    mbpf_exec *x = &rt->exec;
    const mbpf_prog *p = rt->exec_for;
    x->budget = p->tenant->budget;
    x->ctx = (void *)ctx;
    x->ctx_len = ctx ? ctx_len : 0;
    x->n_extra = 0;
    const mbpf_status st = ready ? mbpf_interp_exec_ready(x, p->interp_code) : mbpf_interp_run(x);
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    b->r0_lo = (uint32_t)x->r0;
    b->r0_hi = (uint32_t)(x->r0 >> 32);
#endif
    return st;
}

/* The lane's entries: pre-decoded, or decoded as it runs. */
static uint32_t interp_lane(mbpf_jit_block *b, uintptr_t ctx, uint32_t ctx_len)
{
    return interp_run_lane(b, ctx, ctx_len, 1);
}

static uint32_t bytecode_lane(mbpf_jit_block *b, uintptr_t ctx, uint32_t ctx_len)
{
    return interp_run_lane(b, ctx, ctx_len, 0);
}

/* The same for bytecode whose translation failed: counted as a fallback. */
static uint32_t fallback_lane(mbpf_jit_block *b, uintptr_t ctx, uint32_t ctx_len)
{
    const mbpf_prog *p = runtime_of(b)->exec_for;
    ((mbpf_prog *)(uintptr_t)p)->stats.fallbacks++;
    return interp_run_lane(b, ctx, ctx_len, p->interp_ready);
}

RT_INLINE int lane_interprets(const mbpf_runtime *rt)
{
    return rt->fast_fn == interp_lane || rt->fast_fn == bytecode_lane || rt->fast_fn == fallback_lane;
}
#endif

/* Code's entry as the lane calls it: the same call where code runs (32-bit pointers); never
 * called on the host. */
#define LANE_FN(fn) ((uint32_t (*)(mbpf_jit_block *, uintptr_t, uint32_t))(void (*)(void))(fn))

/* Open the fast lane for p, loaded in rt and the slot the run state is prepared for, when it has
 * something to call: its code (AOT, or translated and still in the cache) or, for bytecode that
 * is not translated here, the interpreter. Everything a run of it then does not depend on is
 * decided here. */
static void arm(mbpf_runtime *rt, mbpf_prog *p)
{
#if !MBPF_WITH_BYTECODE
    rt->fast_fn = LANE_FN(p->fn); /* an image always has its entry */
    rt->ready = (uintptr_t)p;
#else
    rt->ready = RT_IDLE;
    rt->lane_hits = 0;
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    if (p->fn) {
        rt->lane_hits = p->kind != MBPF_RT_ENGINE_AOT; /* its code found in the cache */
        rt->fast_fn = LANE_FN(p->fn);
        rt->ready = (uintptr_t)p;
        return;
    }
#endif
#if MBPF_WITH_INTERP
    if (p->kind != MBPF_RT_ENGINE_AOT && p->no_jit) {
        rt->fast_fn = rt_jit_enabled(rt) ? fallback_lane : p->interp_ready ? interp_lane : bytecode_lane;
        p->stats.engine = MBPF_RT_ENGINE_INTERP;
        rt->ready = (uintptr_t)p;
    }
#endif
#endif
}

/* The state for runs of p (the runtime's, shared by its slots: one run at a time): the
 * execution state, everything but the context and the budget of the moment, which the run sets,
 * and the block translated code reads, as fresh as at load (status 0, the whole call depth). */
RT_OUT_OF_LINE void prepare_exec(mbpf_runtime *rt, const mbpf_prog *p)
{
    const mbpf_tenant *t = p->tenant;
    mbpf_exec *x = &rt->exec;
    rt_cache_note_use(rt); /* the slot prepared until now ran last */
    /* the rest is per run: set by every run (context, budget, regions, stack top, r0) or left
     * as the next run expects by the end of the last one (status and fault words) */
    x->prog = &p->prog;
    x->ctx_flags = t->ctx_flags;
    x->stack = t->stack;
    x->stack_len = t->stack_len;
    x->helpers = rt->helpers; /* ids past 31 are never allowed: the mask has no bit for them */
    x->n_helpers = MBPF_RT_MAX_HELPERS < 32 ? MBPF_RT_MAX_HELPERS : 32;
    x->helpers_denied = ~p->helper_mask;
    x->budget = t->budget;
    x->user = (void *)(uintptr_t)p;
    x->facts = p->facts_kept ? p->facts : NULL;
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    mbpf_jit_block_prepare(&rt->block, x);
    rt->block.budget_at = (uint32_t)(uintptr_t)&t->budget; /* read at every run that spends it */
#endif
    rt->exec_for = p;
    arm(rt, (mbpf_prog *)(uintptr_t)p);
}

/* Install a staged program into p: data initialised, helper mask and key computed, the run state
 * prepared for it. */
static void install(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const staged *s)
{
    rt_cache_forget(rt, p); /* the old program's code no longer charges this slot */
    p->tenant = t;
    p->prog = s->prog;
    if (p->prog.data_len) {
        if (s->data_init_len)
            memcpy(p->data, s->data_init, s->data_init_len);
        memset(p->data + s->data_init_len, 0, p->prog.data_len - s->data_init_len);
    }
    p->kind = s->kind;
    p->no_jit = !rt_jit_enabled(rt); /* bytecode is interpreted */
    p->cert = s->cert;
    p->cert_len = s->cert_len;
    p->helper_mask = allowed_helpers(rt, t);
    memset(&p->stats, 0, sizeof p->stats);
    /* the facts of the verification just done are still in the work arena: kept if the slot has
     * room, and used to pre-decode the program for the interpreter if it has room for that */
    p->facts_kept = 0;
    p->interp_ready = 0;
#if MBPF_WITH_BYTECODE
    if (s->kind != MBPF_RT_ENGINE_AOT) {
        rt_work w = rt_work_split(rt, &p->prog, p->cert != NULL);
        if (p->facts && p->facts_cap >= p->prog.n_insns) {
            for (uint32_t i = 0; i < p->prog.n_insns; i++)
                p->facts[i] = w.facts[i];
            p->facts_kept = 1;
        }
#if MBPF_WITH_INTERP
        if (p->interp_code && mbpf_interp_prepare(&p->prog, w.facts, p->interp_code, p->interp_cap) == 0)
            p->interp_ready = 1;
#endif
    }
#endif
    if (s->kind == MBPF_RT_ENGINE_AOT) { /* no key: the cache never looks an image up */
        p->stats.engine = MBPF_RT_ENGINE_AOT;
        p->stats.code_bytes = s->aot_code_len;
    } else {
#if MBPF_RT_WITH_JIT
        make_key(rt, &p->prog, t, p->key);
#endif
        p->stats.engine = rt_jit_enabled(rt) ? MBPF_RT_ENGINE_JIT : MBPF_RT_ENGINE_INTERP;
    }
    p->rt = rt;
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    p->fn = s->kind == MBPF_RT_ENGINE_AOT ? mbpf_jit_entry(s->aot_code, s->aot_entry) : NULL;
#endif
    p->loaded = 1;
    prepare_exec(rt, p); /* for its first run */
}

/* p runs nothing from now on, and the cache keeps no pointer to it. */
static void unload(mbpf_runtime *rt, mbpf_prog *p)
{
    if (rt) {
        rt_cache_forget(rt, p); /* an eviction must not write the statistics of a slot given back */
#if MBPF_RT_WITH_JIT
        if (rt->exec_for == p)
            rt->exec_for = NULL; /* nor the cache read it (rt_cache_note_use): it may be reused */
#endif
        rt->ready = RT_IDLE; /* whichever slot it was open for: opened again at its next run */
    }
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    p->fn = NULL;
#endif
    p->loaded = 0;
}

static int load_common(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const uint8_t *buf,
                       size_t len, mbpf_rt_error *err)
{
    staged s;
    memset(&s, 0, sizeof s);
    int rc = stage(rt, p, t, buf, len, &s, err);
    if (rc)
        return rc;
    install(rt, p, t, &s);
#if MBPF_RT_WITH_JIT
    /* failure is not an error: the program will be interpreted, or without an interpreter it
     * does not load */
    if (s.kind != MBPF_RT_ENGINE_AOT && rt_jit_enabled(rt) && (rt->cfg.flags & MBPF_RT_TRANSLATE_AT_LOAD) &&
        !rt_cache_load(rt, p) && !MBPF_WITH_INTERP) {
        unload(rt, p);
        return fail(rt, err, MBPF_RT_ERR_NOMEM, "runtime: translation failed (code or work arena "
                    "too small) and this build has no interpreter");
    }
    arm(rt, p); /* its code, or the interpreter when the translation failed */
#endif
    rt_trust_commit(rt, s.hook, s.version); /* a program that did not load sets no minimum version */
    return fail(rt, err, MBPF_RT_OK, NULL);
}

static const char busy_msg[] = MSG_RT_BUSY;

int mbpf_rt_load(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const uint8_t *buf,
                 size_t len, mbpf_rt_error *err)
{
    if (rt && rt_busy(rt))
        return fail(rt, err, MBPF_RT_ERR_BUSY, busy_msg); /* p may be the running program */
    if (p)
        unload(rt, p);
    return load_common(rt, p, t, buf, len, err);
}

int mbpf_rt_replace(mbpf_runtime *rt, mbpf_prog *p, const uint8_t *buf, size_t len,
                    mbpf_rt_error *err)
{
    if (rt && rt_busy(rt))
        return fail(rt, err, MBPF_RT_ERR_BUSY, busy_msg);
    if (!p || !p->loaded)
        return fail(rt, err, MBPF_RT_ERR_ARG, MSG_RT_REPLACE);
    uint32_t swaps = p->stats.swaps;
    int rc = load_common(rt, p, p->tenant, buf, len, err);
    if (rc == MBPF_RT_OK)
        p->stats.swaps = swaps + 1;
    return rc;
}

int mbpf_rt_unload(mbpf_runtime *rt, mbpf_prog *p)
{
    if (!rt || !p)
        return MBPF_RT_ERR_ARG;
    if (rt_busy(rt)) {
        rt->last_msg = busy_msg;
        return MBPF_RT_ERR_BUSY;
    }
    unload(rt, p);
    return MBPF_RT_OK;
}

/* mbpf_rt_run without a loaded program or from inside a run: nothing runs. */
RT_FAULT_PATH mbpf_status refuse_run(mbpf_fault *fault)
{
    if (fault)
        memset(fault, 0, sizeof *fault);
    return MBPF_FAULT_BAD_INSN;
}

/* The end of a run that faulted: statistics and the caller's outputs. The slot's state goes
 * back to what the next run expects (status MBPF_OK, every fault word 0: engines write only the
 * words a fault has). */
static mbpf_status run_fault(mbpf_runtime *rt, mbpf_prog *p, mbpf_status st, uint64_t *r0,
                             mbpf_fault *fault)
{
    p->stats.faults++;
    if (st == MBPF_FAULT_BUDGET)
        p->stats.budget_stops++;
    if (r0)
        *r0 = 0;
    if (fault)
        *fault = rt->exec.fault;
    rt->exec.status = MBPF_OK;
    rt->exec.fault.pc = 0;
    rt->exec.fault.size = 0;
    rt->exec.fault.addr = 0;
    return st;
}

/* The end of a fast-lane run whose entry returned `status` != 0: the interpreter's (its exec
 * holds the fault), or code's (the block holds it; a helper's early stop is no fault). The lane
 * opens again; while it was busy its word held the caller's fault pointer. */
RT_FAULT_PATH mbpf_status lane_end(uint32_t status, mbpf_runtime *rt, uint64_t *r0)
{
    mbpf_prog *const p = (mbpf_prog *)(uintptr_t)rt->exec_for;
    mbpf_fault *const fault = (mbpf_fault *)rt->ready;
    rt->ready = (uintptr_t)p;
#if MBPF_WITH_INTERP
    if (lane_interprets(rt))
        return run_fault(rt, p, (mbpf_status)status, r0, fault);
#endif
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    const mbpf_status st = mbpf_jit_block_end(&rt->block, &rt->exec, status);
    if (st != MBPF_OK)
        return run_fault(rt, p, st, r0, fault);
    if (r0)
        *r0 = rt->exec.r0;
    return MBPF_OK;
#else
    return run_fault(rt, p, (mbpf_status)status, r0, fault);
#endif
}

RT_INLINE uint64_t lane_r0(const mbpf_runtime *rt)
{
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    return (uint64_t)rt->block.r0_hi << 32 | rt->block.r0_lo;
#else
    return rt->exec.r0;
#endif
}

/* A run of a slot the fast lane is not open for: another slot ran last, the slot is not loaded
 * here, the runtime was initialised again since its load (its code pointer may then be stale),
 * or its cache entry no longer holds its code (looked up again, or translated now; interpreted
 * when that fails). The run itself then goes through the lane. */
RT_OUT_OF_LINE mbpf_status run_other(mbpf_runtime *rt, mbpf_prog *p, void *ctx, uint32_t ctx_len,
                                     uint64_t *r0, mbpf_fault *fault)
{
    if (!rt || !p || rt_busy(rt) || !p->loaded || p->rt != rt)
        return refuse_run(fault);
#if MBPF_RT_WITH_JIT
    if (p->kind != MBPF_RT_ENGINE_AOT && !rt_cache_holds(rt, p))
        rt_cache_forget(rt, p); /* the code it called is gone (an init since its load) */
#endif
    prepare_exec(rt, p); /* and the lane opened for it, if it has something to call */
#if MBPF_RT_WITH_JIT
    if (rt->ready != (uintptr_t)p && p->kind != MBPF_RT_ENGINE_AOT && !p->no_jit) {
        const int found = rt_cache_get(rt, p) != NULL; /* a hit or a miss, counted there */
        if (found)
            p->stats.engine = MBPF_RT_ENGINE_JIT;
        arm(rt, p); /* its code, or the interpreter when the translation failed for good */
        if (found) { /* this run's lookup is counted: the lane counts no hit for it */
            rt->lane_hits = 0;
            const mbpf_status st = mbpf_rt_run(rt, p, ctx, ctx_len, r0, fault);
            rt->lane_hits = 1;
            return st;
        }
    }
#endif
    if (rt->ready == (uintptr_t)p)
        return mbpf_rt_run(rt, p, ctx, ctx_len, r0, fault);
#if MBPF_WITH_BYTECODE
    /* bytecode that neither translates nor has an interpreter here: it does not run */
    p->stats.runs++;
    return run_fault(rt, p, MBPF_FAULT_BAD_INSN, r0, fault);
#else
    return refuse_run(fault); /* AOT images only: a loaded slot always has code to call */
#endif
}

/* A run does what depends on the call: the context, the budget of the moment (the tenant's,
 * read at every run by the code that spends it and by the interpreter's lane), the
 * statistics and the call of what the lane was opened with (arm).
 * Everything else was prepared at load or when the slot last became the one prepared; the
 * exec, which only the routines translated code calls read, is filled by them when needed. */
mbpf_status mbpf_rt_run(mbpf_runtime *rt, mbpf_prog *p, void *ctx, uint32_t ctx_len, uint64_t *r0,
                        mbpf_fault *fault)
{
    if (!rt || rt->ready != (uintptr_t)p) /* never a NULL p: an idle lane holds RT_IDLE */
        return run_other(rt, p, ctx, ctx_len, r0, fault);
    /* busy: the lane's word holds the caller's fault pointer until the run is over (no slot's
     * address, nor RT_IDLE, see rt_busy; read by the end of a fault, where a frame slot would
     * cost a store and a load) */
    rt->ready = (uintptr_t)fault;
    /* the tenant's budget and a length without a context are left to whatever reads them (the
     * code's prologue, through the block's budget_at; the interpreter's lane) */
    uint32_t status = rt->fast_fn(FAST_ARG(rt), (uintptr_t)ctx, ctx_len);
    /* p is exec_for (nothing loads or unloads during a run): read again rather than kept
     * across the call, a register less to save; the run is counted once it is over */
    p = (mbpf_prog *)(uintptr_t)rt->exec_for;
    const uint32_t runs = p->stats.runs, hits = p->stats.cache_hits; /* adjacent: one load */
    p->stats.runs = runs + 1;
    p->stats.cache_hits = hits + rt->lane_hits;
    if (r0) /* the block's r0 whatever the status: the end of a fault writes *r0 again */
        *r0 = lane_r0(rt);
    if (status != MBPF_OK)
        return lane_end(status, rt, r0);
    rt->ready = (uintptr_t)p; /* open again */
    RT_AS_IS(status);
    return (mbpf_status)status;
}

const char *mbpf_rt_last_message(const mbpf_runtime *rt)
{
    return rt && rt->last_msg ? rt->last_msg : "";
}

const char *mbpf_rt_engine_name(uint8_t engine)
{
    static const char names[][7] = {
        [MBPF_RT_ENGINE_NONE] = "none",
        [MBPF_RT_ENGINE_INTERP] = "interp",
        [MBPF_RT_ENGINE_JIT] = "jit",
        [MBPF_RT_ENGINE_AOT] = "aot",
    };
    return names[engine <= MBPF_RT_ENGINE_AOT ? engine : MBPF_RT_ENGINE_NONE];
}

const char *mbpf_rt_error_name(int code)
{
    /* the names of MBPF_RT_OK, MBPF_RT_ERR_ARG (-1) ... MBPF_RT_ERR_BUSY (-9), then of any other
     * code, one after the other in one string: no table of pointers */
    static const char names[] = "ok\0bad argument\0bad format\0rejected by the verifier\0"
                                "wrong target\0not permitted\0out of memory\0signature refused\0"
                                "wrong hook or rollback\0not allowed during a run\0unknown error";
    int k = code <= MBPF_RT_OK && code >= MBPF_RT_ERR_BUSY ? -code : 1 - MBPF_RT_ERR_BUSY;
    const char *n = names;
    while (k--)
        while (*n++)
            ;
    return n;
}
