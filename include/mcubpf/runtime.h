/* The on-device runtime: what a firmware embeds to load, verify, translate, cache and run
 * eBPF programs of several tenants. Freestanding C99, no malloc: every byte comes from the
 * embedder (the runtime object, a code arena, a work arena, per-program and per-tenant buffers).
 * Not reentrant: one load or run at a time (call it from one thread, or lock around it). From
 * inside a run (a helper), load, replace, unload and run fail with MBPF_RT_ERR_BUSY / a fault.
 * Guide: docs/runtime.md. */
#ifndef MCUBPF_RUNTIME_H
#define MCUBPF_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/config.h" /* build options: MBPF_RT_WITH_JIT, MBPF_WITH_BYTECODE, ... */
#include "mcubpf/jit.h"
#include "mcubpf/sign.h"
#include "mcubpf/vm.h"

#ifndef MBPF_RT_MAX_HELPERS
#define MBPF_RT_MAX_HELPERS 16 /* helper ids 0..15; id 0 is never a helper */
#endif
#ifndef MBPF_RT_CACHE_ENTRIES
#define MBPF_RT_CACHE_ENTRIES 8 /* translated programs kept at once (entries in the code arena) */
#endif

/* The target whose code this build can execute (MBPF_TARGET_NONE on the host). */
#if defined(__arm__) && defined(__thumb2__)
#define MBPF_RT_NATIVE_TARGET MBPF_TARGET_THUMB2
#elif defined(__riscv) && __riscv_xlen == 32
#define MBPF_RT_NATIVE_TARGET MBPF_TARGET_RV32IMC
#else
#define MBPF_RT_NATIVE_TARGET MBPF_TARGET_NONE
#endif

/* Engines (mbpf_prog_stats.engine). */
#define MBPF_RT_ENGINE_NONE 0
#define MBPF_RT_ENGINE_INTERP 1
#define MBPF_RT_ENGINE_JIT 2
#define MBPF_RT_ENGINE_AOT 3

/* Load errors (mbpf_rt_error.code). */
#define MBPF_RT_OK 0
#define MBPF_RT_ERR_ARG (-1)        /* a NULL or inconsistent argument */
#define MBPF_RT_ERR_FORMAT (-2)     /* not a container/image, corrupted, or hash mismatch */
#define MBPF_RT_ERR_VERIFY (-3)     /* the verifier rejected the bytecode */
#define MBPF_RT_ERR_TARGET (-4)     /* AOT image for another target, or no native engine here */
#define MBPF_RT_ERR_PERMISSION (-5) /* AOT refused by policy, or it imports a helper outside the
                                     * tenant's mask */
#define MBPF_RT_ERR_NOMEM (-6)      /* program data larger than the slot's buffer, work arena too
                                     * small */
#define MBPF_RT_ERR_SIGNATURE (-7)  /* unsigned where a signature is required, altered, signed
                                     * by a key not registered (include/mcubpf/sign.h) */
#define MBPF_RT_ERR_RELEASE (-8)    /* built for another hook, or older than the version loaded
                                     * for its hook (rollback) */
#define MBPF_RT_ERR_BUSY (-9)       /* called from inside a run (a helper): the running program's
                                     * code, data and stack must not change under it */

typedef struct mbpf_rt_error {
    int code;        /* MBPF_RT_ERR_* */
    uint32_t pc;     /* instruction the error is about (verifier errors) */
    const char *msg; /* static reason; for verifier errors the full line is
                      * mbpf_rt_last_message() */
} mbpf_rt_error;

/* Policy flags (mbpf_rt_config.flags). */
#define MBPF_RT_TRANSLATE_AT_LOAD 0x1 /* translate when loading; otherwise at the first run */
#define MBPF_RT_ALLOW_AOT 0x2         /* accept AOT images signed by a registered key
                                       * (docs/trust-model.md) */
#define MBPF_RT_NO_JIT 0x4            /* always interpret bytecode */
#define MBPF_RT_ALLOW_UNSIGNED_AOT 0x8 /* with ALLOW_AOT: unsigned images too, for a firmware that
                                        * authenticates them itself (built into its image) */
#define MBPF_RT_REQUIRE_SIGNED 0x10   /* containers too need a signature by a registered key */
#define MBPF_RT_STRICT 0x20           /* refuse bytecode whose memory accesses are not all proven
                                       * in bounds (no run-time guards) */

struct mbpf_runtime;

/* Embedder services the default helpers use (any may be NULL). */
typedef struct mbpf_rt_services {
    void (*log_write)(void *user, const char *line, uint32_t len); /* one formatted line */
    uint32_t (*now_ms)(void *user);
    int (*sensor_read)(void *user, uint32_t channel, int32_t *value); /* 0 = ok */
    void *user;
} mbpf_rt_services;

/* Key/value store (helpers MBPF_HELPER_KV_*): fixed entries from the embedder, one namespace per
 * tenant plus a global one. Each namespace holds at most mbpf_rt_config.kv_quota entries, so
 * that no tenant can fill the table for the others. */
typedef struct mbpf_kv_entry {
    uint32_t ns; /* 0 = free, MBPF_KV_NS_GLOBAL, or tenant id + 1 */
    uint32_t key;
    uint64_t value;
} mbpf_kv_entry;
#define MBPF_KV_NS_GLOBAL 0xffffffffu
/* Tenant ids 0xfffffffe and 0xffffffff are reserved (their namespace would be the global one or
 * the free marker): mbpf_rt_load refuses them. */
#define MBPF_RT_TENANT_ID_MAX 0xfffffffdu

typedef struct mbpf_kv {
    mbpf_kv_entry *entries;
    uint32_t cap;
} mbpf_kv;

/* Quota of a namespace whose quota is left 0: a quarter of the store (at least one entry). */
#define MBPF_KV_DEFAULT_QUOTA(cap) ((cap) / 4u ? (cap) / 4u : 1u)

typedef struct mbpf_rt_config {
    mbpf_target target;     /* translation target; MBPF_TARGET_NONE: interpreter only */
    uint32_t flags;         /* MBPF_RT_* policy flags */
    uint8_t *code;          /* code arena for translated programs (RAM the CPU may execute) */
    uint32_t code_len;
    void *work;             /* verifier/translator scratch, 8-byte aligned */
    size_t work_len;        /* mbpf_rt_work_size(largest program) */
    mbpf_kv *kv;            /* NULL: the kv helpers fail with -1 */
    uint32_t kv_quota;      /* entries one namespace (a tenant's, the global one) may hold;
                             * 0 = MBPF_KV_DEFAULT_QUOTA(kv->cap) */
    mbpf_rt_services services;
} mbpf_rt_config;

/* A tenant: who owns a program, what it may call and where its stack lives. Embedder storage;
 * must outlive its programs. */
typedef struct mbpf_tenant {
    uint32_t id;          /* distinct per tenant: selects its kv namespace; at most
                           * MBPF_RT_TENANT_ID_MAX */
    uint32_t helper_mask; /* bit n: helper id n allowed */
    uint32_t ctx_flags;   /* MBPF_REGION_R | MBPF_REGION_W: access to the contexts it is given */
    uint8_t *stack;       /* its eBPF stack: MBPF_STACK_SIZE per call level, up to
                           * MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH */
    uint32_t stack_len;
    uint64_t budget;      /* budget units per run (rules in vm.h, constant in docs/runtime.md);
                           * 0 = unlimited */
} mbpf_tenant;

typedef struct mbpf_prog_stats {
    uint32_t runs;
    uint32_t cache_hits;   /* runs of its translated code found in the cache (next to runs: a
                            * run counts both at once) */
    uint32_t faults, budget_stops;
    uint32_t cache_misses, evictions; /* evictions: of this program's code */
    uint32_t fallbacks; /* runs in the interpreter because translation failed */
    uint32_t code_bytes; /* translated or AOT code size */
    uint32_t swaps;      /* hot swaps into this slot */
    uint8_t engine;      /* MBPF_RT_ENGINE_* of the last run (or the one planned after load) */
} mbpf_prog_stats;

/* A program slot. The embedder provides `data` (RAM for the program's .data/.bss, kept between
 * runs) before loading, and optionally `facts` (4 bytes per instruction): with them the verifier's
 * facts are kept, so that the interpreter lets loops proven bounded run without budget exactly as
 * translated code does, and a re-translation after an eviction needs no new verification, and
 * `hook`, the attach point the slot serves (0 unless the embedder numbers its hooks). Everything
 * else belongs to the runtime. The container or image buffer must stay valid and
 * unchanged while the program is loaded (bytecode and AOT code run in place). */
typedef struct mbpf_prog {
    uint8_t *data;
    uint32_t data_cap;
    mbpf_fact *facts;     /* optional */
    uint32_t facts_cap;   /* entries */
    uint32_t hook;        /* the hook this slot serves: programs must be built for it (--hook) */
    void *interp_code;    /* optional, 4-byte aligned: room for the interpreter's pre-decoded form
                           * (mbpf_rt_interp_need); without it, or when it is too small, the
                           * interpreter decodes each instruction as it runs (slower) */
    uint32_t interp_cap;  /* bytes */
    uint8_t facts_kept;   /* runtime-owned: facts hold this program's */
    uint8_t interp_ready; /* runtime-owned: interp_code holds this program pre-decoded */
    /* runtime-owned */
    const mbpf_tenant *tenant;
    struct mbpf_runtime *rt; /* the runtime it is loaded in (helpers reach it through the run) */
    mbpf_program prog;
    uint32_t key[4];      /* cache key: SHA-256 of bytecode, target and options, truncated */
    uint8_t kind;         /* MBPF_RT_ENGINE_INTERP (bytecode) or MBPF_RT_ENGINE_AOT */
    uint8_t no_jit;       /* bytecode is interpreted: no translation here, or it failed for good */
    uint8_t loaded;
    struct mbpf_rt_cache_entry *cache_entry; /* of the last translated run, NULL none */
    struct mbpf_prog *next_user; /* the next slot running the same cache entry's code */
    const uint8_t *cert;  /* its container's verifier certificate (NULL: none) */
    uint32_t cert_len;
    uint32_t helper_mask;  /* the runtime's helpers the tenant may call, as at its load: the
                            * others are unknown to its runs */
    mbpf_prog_stats stats;
    /* Prepared at load: the code a run calls. A loaded slot must not be moved or copied (the
     * runtime's execution state points into it). */
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    /* What a run calls (mbpf_jit_fn): AOT, the image's entry; bytecode, the entry of the cache
     * entry holding its code, kept current by the cache (NULL once evicted); NULL unloaded. */
    uint32_t (*fn)(mbpf_jit_block *b, uint32_t ctx, uint32_t ctx_len);
#endif
} mbpf_prog;

/* A code cache entry: in the code arena (packed from its start, 8-byte aligned), right before
 * the code it describes, not in the runtime object. */
typedef struct mbpf_rt_cache_entry {
    uint32_t key[4];
    uint32_t len, entry;      /* the code after the entry: len bytes (a multiple of 8), entry
                               * point at entry (the slots running it keep it callable,
                               * mbpf_prog.fn) */
    uint32_t last_use;        /* LRU clock */
    mbpf_prog *owner;         /* program that translated it (charged with its eviction) */
    mbpf_prog *users;         /* slots whose fn is this code (list through next_user) */
} mbpf_rt_cache_entry;

typedef struct mbpf_runtime {
    /* First, where the run path reaches them with the shortest instructions. The fast lane:
     * the address of the slot whose run state is prepared (exec_for, below) and whose code (or
     * the interpreter's entry) fast_fn is; while a run is under way, the caller's fault
     * pointer (the reentrancy guard: never a slot's address); 1 when no slot is ready.
     * fast_fn is called as mbpf_prog.fn (ctx is as wide as a pointer: 32 bits where code runs;
     * ctx_len whatever the caller gave, even without a context: the code drops it then). */
    uintptr_t ready;
    uint32_t (*fast_fn)(mbpf_jit_block *b, uintptr_t ctx, uint32_t ctx_len);
    const struct mbpf_prog *exec_for;
    uint32_t lane_hits;       /* what a run in the lane adds to cache_hits: 1 for translated code */
    mbpf_rt_config cfg;
    mbpf_helper_fn helpers[MBPF_RT_MAX_HELPERS];
#if MBPF_RT_WITH_JIT /* the code cache (its entries are in the code arena) */
    uint32_t code_used;       /* code arena bytes in use, entries and code packed from its start */
    uint32_t clock;
#endif
    const char *last_msg;     /* detail of the last load error (in the work arena or static) */
    mbpf_rt_trust trust;      /* keys, signature check, rollback records (mcubpf/sign.h) */
    /* The state of runs: one at a time, so one for every slot, prepared for exec_for (at its
     * load) and again when another slot runs: the execution state (program, tenant's stack,
     * helper table and the slot's mask) and, with translated code, the block it reads
     * (regions, routines). */
    mbpf_exec exec;
#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
    mbpf_jit_block block;
#endif
} mbpf_runtime;

/* Work arena bytes enough for any program of up to n_insns instructions (worst case: every
 * instruction a jump), and the bytes program p needs (usually much less): with a certificate
 * (has_cert) the one-pass checker's, else the full verifier's. The load error names them too. */
size_t mbpf_rt_work_size(uint32_t n_insns);
size_t mbpf_rt_work_need(const mbpf_program *p, int has_cert);

/* Bytes of mbpf_prog.interp_code enough for the pre-decoded form of any program of up to n_insns
 * instructions (12 per instruction and per charged back edge, plus loop-head records and a
 * header); the form a program really takes is usually 13 bytes per instruction. */
size_t mbpf_rt_interp_size(uint32_t n_insns);

/* Initialise rt with cfg (copied). Returns MBPF_RT_OK or MBPF_RT_ERR_ARG. */
int mbpf_rt_init(mbpf_runtime *rt, const mbpf_rt_config *cfg);

/* Register helper fn under id (1..MBPF_RT_MAX_HELPERS-1); before loading the programs that use
 * it (a program may call the ids registered when it loaded; loaded programs call whatever fn
 * the id has). Returns MBPF_RT_OK or MBPF_RT_ERR_ARG. */
int mbpf_rt_register_helper(mbpf_runtime *rt, uint32_t id, mbpf_helper_fn fn);

/* Register the default helper set (ids MBPF_HELPER_*, include/mcubpf/helpers.h). */
void mbpf_rt_register_default_helpers(mbpf_runtime *rt);

/* Load a bytecode container (verified here) or an AOT image (if MBPF_RT_ALLOW_AOT) into slot p
 * for tenant t. A signature block is checked first (include/mcubpf/sign.h), then the program's
 * hook must be p->hook and its version not older than the last one loaded for that hook. On
 * failure p is left unloaded and err says why. */
int mbpf_rt_load(mbpf_runtime *rt, mbpf_prog *p, const mbpf_tenant *t, const uint8_t *buf,
                 size_t len, mbpf_rt_error *err);

/* Hot swap: load buf into p in place of its current program. The new program is checked first;
 * on failure the old one stays loaded and keeps running. Stats restart (swaps counts). */
int mbpf_rt_replace(mbpf_runtime *rt, mbpf_prog *p, const uint8_t *buf, size_t len,
                    mbpf_rt_error *err);

/* Run p with context [ctx, ctx+ctx_len) (r1, r2) and the budget p's tenant has now. Returns the
 * status; *r0 (may be NULL) receives the result (0 after a fault), *fault (may be NULL; never
 * the address of an mbpf_prog: the runtime keeps it where it keeps the prepared slot's while the
 * run is under way) where a fault happened: it is written only when the status is not MBPF_OK.
 * Without a loaded program, or from inside another run, nothing runs and the status is
 * MBPF_FAULT_BAD_INSN. Everything
 * that does not depend on the call was prepared at load: a run of translated or AOT code costs
 * a few dozen instructions besides the program's own (docs/runtime.md). */
mbpf_status mbpf_rt_run(mbpf_runtime *rt, mbpf_prog *p, void *ctx, uint32_t ctx_len, uint64_t *r0,
                        mbpf_fault *fault);

/* Unload p (its cached code stays until evicted: another program may share it; the runtime keeps
 * no pointer to p afterwards). MBPF_RT_OK, MBPF_RT_ERR_ARG, or MBPF_RT_ERR_BUSY from inside a
 * run (p then stays loaded). */
int mbpf_rt_unload(mbpf_runtime *rt, mbpf_prog *p);

/* The full message of the last load error: a verifier line ("verify: insn 12 (...): ...") or the
 * static reason. Valid until the next load. */
const char *mbpf_rt_last_message(const mbpf_runtime *rt);

/* For helpers: the runtime, program and tenant of the run x belongs to (a run's
 * mbpf_exec.user is its slot). Inline: helpers ask on every call. */
static inline mbpf_runtime *mbpf_rt_of(const mbpf_exec *x)
{
    return ((const mbpf_prog *)x->user)->rt;
}

static inline const mbpf_tenant *mbpf_rt_tenant_of(const mbpf_exec *x)
{
    return ((const mbpf_prog *)x->user)->tenant;
}

/* The code cache's entries, in arena order: the first with e NULL, then the one after e; NULL
 * after the last (and always in builds without a translator). */
const mbpf_rt_cache_entry *mbpf_rt_cache_next(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e);

/* Static name of an engine ("interp", "jit", "aot") and of a load error. */
const char *mbpf_rt_engine_name(uint8_t engine);
const char *mbpf_rt_error_name(int code);

#endif
