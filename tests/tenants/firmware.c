/* Tenant isolation and code-cache checks on an emulated board, through the runtime API only.
 * Three tenants, each with its own stack, program data, context and helper mask, run hostile
 * programs (tests/tenants/progs) aimed at each other's memory, the firmware's memory and each
 * other's kv namespaces, in the interpreter, the JIT and as AOT images. Every check prints
 *   check ENGINE NAME: ok|FAIL (detail)
 * and the last line is
 *   summary checks=N failures=M
 * Programs come from files over semihosting: dir=PATH holds NAME.mbc (containers) and NAME.img
 * (AOT images for this board). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/helpers.h"
#include "mcubpf/runtime.h"
#include "platform/board.h"
#include "platform/args.h"

#define N_TENANTS 3
#define GUARD 32u
#define FILE_MAX 4096u
#define PROG_DATA 64u

/* Every region a tenant owns sits between two guard zones of canary bytes. */
typedef struct zoned {
    uint8_t before[GUARD];
    uint8_t bytes[MBPF_STACK_SIZE * 2];
    uint8_t after[GUARD];
} zoned;

static zoned stacks[N_TENANTS] __attribute__((aligned(8)));
static zoned ctxs[N_TENANTS] __attribute__((aligned(8)));
static mbpf_tenant tenants[N_TENANTS];

static uint8_t code_arena[16 * 1024] __attribute__((aligned(8)));
static uint8_t work_arena[24 * 1024] __attribute__((aligned(8)));
static mbpf_kv_entry kv_entries[16];
static mbpf_kv kv = {kv_entries, 16};
static mbpf_runtime rt;

static const char *dir = ".";
static uint32_t checks, failures;

static uint8_t canary(uint32_t i)
{
    return (uint8_t)(0x5au ^ (i * 31u));
}

static void zone_fill(zoned *z)
{
    for (uint32_t i = 0; i < GUARD; i++)
        z->before[i] = z->after[i] = canary(i);
}

static int zone_intact(const zoned *z)
{
    for (uint32_t i = 0; i < GUARD; i++)
        if (z->before[i] != canary(i) || z->after[i] != canary(i))
            return 0;
    return 1;
}

static void check(const char *engine, const char *name, int ok, const char *fmt, unsigned long long a,
                  unsigned long long b)
{
    checks++;
    if (!ok)
        failures++;
    printf("check %s %s: %s (", engine, name, ok ? "ok" : "FAIL");
    printf(fmt, a, b);
    printf(")\n");
}

/* A loaded program with its own file buffer and data. */
typedef struct slot {
    mbpf_prog prog;
    uint8_t data[PROG_DATA] __attribute__((aligned(8)));
    uint8_t file[FILE_MAX] __attribute__((aligned(8)));
    size_t len;
} slot;

static slot slots[6];

static size_t read_file(const char *name, const char *ext, uint8_t *buf)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("error cannot open %s\n", path);
        exit(1);
    }
    size_t n = fread(buf, 1, FILE_MAX, f);
    fclose(f);
    return n;
}

/* Load program `name` for tenant t into slot s, as container (aot = 0) or image. */
static int load(slot *s, const char *name, int aot, uint32_t t, mbpf_rt_error *err)
{
    memset(&s->prog, 0, sizeof s->prog);
    s->prog.data = s->data;
    s->prog.data_cap = sizeof s->data;
    s->len = read_file(name, aot ? "img" : "mbc", s->file);
    return mbpf_rt_load(&rt, &s->prog, &tenants[t], s->file, s->len, err);
}

static mbpf_status run(slot *s, uint32_t t, uint64_t target, uint64_t value, uint32_t key,
                       uint64_t *r0)
{
    uint64_t *c = (uint64_t *)(void *)ctxs[t].bytes;
    c[0] = target;
    c[1] = value;
    c[2] = key;
    return mbpf_rt_run(&rt, &s->prog, c, 24, r0, NULL);
}

static void runtime_init(mbpf_target target, uint32_t code_len)
{
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = target;
    cfg.flags = MBPF_RT_ALLOW_AOT | MBPF_RT_ALLOW_UNSIGNED_AOT; /* images built with the firmware */
    cfg.code = code_arena;
    cfg.code_len = code_len;
    cfg.work = work_arena;
    cfg.work_len = sizeof work_arena;
    cfg.kv = &kv;
    memset(kv_entries, 0, sizeof kv_entries);
    if (mbpf_rt_init(&rt, &cfg)) {
        printf("error runtime init\n");
        exit(1);
    }
    mbpf_rt_register_default_helpers(&rt);
}

static void tenants_init(void)
{
    const uint32_t all = (1u << MBPF_HELPER_DEFAULT_COUNT) - 2u;
    const uint32_t masks[N_TENANTS] = {
        all,
        all & ~(1u << MBPF_HELPER_KV_FETCH_GLOBAL | 1u << MBPF_HELPER_KV_STORE_GLOBAL),
        1u << MBPF_HELPER_KV_STORE | 1u << MBPF_HELPER_KV_FETCH,
    };
    for (uint32_t t = 0; t < N_TENANTS; t++) {
        memset(&stacks[t], 0, sizeof stacks[t]);
        memset(&ctxs[t], 0, sizeof ctxs[t]);
        zone_fill(&stacks[t]);
        zone_fill(&ctxs[t]);
        tenants[t].id = t;
        tenants[t].helper_mask = masks[t];
        tenants[t].ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
        tenants[t].stack = stacks[t].bytes;
        tenants[t].stack_len = sizeof stacks[t].bytes;
        tenants[t].budget = 10000;
    }
}

/* Memory a tenant must not reach: the other tenants' regions and the firmware's own state. */
typedef struct victim {
    const char *what;
    uint8_t *addr;
} victim;

static void isolation(const char *engine, int aot)
{
    mbpf_rt_error err;
    char name[64];
    tenants_init();
    slot *legit = &slots[0], *reader = &slots[1], *writer = &slots[2], *from = &slots[3],
         *to = &slots[4], *other = &slots[5];
    /* tenant 1's legit program owns data the others aim at */
    int ok = load(legit, "legit", aot, 1, &err) == MBPF_RT_OK;
    uint64_t r0 = 0;
    ok = ok && run(legit, 1, 0, 0, 0, &r0) == MBPF_OK && r0 == 1;
    check(engine, "legit program runs", ok, "r0=%llu%.0llu", r0, 0ull);

    victim victims[] = {
        {"tenant 1 stack", stacks[1].bytes + 256},
        {"tenant 1 context", ctxs[1].bytes},
        {"tenant 1 program data", legit->data},
        {"tenant 1 container", legit->file + 8},
        {"runtime object", (uint8_t *)&rt},
        {"kv store", (uint8_t *)kv_entries},
        {"code arena", code_arena},
        {"work arena", work_arena + 64},
    };
    const uint32_t n_victims = sizeof victims / sizeof victims[0];
    ok = load(reader, "read_at", aot, 0, &err) == MBPF_RT_OK && load(writer, "write_at", aot, 2, &err) == MBPF_RT_OK &&
         load(from, "copy_from", aot, 0, &err) == MBPF_RT_OK && load(to, "copy_to", aot, 0, &err) == MBPF_RT_OK;
    check(engine, "attack programs load", ok, "%llu%.0llu", (unsigned long long)ok, 0ull);
    if (!ok)
        printf("   %s\n", mbpf_rt_last_message(&rt));
    for (uint32_t i = 0; i < n_victims; i++) {
        uint8_t before[8];
        memcpy(before, victims[i].addr, 8);
        uint64_t a = (uint64_t)(uintptr_t)victims[i].addr;
        mbpf_status s1 = run(reader, 0, a, 0, 0, &r0);
        mbpf_status s2 = run(writer, 2, a, 0x4141414141414141ull, 0, &r0);
        mbpf_status s3 = run(from, 0, a, 0, 0, &r0);
        mbpf_status s4 = run(to, 0, a, 0x4242424242424242ull, 0, &r0);
        int unchanged = !memcmp(before, victims[i].addr, 8);
        snprintf(name, sizeof name, "read/write/copy %s refused", victims[i].what);
        check(engine, name,
              s1 == MBPF_FAULT_MEM_READ && s2 == MBPF_FAULT_MEM_WRITE && s3 == MBPF_FAULT_HELPER_ARG &&
                  s4 == MBPF_FAULT_HELPER_ARG && unchanged,
              "statuses %llx, memory unchanged %llu",
              (unsigned long long)(s1 | s2 << 8 | s3 << 16 | (uint32_t)s4 << 24), (unsigned long long)unchanged);
    }
    /* its own context is fine */
    uint64_t *own = (uint64_t *)(void *)ctxs[0].bytes;
    ok = run(reader, 0, (uint64_t)(uintptr_t)&own[1], 0x77, 0, &r0) == MBPF_OK && r0 == 0x77;
    check(engine, "own context readable", ok, "r0=%llx%.0llu", r0, 0ull);

    /* kv namespaces */
    slot *poke = &slots[1], *peek = &slots[2];
    uint64_t v0 = 0, v1 = 0, v2 = 0;
    ok = load(poke, "kv_poke", aot, 0, &err) == MBPF_RT_OK && run(poke, 0, 0, 0xaaaa, 5, &r0) == MBPF_OK &&
         load(poke, "kv_poke", aot, 2, &err) == MBPF_RT_OK && run(poke, 2, 0, 0xbbbb, 5, &r0) == MBPF_OK &&
         load(peek, "kv_peek", aot, 0, &err) == MBPF_RT_OK && run(peek, 0, 0, 0, 5, &v0) == MBPF_OK &&
         load(peek, "kv_peek", aot, 1, &err) == MBPF_RT_OK && run(peek, 1, 0, 0, 5, &v1) == MBPF_OK &&
         load(peek, "kv_peek", aot, 2, &err) == MBPF_RT_OK && run(peek, 2, 0, 0, 5, &v2) == MBPF_OK;
    check(engine, "kv namespaces separate", ok && v0 == 0xaaaa && v1 == 0 && v2 == 0xbbbb,
          "tenant0=%llx tenant2=%llx", v0, v2);

    /* helpers outside the mask */
    int rc1 = load(other, "global_peek", aot, 1, &err), rc2 = load(other, "copy_from", aot, 2, &err);
    int want = aot ? MBPF_RT_ERR_PERMISSION : MBPF_RT_ERR_VERIFY;
    check(engine, "helpers outside the mask refused at load", rc1 == want && rc2 == want,
          "codes %lld %lld", (long long)rc1, (long long)rc2);
    if (rc1 == MBPF_RT_ERR_VERIFY)
        printf("   message: %s\n", mbpf_rt_last_message(&rt));
    ok = load(other, "global_peek", aot, 0, &err) == MBPF_RT_OK && run(other, 0, 0, 0, 5, &r0) == MBPF_OK;
    check(engine, "global kv allowed for tenant 0", ok, "r0=%llx%.0llu", r0, 0ull);

    /* budget */
    ok = load(other, "runaway", aot, 2, &err) == MBPF_RT_OK && run(other, 2, 0, 0, 0, &r0) == MBPF_FAULT_BUDGET &&
         other->prog.stats.budget_stops == 1 && run(legit, 1, 0, 0, 0, &r0) == MBPF_OK && r0 == 2;
    check(engine, "runaway loop stopped by the budget, firmware goes on", ok, "r0=%llu%.0llu", r0, 0ull);

    int intact = 1;
    for (uint32_t t = 0; t < N_TENANTS; t++)
        intact = intact && zone_intact(&stacks[t]) && zone_intact(&ctxs[t]);
    check(engine, "guard zones intact", intact, "%llu%.0llu", (unsigned long long)intact, 0ull);
}

/* Code cache: eviction when the arena is small, fallback when it is tiny. */
static void cache_checks(mbpf_target target)
{
    static const char *const names[] = {"legit", "kv_peek", "kv_poke", "read_at"};
    mbpf_rt_error err;
    uint64_t r0;
    /* an arena that holds about two of these programs */
    runtime_init(target, 1600);
    tenants_init();
    int ok = 1;
    for (uint32_t i = 0; i < 4; i++)
        ok = ok && load(&slots[i], names[i], 0, 0, &err) == MBPF_RT_OK;
    uint64_t *own = (uint64_t *)(void *)ctxs[0].bytes;
    uint32_t legit_runs = 0;
    for (uint32_t round = 0; round < 3 && ok; round++)
        for (uint32_t i = 0; i < 4 && ok; i++) {
            mbpf_status s = run(&slots[i], 0, (uint64_t)(uintptr_t)&own[1], 9, 3, &r0);
            ok = s == MBPF_OK && slots[i].prog.stats.engine == MBPF_RT_ENGINE_JIT;
            if (i == 0)
                ok = ok && r0 == ++legit_runs;
            if (i == 3)
                ok = ok && r0 == 9;
        }
    uint32_t evictions = 0, misses = 0;
    for (uint32_t i = 0; i < 4; i++) {
        evictions += slots[i].prog.stats.evictions;
        misses += slots[i].prog.stats.cache_misses;
    }
    check("jit", "LRU eviction in a small code arena keeps results", ok && evictions > 0 && misses > 4,
          "evictions %llu, misses %llu", (unsigned long long)evictions, (unsigned long long)misses);

    runtime_init(target, 64); /* too small for any program */
    ok = load(&slots[0], "legit", 0, 0, &err) == MBPF_RT_OK && run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK &&
         r0 == 1 && run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK && r0 == 2;
    check("jit", "tiny arena falls back to the interpreter", ok &&
          slots[0].prog.stats.engine == MBPF_RT_ENGINE_INTERP && slots[0].prog.stats.fallbacks == 2,
          "engine %llu, fallbacks %llu", (unsigned long long)slots[0].prog.stats.engine,
          (unsigned long long)slots[0].prog.stats.fallbacks);

    runtime_init(target, sizeof code_arena); /* shared code: same bytecode, two tenants, one entry */
    tenants_init();
    ok = load(&slots[0], "legit", 0, 0, &err) == MBPF_RT_OK && load(&slots[1], "legit", 0, 1, &err) == MBPF_RT_OK &&
         run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK && r0 == 1 && run(&slots[1], 1, 0, 0, 0, &r0) == MBPF_OK &&
         r0 == 1 && run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK && r0 == 2;
    check("jit", "two tenants share translated code, not data", ok && slots[1].prog.stats.cache_hits >= 1 &&
          rt.code_used == slots[0].prog.stats.code_bytes + ((8u - slots[0].prog.stats.code_bytes % 8u) % 8u),
          "hits %llu, arena bytes %llu", (unsigned long long)slots[1].prog.stats.cache_hits,
          (unsigned long long)rt.code_used);
}

int main(int argc, char **argv)
{
    board_counter_init();
    const char *d = board_arg(argc, argv, "dir");
    if (d)
        dir = d;
    runtime_init(MBPF_TARGET_NONE, 0);
    isolation("interp", 0);
    runtime_init(MBPF_RT_NATIVE_TARGET, sizeof code_arena);
    isolation("jit", 0);
    runtime_init(MBPF_RT_NATIVE_TARGET, sizeof code_arena);
    isolation("aot", 1);
    cache_checks(MBPF_RT_NATIVE_TARGET);
    printf("summary checks=%lu failures=%lu\n", (unsigned long)checks, (unsigned long)failures);
    return 0;
}
