/* The code cache: translated programs packed from the start of the code arena, each right after
 * its entry (key, size, entry point, last use, owner, users), at most MBPF_RT_CACHE_ENTRIES of
 * them, least-recently-used eviction. The entries live in the arena the embedder gives for code,
 * not in the runtime object. Translated code is position independent (it reaches everything
 * through its block), so evicting an entry slides the later ones down, entries and code. */
#include <string.h>

#include "runtime/rt_internal.h"

#if MBPF_RT_WITH_JIT

/* An entry's bytes in the arena before its code: code stays 8-byte aligned. */
#define ENTRY_BYTES ((uint32_t)((sizeof(mbpf_rt_cache_entry) + 7u) & ~7u))

/* The arena's start, 8-byte aligned, and the bytes from there that whole records can use. */
static uint8_t *arena(const mbpf_runtime *rt)
{
    return (uint8_t *)(((uintptr_t)rt->cfg.code + 7u) & ~(uintptr_t)7u);
}

static uint32_t arena_cap(const mbpf_runtime *rt)
{
    const uint32_t skip = (uint32_t)(arena(rt) - rt->cfg.code);
    return rt->cfg.code_len > skip ? (rt->cfg.code_len - skip) & ~7u : 0;
}

static uint8_t *code_of(const mbpf_rt_cache_entry *e)
{
    return (uint8_t *)(uintptr_t)e + ENTRY_BYTES;
}

/* The entry at arena offset off, NULL at the end of the records in use. */
static mbpf_rt_cache_entry *entry_at(const mbpf_runtime *rt, uint32_t off)
{
    return off < rt->code_used ? (mbpf_rt_cache_entry *)(void *)(arena(rt) + off) : NULL;
}

static uint32_t offset_of(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e)
{
    return (uint32_t)((const uint8_t *)e - arena(rt));
}

const mbpf_rt_cache_entry *mbpf_rt_cache_next(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e)
{
    return entry_at(rt, e ? offset_of(rt, e) + ENTRY_BYTES + e->len : 0);
}

static mbpf_rt_cache_entry *next(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e)
{
    return (mbpf_rt_cache_entry *)(uintptr_t)mbpf_rt_cache_next(rt, e);
}

static int same_key(const uint32_t a[4], const uint32_t b[4])
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static mbpf_rt_cache_entry *find(const mbpf_runtime *rt, const mbpf_prog *p)
{
    for (mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        if (same_key(e->key, p->key))
            return e;
    return NULL;
}

/* The callable entry point of e's code where it is now. */
static mbpf_jit_fn entry_fn(const mbpf_rt_cache_entry *e)
{
    return mbpf_jit_entry(code_of(e), e->entry);
}

/* Take p out of the user list it is in, if any. */
static void unlink_user(mbpf_runtime *rt, const mbpf_prog *p)
{
    for (mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        for (mbpf_prog **u = &e->users; *u; u = &(*u)->next_user)
            if (*u == p) {
                *u = p->next_user;
                return;
            }
}

/* Remove entry e and close the gap it leaves in the arena. */
static void evict(mbpf_runtime *rt, mbpf_rt_cache_entry *e)
{
    uint8_t *const a = arena(rt);
    const uint32_t off = offset_of(rt, e), size = ENTRY_BYTES + e->len, end = off + size;
    /* the fast lane holds a copy of a slot's entry: closed, whichever slot it is open for (the
     * callers open it again for the slot they translate for, from its updated code pointer) */
    rt->ready = RT_IDLE;
    if (e->owner)
        e->owner->stats.evictions++;
    for (mbpf_prog *u = e->users; u; u = u->next_user) {
        u->fn = NULL; /* its next run looks the code up again (a miss) */
        u->cache_entry = NULL;
    }
    const uint32_t moved = rt->code_used - end;
    rt->code_used -= size;
    if (!moved)
        return;
    memmove(a + off, a + end, moved);
    /* the slots running the entries that slid down follow them */
    for (mbpf_rt_cache_entry *m = entry_at(rt, off); m; m = next(rt, m))
        for (mbpf_prog *u = m->users; u; u = u->next_user) {
            u->cache_entry = m;
            u->fn = entry_fn(m);
        }
    mbpf_jit_sync_code(a + off, moved);
}

void rt_cache_note_use(mbpf_runtime *rt)
{
    const mbpf_prog *p = rt->exec_for;
    if (p && p->cache_entry)
        p->cache_entry->last_use = ++rt->clock;
}

static mbpf_rt_cache_entry *least_recent(mbpf_runtime *rt)
{
    mbpf_rt_cache_entry *lru = NULL;
    rt_cache_note_use(rt);
    for (mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        if (!lru || e->last_use < lru->last_use)
            lru = e;
    return lru;
}

static uint32_t n_entries(const mbpf_runtime *rt)
{
    uint32_t n = 0;
    for (const mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        n++;
    return n;
}

static uint32_t align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* fresh: the work arena holds p's facts from the verification just done. */
static mbpf_rt_cache_entry *translate(mbpf_runtime *rt, mbpf_prog *p, int fresh)
{
    rt_work w = rt_work_split(rt, &p->prog, p->cert != NULL);
    const mbpf_fact *facts = w.facts;
    if (!w.ok)
        return NULL;
    if (p->facts_kept)
        facts = p->facts;
    else if (!fresh && rt_verify(rt, &p->prog, p->tenant, p->cert, p->cert_len, &w))
        return NULL; /* facts not kept: verify again rather than spend RAM on them */
    if (n_entries(rt) >= MBPF_RT_CACHE_ENTRIES)
        evict(rt, least_recent(rt));
    const uint32_t cap = arena_cap(rt);
    for (;;) {
        const uint32_t off = rt->code_used, code_off = off + ENTRY_BYTES; /* both 8-aligned */
        uint8_t *const code = arena(rt) + code_off;
        mbpf_jit_result jr;
        int rc = code_off < cap ? mbpf_jit_translate(rt->cfg.target, &p->prog, facts, NULL, code,
                                                     cap - code_off, w.scratch, w.scratch_len, &jr)
                                : MBPF_JIT_ERR_NOSPACE;
        if (rc == MBPF_JIT_OK) {
            mbpf_rt_cache_entry *e = (mbpf_rt_cache_entry *)(void *)(arena(rt) + off);
            memcpy(e->key, p->key, sizeof e->key);
            e->len = align8(jr.code_len); /* within cap: cap and code_off are 8-aligned */
            e->entry = jr.entry_off;
            e->last_use = 0;
            e->owner = p;
            e->users = NULL;
            rt->code_used = code_off + e->len;
            mbpf_jit_sync_code(code_of(e), jr.code_len);
            p->stats.code_bytes = jr.code_len;
            return e;
        }
        if (rc != MBPF_JIT_ERR_NOSPACE)
            break;
        mbpf_rt_cache_entry *lru = least_recent(rt);
        if (!lru)
            break; /* does not fit even in the empty arena */
        evict(rt, lru);
    }
    p->no_jit = 1; /* same bytes, same arena: it would fail again */
    return NULL;
}

static const mbpf_rt_cache_entry *get(mbpf_runtime *rt, mbpf_prog *p, int fresh)
{
    mbpf_rt_cache_entry *e = find(rt, p);
    if (e) {
        p->stats.cache_hits++;
    } else {
        p->stats.cache_misses++;
        e = translate(rt, p, fresh);
        if (!e)
            return NULL;
    }
    e->last_use = ++rt->clock;
    /* the run path calls p->fn from now on, without a look at the cache, until e changes */
    unlink_user(rt, p);
    p->next_user = e->users;
    e->users = p;
    p->fn = entry_fn(e);
    p->cache_entry = e;
    return e;
}

int rt_cache_holds(const mbpf_runtime *rt, const mbpf_prog *p)
{
    if (!p->fn)
        return 1; /* nothing to hold */
    for (const mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        for (const mbpf_prog *u = e->users; u; u = u->next_user)
            if (u == p)
                return e == p->cache_entry;
    return 0;
}

void rt_cache_forget(mbpf_runtime *rt, mbpf_prog *p)
{
    if (rt->exec_for == p)
        rt_cache_note_use(rt); /* its entry stays; its last use is the slot's last run */
    for (mbpf_rt_cache_entry *e = next(rt, NULL); e; e = next(rt, e))
        if (e->owner == p)
            e->owner = NULL;
    unlink_user(rt, p);
    p->fn = NULL;
    p->cache_entry = NULL;
}

const mbpf_rt_cache_entry *rt_cache_get(mbpf_runtime *rt, mbpf_prog *p)
{
    return get(rt, p, 0);
}

const mbpf_rt_cache_entry *rt_cache_load(mbpf_runtime *rt, mbpf_prog *p)
{
    return get(rt, p, 1);
}
#else
const mbpf_rt_cache_entry *mbpf_rt_cache_next(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e)
{
    (void)rt;
    (void)e;
    return NULL; /* no translator, no cache */
}
#endif
