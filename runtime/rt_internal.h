/* Private glue between the runtime's files (rt.c, rt_cache.c, rt_helpers.c). */
#ifndef MCUBPF_RT_INTERNAL_H
#define MCUBPF_RT_INTERNAL_H

#include "mcubpf/runtime.h"
#include "mcubpf/verifier.h"

/* The work arena cut for a program of n instructions. */
typedef struct rt_work {
    mbpf_verify_result *res;
    mbpf_fact *facts;
    void *scratch;
    size_t scratch_len;
    size_t need; /* bytes the load needs (mbpf_rt_work_need) */
    int ok;      /* the arena is large enough */
} rt_work;

/* has_cert: the program comes with a verifier certificate (the one-pass checker's need). */
rt_work rt_work_split(mbpf_runtime *rt, const mbpf_program *p, int has_cert);

/* Verify prog for tenant t into w (facts, message): through cert (cert_len bytes) when not NULL,
 * else with the full verifier where the build has it. 0 when accepted. */
int rt_verify(mbpf_runtime *rt, const mbpf_program *prog, const mbpf_tenant *t, const uint8_t *cert,
              uint32_t cert_len, rt_work *w);

#if defined(__GNUC__)
#define RT_INLINE static inline __attribute__((always_inline))
#define RT_OUT_OF_LINE static __attribute__((noinline)) /* off the run path's fast path */
#else
#define RT_INLINE static inline
#define RT_OUT_OF_LINE static
#endif
/* The end of a run that faulted, called from several places in builds with bytecode: off the
 * fast path there; in an AOT-only build, where ROM is tightest, left to the compiler. */
#if MBPF_WITH_BYTECODE
#define RT_FAULT_PATH RT_OUT_OF_LINE
#else
#define RT_FAULT_PATH static
#endif

/* A value returned as it is in its register once tested: RV32 GCC would load the constant the
 * test proved instead; on Arm, where a status is a byte, the opaque value would cost a
 * zero-extension. */
#if defined(__riscv) && defined(__GNUC__)
#define RT_AS_IS(v) __asm__("" : "+r"(v))
#else
#define RT_AS_IS(v) ((void)0)
#endif

/* Bytecode gets translated (a target is configured and the policy allows it). */
RT_INLINE int rt_jit_enabled(const mbpf_runtime *rt)
{
    return MBPF_RT_WITH_JIT && rt->cfg.target != MBPF_TARGET_NONE && !(rt->cfg.flags & MBPF_RT_NO_JIT);
}

#if MBPF_RT_WITH_JIT || MBPF_WITH_AOT
#include "jit/jit_runtime.h"
#endif


/* The translated code of p: from the cache, or translated now (evicting least recently used
 * entries when the arena is full). NULL when p cannot be translated: interpret it. */
const mbpf_rt_cache_entry *rt_cache_get(mbpf_runtime *rt, mbpf_prog *p);
/* The same right after p was verified (its facts are still in the work arena). */
const mbpf_rt_cache_entry *rt_cache_load(mbpf_runtime *rt, mbpf_prog *p);

/* Does p's code pointer (if any) come from an entry of rt's cache that lists p among its users?
 * Not after rt was initialised again since p's load. */
int rt_cache_holds(const mbpf_runtime *rt, const mbpf_prog *p);

/* Drop every pointer the cache holds to p (entries it translated stay, owned by nobody) and
 * p's to the cache (p->fn NULL, no cache entry). */
#if MBPF_RT_WITH_JIT
void rt_cache_forget(mbpf_runtime *rt, mbpf_prog *p);
#else
static inline void rt_cache_forget(mbpf_runtime *rt, mbpf_prog *p)
{
    (void)rt;
    (void)p;
}
#endif

/* The fast lane's word when no slot is ready: no slot's address, nor NULL, nor a runtime's. */
#define RT_IDLE ((uintptr_t)1)

/* A run is under way. Between runs the fast lane's word is RT_IDLE or the prepared slot's
 * address (exec_for); during one it holds the caller's fault pointer, which is neither (it may
 * be NULL; it never points at the slot, which a fault would overwrite). */
RT_INLINE int rt_busy(const mbpf_runtime *rt)
{
    return rt->ready != RT_IDLE && rt->ready != (uintptr_t)rt->exec_for;
}

/* Note that rt->exec_for's cache entry is the one used last. Runs of the slot whose state is
 * prepared do not touch the cache: its entry is the most recently used one by definition (every
 * other entry's use, a lookup or a translation, comes after preparing that entry's slot, or
 * before preparing this one), so that noting it when the order is read (an eviction) or when
 * another slot is prepared or this one unloaded keeps the exact LRU order. */
#if MBPF_RT_WITH_JIT
void rt_cache_note_use(mbpf_runtime *rt);
#else
static inline void rt_cache_note_use(mbpf_runtime *rt)
{
    (void)rt;
}
#endif

/* Zero a word-aligned object with word stores (the size-optimised libc memset is a byte loop). */
void rt_zero(void *p, size_t bytes);

#endif
