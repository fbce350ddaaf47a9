/* The code cache: translated programs packed from the start of the code arena, a fixed number
 * of entries, least-recently-used eviction. Translated code is position independent (it reaches
 * everything through its block), so evicting an entry slides the later ones down. */
#include <string.h>

#include "runtime/rt_internal.h"

#if MBPF_RT_WITH_JIT

static int same_key(const uint32_t a[4], const uint32_t b[4])
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static mbpf_rt_cache_entry *find(mbpf_runtime *rt, const mbpf_prog *p)
{
    mbpf_rt_cache_entry *e = p->cache_entry;
    if (e && e->len && same_key(e->key, p->key))
        return e;
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++) {
        e = &rt->cache[i];
        if (e->len && same_key(e->key, p->key))
            return e;
    }
    return NULL;
}

/* The callable entry point of e's code where it is now. */
static mbpf_jit_fn entry_fn(const mbpf_runtime *rt, const mbpf_rt_cache_entry *e)
{
    return mbpf_jit_entry(rt->cfg.code + e->off, e->entry);
}

/* The slots running e's code call fn from now on (NULL: e no longer holds their code). */
static void set_users_fn(mbpf_rt_cache_entry *e, mbpf_jit_fn fn)
{
    for (mbpf_prog *u = e->users; u; u = u->next_user)
        u->fn = fn;
}

/* Take p out of the user list it is in, if any. */
static void unlink_user(mbpf_runtime *rt, const mbpf_prog *p)
{
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++)
        for (mbpf_prog **u = &rt->cache[i].users; *u; u = &(*u)->next_user)
            if (*u == p) {
                *u = p->next_user;
                return;
            }
}

/* Remove entry e and close the gap it leaves in the arena. */
static void evict(mbpf_runtime *rt, mbpf_rt_cache_entry *e)
{
    uint32_t end = e->off + e->len;
    /* the fast lane holds a copy of a slot's entry: closed, whichever slot it is open for (the
     * callers open it again for the slot they translate for, from its updated code pointer) */
    rt->ready = RT_IDLE;
    if (e->owner)
        e->owner->stats.evictions++;
    for (mbpf_prog *u = e->users; u; u = u->next_user) {
        u->fn = NULL; /* its next run looks the code up again (a miss) */
        u->cache_entry = NULL;
    }
    if (end < rt->code_used) {
        memmove(rt->cfg.code + e->off, rt->cfg.code + end, rt->code_used - end);
        for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++)
            if (rt->cache[i].len && rt->cache[i].off >= end) {
                rt->cache[i].off -= e->len;
                set_users_fn(&rt->cache[i], entry_fn(rt, &rt->cache[i]));
            }
        mbpf_jit_sync_code(rt->cfg.code + e->off, rt->code_used - end);
    }
    rt->code_used -= e->len;
    memset(e, 0, sizeof *e);
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
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++) {
        mbpf_rt_cache_entry *e = &rt->cache[i];
        if (e->len && (!lru || e->last_use < lru->last_use))
            lru = e;
    }
    return lru;
}

static mbpf_rt_cache_entry *free_entry(mbpf_runtime *rt)
{
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++)
        if (!rt->cache[i].len)
            return &rt->cache[i];
    mbpf_rt_cache_entry *lru = least_recent(rt);
    evict(rt, lru);
    return lru;
}

static uint32_t align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* fresh: the work arena holds p's facts from the verification just done. */
static const mbpf_rt_cache_entry *translate(mbpf_runtime *rt, mbpf_prog *p, int fresh)
{
    rt_work w = rt_work_split(rt, &p->prog, p->cert != NULL);
    const mbpf_fact *facts = w.facts;
    if (!w.ok)
        return NULL;
    if (p->facts_kept)
        facts = p->facts;
    else if (!fresh && rt_verify(rt, &p->prog, p->tenant, p->cert, p->cert_len, &w))
        return NULL; /* facts not kept: verify again rather than spend RAM on them */
    mbpf_rt_cache_entry *e = free_entry(rt);
    for (;;) {
        uint32_t off = align8(rt->code_used);
        mbpf_jit_result jr;
        int rc = off < rt->cfg.code_len
                     ? mbpf_jit_translate(rt->cfg.target, &p->prog, facts, NULL, rt->cfg.code + off,
                                          rt->cfg.code_len - off, w.scratch, w.scratch_len, &jr)
                     : MBPF_JIT_ERR_NOSPACE;
        if (rc == MBPF_JIT_OK) {
            memcpy(e->key, p->key, sizeof e->key);
            e->off = off;
            e->len = align8(jr.code_len);
            e->entry = jr.entry_off;
            e->owner = p;
            rt->code_used = off + e->len;
            mbpf_jit_sync_code(rt->cfg.code + off, jr.code_len);
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
        e = (mbpf_rt_cache_entry *)translate(rt, p, fresh);
        if (!e)
            return NULL;
    }
    e->last_use = ++rt->clock;
    /* the run path calls p->fn from now on, without a look at the cache, until e changes */
    unlink_user(rt, p);
    p->next_user = e->users;
    e->users = p;
    p->fn = entry_fn(rt, e);
    p->cache_entry = e;
    return e;
}

int rt_cache_holds(const mbpf_runtime *rt, const mbpf_prog *p)
{
    if (!p->fn)
        return 1; /* nothing to hold */
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++)
        for (const mbpf_prog *u = rt->cache[i].users; u; u = u->next_user)
            if (u == p)
                return &rt->cache[i] == p->cache_entry;
    return 0;
}

void rt_cache_forget(mbpf_runtime *rt, mbpf_prog *p)
{
    if (rt->exec_for == p)
        rt_cache_note_use(rt); /* its entry stays; its last use is the slot's last run */
    for (uint32_t i = 0; i < MBPF_RT_CACHE_ENTRIES; i++)
        if (rt->cache[i].owner == p)
            rt->cache[i].owner = NULL;
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
#endif
