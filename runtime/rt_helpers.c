/* The default helper set (include/mcubpf/helpers.h). Each helper trusts nothing it is given:
 * pointers are checked against the calling program's own regions with mbpf_exec_check, lengths
 * are bounded, and the tenant comes from the run, never from an argument. Work that grows with
 * an argument or with the kv store is charged to the run's budget (mbpf_exec_charge) before it
 * is done, at the costs helpers.h declares. */
#include <string.h>

#include "mcubpf/helpers.h"
#include "mcubpf/runtime.h"

static uint64_t refuse(mbpf_exec *x)
{
    mbpf_exec_stop(x, MBPF_FAULT_HELPER_ARG, 0);
    return 0;
}

static const mbpf_rt_services *services(const mbpf_exec *x)
{
    return &mbpf_rt_of(x)->cfg.services;
}

/* ---- log ---- */

typedef struct line {
    char buf[MBPF_LOG_LINE];
    uint32_t len;
} line;

static void put_char(line *l, char c)
{
    if (l->len < sizeof l->buf)
        l->buf[l->len++] = c;
}

/* v in base 10 or 16, digit by digit with 32-bit divisions only: base 10 divides the two halves
 * of v in 16-bit steps, so that no remainder shifted by 16 overflows. */
static void put_num(line *l, uint64_t v, unsigned base, int is_signed)
{
    if (is_signed && (int64_t)v < 0) {
        put_char(l, '-');
        v = 0 - v;
    }
    uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v, r;
    char tmp[20];
    int n = 0;
    do {
        if (base == 16) {
            r = lo & 15u;
            lo = lo >> 4 | hi << 28;
            hi >>= 4;
        } else {
            r = hi % 10u;
            hi /= 10u;
            uint32_t top = r << 16 | lo >> 16;
            r = top % 10u;
            uint32_t bottom = r << 16 | (lo & 0xffffu);
            r = bottom % 10u;
            lo = (top / 10u) << 16 | bottom / 10u;
        }
        tmp[n++] = "0123456789abcdef"[r];
    } while (hi | lo);
    while (n)
        put_char(l, tmp[--n]);
}

/* One walk of the format for both passes: without a line, the count of decimal numbers wider
 * than 32 bits it will print (%d, %u; arguments a, b, c in order), which the charge needs before
 * anything is written; with one, the line itself. */
static uint32_t format(line *l, const char *f, uint32_t n, const uint64_t a[5])
{
    uint32_t arg = 2, wide = 0;
    for (uint32_t i = 0; i < n; i++) {
        char c = f[i];
        if (c != '%' || i + 1 == n) {
            if (l)
                put_char(l, c);
            continue;
        }
        char k = f[++i];
        uint64_t v = arg < 5 ? a[arg] : 0;
        if (k == 'd' || k == 'u' || k == 'x' || k == 'c')
            arg++;
        if (!l) {
            uint64_t m = k == 'd' && (int64_t)v < 0 ? 0 - v : v;
            wide += (k == 'd' || k == 'u') && m > 0xffffffffu;
            continue;
        }
        switch (k) {
        case 'd': put_num(l, v, 10, 1); break;
        case 'u': put_num(l, v, 10, 0); break;
        case 'x': put_num(l, v, 16, 0); break;
        case 'c': put_char(l, (char)v); break;
        default: put_char(l, '%'); if (k != '%') put_char(l, k); break;
        }
    }
    return wide;
}

static uint64_t h_log(mbpf_exec *x, const uint64_t a[5])
{
    uint64_t fmt = a[0], n = a[1];
    if (n > MBPF_LOG_LINE || !mbpf_exec_check(x, fmt, n, MBPF_REGION_R))
        return refuse(x);
    const char *f = (const char *)(uintptr_t)fmt;
    const uint32_t len = (uint32_t)n; /* at most MBPF_LOG_LINE */
    uint32_t wide = format(NULL, f, len, a);
    if (!mbpf_exec_charge(x, MBPF_HELPER_BYTES_COST(n) + MBPF_HELPER_LOG_NUMBER_COST * wide))
        return 0;
    line l;
    l.len = 0;
    format(&l, f, len, a);
    const mbpf_rt_services *s = services(x);
    if (s->log_write)
        s->log_write(s->user, l.buf, l.len);
    return l.len;
}

/* ---- key/value store (MBPF_WITH_KV) ---- */

#if MBPF_WITH_KV

/* The entry of (ns, key), or a new one when ns holds fewer than `quota` entries (0: look up only).
 * The scan is charged (MBPF_HELPER_KV_COST per entry looked at) before anything changes; *ok
 * is 0 when the budget ran out (the run then ends). */
static mbpf_kv_entry *kv_find(mbpf_exec *x, mbpf_kv *kv, uint32_t ns, uint32_t key, uint32_t quota,
                              int *ok)
{
    mbpf_kv_entry *free_slot = NULL, *found = NULL;
    mbpf_kv_entry *e = kv->entries, *const end = e + kv->cap;
    uint32_t held = 0;
    for (; e < end; e++) { /* a pointer walk, the namespace first: most entries are another's */
        if (e->ns == ns) {
            if (e->key == key) {
                found = e;
                break;
            }
            held++;
        } else if (!e->ns && !free_slot) {
            free_slot = e;
        }
    }
    const uint32_t looked_at = found ? (uint32_t)(found - kv->entries) + 1u : kv->cap;
    *ok = mbpf_exec_charge(x, MBPF_HELPER_KV_COST(looked_at));
    if (!*ok || found || !quota || !free_slot || held >= quota)
        return *ok ? found : NULL;
    free_slot->ns = ns;
    free_slot->key = key;
    free_slot->value = 0;
    return free_slot;
}

static uint32_t tenant_ns(const mbpf_exec *x)
{
    return mbpf_rt_tenant_of(x)->id + 1u; /* never 0 (free): ids above 0xfffffffd are refused */
}

static uint64_t kv_store(mbpf_exec *x, uint32_t ns, const uint64_t a[5])
{
    const mbpf_rt_config *cfg = &mbpf_rt_of(x)->cfg;
    mbpf_kv *kv = cfg->kv;
    int ok = 1;
    uint32_t quota = kv ? (cfg->kv_quota ? cfg->kv_quota : MBPF_KV_DEFAULT_QUOTA(kv->cap)) : 0;
    mbpf_kv_entry *e = kv ? kv_find(x, kv, ns, (uint32_t)a[0], quota, &ok) : NULL;
    if (!e)
        return ok ? (uint64_t)-1 : 0;
    e->value = a[1];
    return 0;
}

/* v at dst, 8 bytes in memory order: never the library's byte loop, which -ffreestanding would
 * call for memcpy. The compiler's copy is two stores where unaligned ones are allowed (Cortex-M4,
 * the host); where they are not (RV32), two word stores when dst is word-aligned, as an eBPF
 * stack slot usually is. */
static void store_u64(uintptr_t dst, uint64_t v)
{
#if defined(__riscv) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    typedef uint32_t __attribute__((may_alias)) word; /* eBPF memory, of any C type */
    if (!(dst & 3u)) {
        word *w = (word *)dst;
        w[0] = (uint32_t)v;
        w[1] = (uint32_t)(v >> 32);
        return;
    }
#endif
    __builtin_memcpy((void *)dst, &v, 8);
}

static uint64_t kv_fetch(mbpf_exec *x, uint32_t ns, const uint64_t a[5])
{
    if (!mbpf_exec_check(x, a[1], 8, MBPF_REGION_W))
        return refuse(x);
    mbpf_kv *kv = mbpf_rt_of(x)->cfg.kv;
    int ok = 1;
    mbpf_kv_entry *e = kv ? kv_find(x, kv, ns, (uint32_t)a[0], 0, &ok) : NULL;
    if (!ok)
        return 0;
    store_u64((uintptr_t)a[1], e ? e->value : 0);
    return e ? 0 : (uint64_t)-1;
}

static uint64_t h_kv_store(mbpf_exec *x, const uint64_t a[5])
{
    return kv_store(x, tenant_ns(x), a);
}

static uint64_t h_kv_fetch(mbpf_exec *x, const uint64_t a[5])
{
    return kv_fetch(x, tenant_ns(x), a);
}

static uint64_t h_kv_store_global(mbpf_exec *x, const uint64_t a[5])
{
    return kv_store(x, MBPF_KV_NS_GLOBAL, a);
}

static uint64_t h_kv_fetch_global(mbpf_exec *x, const uint64_t a[5])
{
    return kv_fetch(x, MBPF_KV_NS_GLOBAL, a);
}
#endif

/* ---- clock, memory, sensor ---- */

static uint64_t h_now_ms(mbpf_exec *x, const uint64_t a[5])
{
    (void)a;
    const mbpf_rt_services *s = services(x);
    return s->now_ms ? s->now_ms(s->user) : 0;
}

/* The arguments of memcpy and memcmp: a length within MBPF_HELPER_MEM_MAX, both buffers inside
 * the program's regions (the first one `first`: writable for a copy), the bytes charged. 0 when
 * the run ends here (argument refused or budget exhausted). */
static int mem_args(mbpf_exec *x, const uint64_t a[5], uint32_t first)
{
    uint64_t n = a[2];
    if (n > MBPF_HELPER_MEM_MAX || !mbpf_exec_check(x, a[0], n, first) ||
        !mbpf_exec_check(x, a[1], n, MBPF_REGION_R))
        return (int)refuse(x);
    return mbpf_exec_charge(x, MBPF_HELPER_BYTES_COST(n));
}

static uint64_t h_memcpy(mbpf_exec *x, const uint64_t a[5])
{
    uint64_t n = a[2];
    if (!mem_args(x, a, MBPF_REGION_W))
        return 0;
    if (n)
        memmove((void *)(uintptr_t)a[0], (const void *)(uintptr_t)a[1], (size_t)n);
    return n;
}

static uint64_t h_memcmp(mbpf_exec *x, const uint64_t a[5])
{
    if (!mem_args(x, a, MBPF_REGION_R))
        return 0;
    const uint32_t n = (uint32_t)a[2]; /* at most MBPF_HELPER_MEM_MAX */
    const uint8_t *p = (const uint8_t *)(uintptr_t)a[0], *q = (const uint8_t *)(uintptr_t)a[1];
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return p[i] < q[i] ? (uint64_t)-1 : 1;
    return 0;
}

static uint64_t h_sensor_read(mbpf_exec *x, const uint64_t a[5])
{
    const mbpf_rt_services *s = services(x);
    int32_t v = 0;
    if (!s->sensor_read || s->sensor_read(s->user, (uint32_t)a[0], &v))
        return (uint64_t)1 << 63;
    return (uint64_t)(int64_t)v;
}

/* Indexed by helper id; the ids left out of this build (MBPF_WITH_KV) stay NULL, unregistered. */
static const mbpf_helper_fn default_helpers[MBPF_HELPER_DEFAULT_COUNT] = {
    [MBPF_HELPER_LOG] = h_log,
#if MBPF_WITH_KV
    [MBPF_HELPER_KV_STORE] = h_kv_store,
    [MBPF_HELPER_KV_FETCH] = h_kv_fetch,
    [MBPF_HELPER_KV_STORE_GLOBAL] = h_kv_store_global,
    [MBPF_HELPER_KV_FETCH_GLOBAL] = h_kv_fetch_global,
#endif
    [MBPF_HELPER_NOW_MS] = h_now_ms,
    [MBPF_HELPER_MEMCPY] = h_memcpy,
    [MBPF_HELPER_MEMCMP] = h_memcmp,
    [MBPF_HELPER_SENSOR_READ] = h_sensor_read,
};

void mbpf_rt_register_default_helpers(mbpf_runtime *rt)
{
    for (uint32_t id = 1; id < MBPF_HELPER_DEFAULT_COUNT; id++)
        if (default_helpers[id])
            mbpf_rt_register_helper(rt, id, default_helpers[id]);
}
