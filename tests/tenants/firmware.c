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

#include "mcubpf/container.h"
#include "mcubpf/helpers.h"
#include "mcubpf/runtime.h"
#include "platform/board.h"
#include "platform/args.h"
#include "tests/unit/bpf_asm.h"

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

    /* a fault inside a local call, then runs through the same call: nothing the fault left in
     * the slot's run state (call depth, status) reaches the next run; r0 is 0 after a fault */
    ok = load(other, "deep_fault", aot, 2, &err) == MBPF_RT_OK;
    uint32_t good = 0;
    for (int i = 0; ok && i < 2; i++) {
        r0 = 1;
        good += run(other, 2, 16, 1, 5, &r0) == MBPF_FAULT_MEM_READ && r0 == 0;
        good += run(other, 2, 0, 0, 5, &r0) == MBPF_OK && r0 == 7;
    }
    check(engine, "a fault inside a local call leaves the next run unaffected", ok && good == 4,
          "%llu of 4 runs as expected%.0llu", (unsigned long long)good, 0ull);

    int intact = 1;
    for (uint32_t t = 0; t < N_TENANTS; t++)
        intact = intact && zone_intact(&stacks[t]) && zone_intact(&ctxs[t]);
    check(engine, "guard zones intact", intact, "%llu%.0llu", (unsigned long long)intact, 0ull);
}

/* ---- runtime hardening: reentrancy, unload, kv quotas, reserved ids, helper costs ---- */

static slot *reenter_self, *reenter_other;
static int reenter_codes[4];

/* Helper 10: everything that would change the runtime under the running program. */
static uint64_t h_reenter(mbpf_exec *x, const uint64_t a[5])
{
    (void)a;
    mbpf_runtime *r = mbpf_rt_of(x);
    mbpf_rt_error err;
    reenter_codes[0] = mbpf_rt_replace(r, &reenter_self->prog, reenter_other->file, reenter_other->len, &err);
    reenter_codes[1] = mbpf_rt_load(r, &reenter_other->prog, &tenants[0], reenter_other->file,
                                    reenter_other->len, &err);
    reenter_codes[2] = mbpf_rt_unload(r, &reenter_self->prog);
    reenter_codes[3] = (int)mbpf_rt_run(r, &reenter_self->prog, NULL, 0, NULL, NULL);
    return 0x600d;
}

/* A container for bytecode written here (no rodata, data or immediate helper calls). */
static size_t container_of(const mbpf_insn *insns, uint32_t n, uint8_t *buf, size_t cap)
{
    mbpf_container_header h;
    const uint32_t off = (sizeof h + 7u) & ~7u;
    if (off + (size_t)n * 8u > cap)
        return 0;
    memset(buf, 0, off);
    memset(&h, 0, sizeof h);
    h.magic = MBPF_CONTAINER_MAGIC;
    h.version = MBPF_CONTAINER_VERSION;
    h.header_size = sizeof h;
    h.total_len = off + n * 8u;
    h.n_insns = n;
    h.insns_off = off;
    memcpy(buf, &h, sizeof h);
    memcpy(buf + off, insns, (size_t)n * 8u);
    mbpf_container_digest(buf, h.total_len, h.sha256);
    memcpy(buf, &h, sizeof h);
    return h.total_len;
}

/* A wrong proof of a stack access: r4 = r10 + s + s with s in [0, 2^62] (the offset interval
 * wraps), store at r4 - 8. Translated code trusts proven accesses, so on a verifier with this
 * bug the store lands at r10 - 8 + 2 * ctx[0] (low word): anywhere in the address space. */
static const mbpf_insn wrapped_offset_store[] = {
    LDX(MBPF_DW, 2, 1, 0), LDX(MBPF_DW, 5, 1, 8), LDDW(3, (1ull << 62) - 1), ALU64_REG(MBPF_AND, 2, 3),
    LDX(MBPF_DW, 3, 1, 16), ALU64_IMM(MBPF_AND, 3, 1), ALU64_REG(MBPF_ADD, 2, 3), MOV64R(4, MBPF_REG_FP),
    ALU64_REG(MBPF_ADD, 4, 2), ALU64_REG(MBPF_ADD, 4, 2), STX(MBPF_DW, 4, 5, -8), MOV64(0, 0), EXIT(),
};

/* Tenant 0 aims the store at tenant 1's program data and at the helper table its calls go
 * through (the runtime's): the load is refused or the run faults, and neither changes. Needs the
 * verifier's interval fixes. */
static void cross_tenant(const char *engine)
{
    mbpf_rt_error err;
    uint64_t r0;
    slot *target_slot = &slots[4], *attacker = &slots[5];
    int ok = load(target_slot, "legit", 0, 1, &err) == MBPF_RT_OK;
    memset(&attacker->prog, 0, sizeof attacker->prog);
    attacker->prog.data = attacker->data;
    attacker->prog.data_cap = sizeof attacker->data;
    attacker->len = container_of(wrapped_offset_store, sizeof wrapped_offset_store / sizeof wrapped_offset_store[0],
                                 attacker->file, FILE_MAX);
    int rc = mbpf_rt_load(&rt, &attacker->prog, &tenants[0], attacker->file, attacker->len, &err);
    struct {
        const char *what;
        uint8_t *addr;
    } targets[2] = {{"program data", target_slot->data},
                    {"helper table", (uint8_t *)&rt.helpers[MBPF_HELPER_KV_STORE]}};
    for (uint32_t i = 0; i < 2 && ok; i++) {
        uint8_t before[8];
        memcpy(before, targets[i].addr, 8);
        uint32_t r10 = (uint32_t)(uintptr_t)tenants[0].stack + MBPF_STACK_SIZE;
        uint32_t d = (uint32_t)(uintptr_t)targets[i].addr + 8u - r10; /* even: both 8-aligned */
        mbpf_status st = rc == MBPF_RT_OK ? run(attacker, 0, d / 2u, 0x4141414141414141ull, 0, &r0)
                                          : MBPF_FAULT_MEM_WRITE;
        int unchanged = !memcmp(before, targets[i].addr, 8);
        memcpy(targets[i].addr, before, 8); /* keep the firmware alive where the escape works */
        char name[96];
        snprintf(name, sizeof name, "wrapped stack offset cannot write tenant 1's %s", targets[i].what);
        check(engine, name, (rc == MBPF_RT_ERR_VERIFY || st != MBPF_OK) && unchanged,
              "load %llx, status %llu", (unsigned long long)(uint32_t)rc, (unsigned long long)st);
    }
    if (!ok)
        check(engine, "cross-tenant victim loads", 0, "%llu%.0llu", 0ull, 0ull);
}

static void hardening(const char *engine, int aot)
{
    mbpf_rt_error err;
    uint64_t r0 = 0;
    tenants_init();
    mbpf_rt_register_helper(&rt, 10, h_reenter);
    tenants[0].helper_mask |= 1u << 10;

    /* a helper cannot swap, load, unload or run while a program runs */
    reenter_self = &slots[0];
    reenter_other = &slots[1];
    int ok = load(reenter_other, "legit", aot, 0, &err) == MBPF_RT_OK &&
             load(reenter_self, "reenter", aot, 0, &err) == MBPF_RT_OK;
    mbpf_status st = ok ? run(reenter_self, 0, 0, 0, 0, &r0) : MBPF_FAULT_BAD_INSN;
    ok = ok && st == MBPF_OK && r0 == 0x600d && reenter_codes[0] == MBPF_RT_ERR_BUSY &&
         reenter_codes[1] == MBPF_RT_ERR_BUSY && reenter_codes[2] == MBPF_RT_ERR_BUSY &&
         reenter_codes[3] == MBPF_FAULT_BAD_INSN && reenter_self->prog.loaded;
    ok = ok && run(reenter_self, 0, 0, 0, 0, &r0) == MBPF_OK && r0 == 0x600d &&
         mbpf_rt_replace(&rt, &reenter_self->prog, reenter_other->file, reenter_other->len, &err) == MBPF_RT_OK;
    check(engine, "load/replace/unload/run from inside a run refused", ok, "status %llu, codes %llx",
          (unsigned long long)st,
          (unsigned long long)((uint32_t)-reenter_codes[0] | (uint32_t)-reenter_codes[1] << 8 |
                               (uint32_t)-reenter_codes[2] << 16 | (uint32_t)reenter_codes[3] << 24));

    if (!aot) /* the host tools refuse to build an image of it */
        cross_tenant(engine);

    /* one tenant cannot fill the shared kv store */
    memset(kv_entries, 0, sizeof kv_entries);
    uint64_t filled = 0, poked = 1;
    int lf = load(&slots[2], "kv_fill", aot, 0, &err);
    mbpf_status sf = lf ? MBPF_FAULT_BAD_INSN : run(&slots[2], 0, 0, 0, 100, &filled);
    ok = lf == MBPF_RT_OK && sf == MBPF_OK && load(&slots[3], "kv_poke", aot, 2, &err) == MBPF_RT_OK &&
         run(&slots[3], 2, 0, 7, 5, &poked) == MBPF_OK;
    check(engine, "kv quota: a tenant filling the store leaves room for the others",
          ok && filled == MBPF_KV_DEFAULT_QUOTA(kv.cap) && poked == 0, "stored %llu, other tenant's store %llx",
          filled, poked);
    if (!ok)
        printf("   load %d, run status %u: %s\n", lf, (unsigned)sf, mbpf_rt_last_message(&rt));

    /* reserved tenant ids */
    tenants[2].id = 0xfffffffeu;
    int rc1 = load(&slots[4], "legit", aot, 2, &err);
    tenants[2].id = 0xffffffffu;
    int rc2 = load(&slots[4], "legit", aot, 2, &err);
    tenants[2].id = 2;
    check(engine, "reserved tenant ids refused", rc1 == MBPF_RT_ERR_ARG && rc2 == MBPF_RT_ERR_ARG,
          "codes %lld %lld", (long long)rc1, (long long)rc2);

    /* helper calls and the memcpy helper's work are charged: 1 + 24 bytes / 16 rounded up */
    if (strcmp(engine, "interp")) {
        const uint64_t cost = 1u + MBPF_HELPER_BYTES_COST(24);
        ok = load(&slots[5], "copy_ctx", aot, 0, &err) == MBPF_RT_OK;
        tenants[0].budget = cost;
        mbpf_status s_ok = run(&slots[5], 0, 1, 2, 3, &r0);
        uint64_t r_ok = r0;
        tenants[0].budget = cost - 1;
        mbpf_fault f;
        uint64_t *c = (uint64_t *)(void *)ctxs[0].bytes;
        mbpf_status s_short = mbpf_rt_run(&rt, &slots[5].prog, c, 24, &r0, &f);
        tenants[0].budget = 10000;
        check(engine, "helper call and memcpy work charged to the budget",
              ok && s_ok == MBPF_OK && r_ok == 24 + 2 && s_short == MBPF_FAULT_BUDGET,
              "statuses %llx, r0 %llu", (unsigned long long)(s_ok | s_short << 8), r_ok);
    }
}

/* A code arena that holds about two of the small programs these checks load (Thumb-2 code is
 * about half the size of RV32 code for them). */
static uint32_t two_programs(mbpf_target target)
{
    return target == MBPF_TARGET_THUMB2 ? 800 : 1600;
}

/* After unload, evicting the code the program translated must not touch its slot. */
static void unload_checks(mbpf_target target)
{
    static const char *const names[] = {"kv_peek", "kv_poke", "read_at"};
    mbpf_rt_error err;
    uint64_t r0;
    runtime_init(target, two_programs(target));
    tenants_init();
    slot *gone = &slots[0];
    int ok = load(gone, "legit", 0, 0, &err) == MBPF_RT_OK && run(gone, 0, 0, 0, 0, &r0) == MBPF_OK &&
             mbpf_rt_unload(&rt, &gone->prog) == MBPF_RT_OK;
    mbpf_prog_stats before = gone->prog.stats;
    uint64_t *own = (uint64_t *)(void *)ctxs[0].bytes;
    for (uint32_t i = 0; i < 3 && ok; i++)
        ok = load(&slots[1 + i], names[i], 0, 0, &err) == MBPF_RT_OK &&
             run(&slots[1 + i], 0, (uint64_t)(uintptr_t)&own[1], 9, 3, &r0) == MBPF_OK;
    int evicted = 1; /* its code left the cache */
    for (const mbpf_rt_cache_entry *e = mbpf_rt_cache_next(&rt, NULL); e;
         e = mbpf_rt_cache_next(&rt, e))
        if (!memcmp(e->key, gone->prog.key, sizeof gone->prog.key))
            evicted = 0;
    check("jit", "eviction after unload leaves the unloaded slot alone",
          ok && evicted && !memcmp(&before, &gone->prog.stats, sizeof before) && !gone->prog.loaded,
          "evictions of it %llu, code evicted %llu", (unsigned long long)gone->prog.stats.evictions,
          (unsigned long long)evicted);
}

/* ---- budget and helper ids in translated code, with facts set by hand ---- */

#define HAND_MAX 160
static mbpf_fact hand_facts[HAND_MAX];
static uint8_t hand_work[8192] __attribute__((aligned(8)));

static uint64_t h_seven(mbpf_exec *x, const uint64_t a[5])
{
    (void)x;
    (void)a;
    return 7;
}

/* Charges a[0] units and returns what is left: the helper must see the budget of the moment. */
static uint64_t h_charge(mbpf_exec *x, const uint64_t a[5])
{
    if (!mbpf_exec_charge(x, a[0]))
        return 0;
    return x->budget_left;
}

static mbpf_helper_fn hand_helpers[MBPF_RT_MAX_HELPERS] = {NULL, h_seven, h_charge};

/* Verify (for the facts the translator needs), apply `edit`, translate, run with `budget`. */
typedef struct hand_run {
    mbpf_status status;
    uint64_t r0, budget_left;
    mbpf_fault fault;
    uint32_t insns; /* guest instructions of the run (exact under -icount only) */
} hand_run;

static hand_run hand(const mbpf_insn *insns, uint32_t n, void (*edit)(mbpf_fact *), uint64_t budget,
                     uint8_t *ctx, uint32_t ctx_len)
{
    hand_run out;
    memset(&out, 0, sizeof out);
    out.status = MBPF_STATUS_COUNT;
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    mbpf_verify_opts o;
    mbpf_verify_result vr;
    memset(&o, 0, sizeof o);
    o.helper_mask_lo = 6;
    o.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    if (n > HAND_MAX || mbpf_verify(&p, &o, hand_facts, hand_work, sizeof hand_work, &vr)) {
        for (uint32_t i = 0; i < n && i < HAND_MAX; i++) { /* every insn reachable */
            memset(&hand_facts[i], 0, sizeof hand_facts[i]);
            hand_facts[i].flags = MBPF_FACT_REACHABLE;
            hand_facts[i].mem = MBPF_MEM_GUARD_ANY;
        }
    }
    if (edit)
        edit(hand_facts);
    mbpf_jit_result jr;
    if (mbpf_jit_translate(MBPF_RT_NATIVE_TARGET, &p, hand_facts, NULL, code_arena, sizeof code_arena,
                           hand_work, sizeof hand_work, &jr))
        return out;
    mbpf_jit_sync_code(code_arena, jr.code_len);
    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = &p;
    x.ctx = ctx;
    x.ctx_len = ctx_len;
    x.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x.stack = stacks[0].bytes;
    x.stack_len = sizeof stacks[0].bytes;
    x.helpers = hand_helpers;
    x.n_helpers = MBPF_RT_MAX_HELPERS;
    x.budget = budget;
    mbpf_exec_reset(&x);
    uint32_t t0 = board_counter_read();
    out.status = mbpf_jit_run(&x, code_arena, jr.entry_off);
    out.insns = board_counter_to_insns(board_counter_read() - t0);
    out.r0 = x.r0;
    out.fault = x.fault;
    out.budget_left = x.budget_left;
    return out;
}

#define TRIPS 10
/* r0 counts the trips of a loop of TRIPS trips at pc 2 (back edge at 4). */
static const mbpf_insn loop_prog[] = {
    MOV64(0, 0), MOV64(1, TRIPS), ALU64_IMM(MBPF_ADD, 0, 1), ALU64_IMM(MBPF_SUB, 1, 1),
    JMP_IMM(MBPF_JNE, 1, 0, -3), EXIT(),
};
static void loop_facts(mbpf_fact *f)
{
    f[2].flags |= MBPF_FACT_LOOP_HEAD;
    f[2].aux = TRIPS - 1;
    f[4].flags |= MBPF_FACT_BACKEDGE | MBPF_FACT_BOUNDED;
}
/* The same loop entered 3 times by an outer loop whose back edge (pc 7) is not bounded. */
static const mbpf_insn nested_prog[] = {
    MOV64(0, 0), MOV64(2, 3), MOV64(1, TRIPS), ALU64_IMM(MBPF_ADD, 0, 1), ALU64_IMM(MBPF_SUB, 1, 1),
    JMP_IMM(MBPF_JNE, 1, 0, -3), ALU64_IMM(MBPF_SUB, 2, 1), JMP_IMM(MBPF_JNE, 2, 0, -6), EXIT(),
};
static void nested_facts(mbpf_fact *f)
{
    f[3].flags |= MBPF_FACT_LOOP_HEAD;
    f[3].aux = TRIPS - 1;
    f[5].flags |= MBPF_FACT_BACKEDGE | MBPF_FACT_BOUNDED;
    f[7].flags |= MBPF_FACT_BACKEDGE;
    f[7].flags &= (uint8_t)~MBPF_FACT_BOUNDED;
    f[2].flags &= (uint8_t)~MBPF_FACT_LOOP_HEAD; /* the outer loop stays budgeted here */
    f[2].aux = 0;
}
/* Two taken back edges not proven bounded, then the helper charges 4 and returns what is left. */
static const mbpf_insn charge_prog[] = {
    MOV64(2, 3), ALU64_IMM(MBPF_SUB, 2, 1), JMP_IMM(MBPF_JNE, 2, 0, -2), MOV64(1, 4), CALL(2), EXIT(),
};
static void unbounded_facts(mbpf_fact *f)
{
    f[2].flags |= MBPF_FACT_BACKEDGE;
    f[2].flags &= (uint8_t)~MBPF_FACT_BOUNDED;
    for (int i = 0; i < 6; i++) { /* no loop head either: the verifier may have proven the loop */
        f[i].flags &= (uint8_t)~MBPF_FACT_LOOP_HEAD;
        f[i].aux = 0;
    }
}
static const mbpf_insn three_calls[] = {CALL(1), CALL(1), CALL(1), EXIT()};
/* callx with an id whose upper half is not zero (0x1_0000_0001): helper 1 must not run. */
static const mbpf_insn callx_high[] = {
    LDDW(3, 0x100000001ull), INSN(MBPF_JMP | MBPF_CALL | MBPF_X, 3, 0, 0, 0), EXIT(),
};
static const mbpf_insn callx_low[] = {
    MOV64(3, 1), INSN(MBPF_JMP | MBPF_CALL | MBPF_X, 3, 0, 0, 0), EXIT(),
};
/* Misaligned 8-, 4- and 2-byte loads and stores (byte-wise on cores that trap). */
static const mbpf_insn misaligned[] = {
    LDX(MBPF_DW, 0, 1, 1), LDXSX(MBPF_H, 2, 1, 11), ALU64_REG(MBPF_ADD, 0, 2), LDX(MBPF_W, 3, 1, 5),
    STX(MBPF_DW, 1, 0, 17), STX(MBPF_W, 1, 3, 27), STX(MBPF_H, 1, 3, 33), EXIT(),
};

static void budget_checks(void)
{
    const char *e = "jit";
    hand_run a = hand(loop_prog, 6, loop_facts, TRIPS, NULL, 0);
    hand_run b = hand(loop_prog, 6, loop_facts, TRIPS - 1, NULL, 0);
    hand_run c = hand(loop_prog, 6, loop_facts, 0, NULL, 0);
    check(e, "bounded loop charged its trips at the head, back edges free",
          a.status == MBPF_OK && a.r0 == TRIPS && a.budget_left == 0 && b.status == MBPF_FAULT_BUDGET &&
              b.fault.pc == 2 && c.status == MBPF_OK && c.r0 == TRIPS,
          "statuses %llx, fault pc %llu", (unsigned long long)(a.status | b.status << 8 | c.status << 16),
          (unsigned long long)b.fault.pc);

    /* 3 entries of TRIPS units, 2 outer back edges of 1 */
    const uint64_t nested = 3 * TRIPS + 2;
    a = hand(nested_prog, 9, nested_facts, nested, NULL, 0);
    b = hand(nested_prog, 9, nested_facts, nested - 1, NULL, 0);
    check(e, "every entry into a bounded loop is charged", a.status == MBPF_OK && a.r0 == 3 * TRIPS &&
          a.budget_left == 0 && b.status == MBPF_FAULT_BUDGET && b.fault.pc == 3,
          "statuses %llx, fault pc %llu", (unsigned long long)(a.status | b.status << 8),
          (unsigned long long)b.fault.pc);

    a = hand(three_calls, 4, NULL, 3, NULL, 0);
    b = hand(three_calls, 4, NULL, 2, NULL, 0);
    check(e, "a helper call costs one unit, charged at the call", a.status == MBPF_OK && a.budget_left == 0 &&
          b.status == MBPF_FAULT_BUDGET && b.fault.pc == 2, "statuses %llx, fault pc %llu",
          (unsigned long long)(a.status | b.status << 8), (unsigned long long)b.fault.pc);

    /* budget 10: 2 back edges, 1 for the call, 4 charged by the helper: 3 left, seen by the helper */
    a = hand(charge_prog, 6, unbounded_facts, 10, NULL, 0);
    b = hand(charge_prog, 6, unbounded_facts, 6, NULL, 0);
    check(e, "helpers charge from the budget the code has left", a.status == MBPF_OK && a.r0 == 3 &&
          a.budget_left == 3 && b.status == MBPF_FAULT_BUDGET && b.fault.pc == 4,
          "r0 %llu, status %llu", a.r0, (unsigned long long)b.status);

    a = hand(callx_high, 4, NULL, 0, NULL, 0);
    b = hand(callx_low, 3, NULL, 0, NULL, 0);
    check(e, "callx id with bits above 31 is an unknown helper",
          a.status == MBPF_FAULT_HELPER && a.fault.pc == 2 && a.fault.addr == 0x100000001ull &&
              b.status == MBPF_OK && b.r0 == 7,
          "status %llu, id %llx", (unsigned long long)a.status, (unsigned long long)a.fault.addr);

    static uint8_t mem_jit[40], mem_interp[40];
    for (uint32_t i = 0; i < 40; i++)
        mem_jit[i] = mem_interp[i] = (uint8_t)(0x11u * i + 0x80u);
    a = hand(misaligned, 8, NULL, 0, mem_jit, 40);
    mbpf_program p = {misaligned, 8, NULL, 0, NULL, 0};
    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = &p;
    x.ctx = mem_interp;
    x.ctx_len = 40;
    x.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x.stack = stacks[0].bytes;
    x.stack_len = sizeof stacks[0].bytes;
    mbpf_exec_reset(&x);
    mbpf_status si = mbpf_interp_run(&x);
    check(e, "misaligned accesses give the interpreter's results", a.status == MBPF_OK && si == MBPF_OK &&
          a.r0 == x.r0 && !memcmp(mem_jit, mem_interp, 40), "r0 %llx, interp %llx", a.r0, x.r0);
}

/* ---- the work a budget allows (measure=1, under QEMU -icount) ----
 * Programs built to get the most guest instructions out of each budget unit, in translated code
 * with the loop facts set by hand: a bounded loop of the maximum trip count whose body is the
 * most expensive instruction (64-bit signed modulo, a runtime routine), a loop of memcpy calls of
 * the maximum size, a loop of calls to a helper that does nothing (the trampoline's cost), and a
 * log call formatting three maximal numbers. Each prints guest instructions per unit and, for the
 * loop, per unit and per instruction of the program (docs/runtime.md, "Budget"). */
#define BODY_PAIRS 64
static mbpf_insn measure_prog[8 + 2 * BODY_PAIRS + 4];
static uint32_t measure_head, measure_edge;

static void measure_facts(mbpf_fact *f)
{
    f[measure_head].flags |= MBPF_FACT_LOOP_HEAD;
    f[measure_head].aux = (uint8_t)(MBPF_LOOP_MAX_TRIPS - 1u);
    f[measure_edge].flags |= MBPF_FACT_BACKEDGE | MBPF_FACT_BOUNDED;
}

/* A loop of MBPF_LOOP_MAX_TRIPS trips around `body` (n instructions); returns the length. */
static uint32_t measure_loop(const mbpf_insn *body, uint32_t n, const mbpf_insn *setup, uint32_t n_setup)
{
    uint32_t at = 0;
    for (uint32_t i = 0; i < n_setup; i++)
        measure_prog[at++] = setup[i];
    measure_prog[at++] = MOV64(6, (int32_t)MBPF_LOOP_MAX_TRIPS);
    measure_head = at;
    for (uint32_t i = 0; i < n; i++)
        measure_prog[at++] = body[i];
    measure_prog[at++] = ALU64_IMM(MBPF_SUB, 6, 1);
    measure_edge = at;
    measure_prog[at] = JMP_IMM(MBPF_JNE, 6, 0, (int16_t)((int32_t)measure_head - (int32_t)at - 1));
    at++;
    measure_prog[at++] = MOV64(0, 0);
    measure_prog[at++] = EXIT();
    return at;
}

static void measure_print(const char *what, const hand_run *r, uint64_t units, uint32_t n)
{
    printf("measure %s: status %u, %lu guest insns, %lu units, %lu insns/unit, %lu.%02lu insns/unit/insn "
           "(n=%lu)\n", what, (unsigned)r->status, (unsigned long)r->insns, (unsigned long)units,
           (unsigned long)(r->insns / units), (unsigned long)(r->insns / units / n),
           (unsigned long)(r->insns * 100u / units / n % 100u), (unsigned long)n);
}

static void measure(void)
{
    static uint8_t big[8192] __attribute__((aligned(8)));
    static mbpf_insn body[2 * BODY_PAIRS];
    const uint64_t trips = MBPF_LOOP_MAX_TRIPS;
    runtime_init(MBPF_RT_NATIVE_TARGET, sizeof code_arena);
    tenants_init();

    /* 1: r5 = r4; r5 s%= r3, BODY_PAIRS times, MBPF_LOOP_MAX_TRIPS trips: trips units */
    const mbpf_insn div_setup[] = {LDDW(4, 0xfedcba9876543210ull), LDDW(3, 0x123456789ull)};
    for (uint32_t i = 0; i < BODY_PAIRS; i++) {
        body[2 * i] = MOV64R(5, 4);
        body[2 * i + 1] = INSN(MBPF_ALU64 | MBPF_MOD | MBPF_X, 5, 3, 1, 0);
    }
    uint32_t n = measure_loop(body, 2 * BODY_PAIRS, div_setup, 4);
    hand_run r = hand(measure_prog, n, measure_facts, trips, NULL, 0);
    measure_print("loop of 64-bit signed modulo", &r, trips, n);

    /* 2: memcpy(big + 4096, big, 4096) per trip: trips + trips * (1 + 256) units */
    hand_helpers[MBPF_HELPER_MEMCPY] = rt.helpers[MBPF_HELPER_MEMCPY];
    const mbpf_insn copy_body[] = {MOV64R(7, 1), MOV64R(2, 1), ALU64_IMM(MBPF_ADD, 1, 4096),
                                   MOV64(3, (int32_t)MBPF_HELPER_MEM_MAX), CALL(MBPF_HELPER_MEMCPY),
                                   MOV64R(1, 7)};
    n = measure_loop(copy_body, 6, NULL, 0);
    uint64_t units = trips + trips * (1u + MBPF_HELPER_BYTES_COST(MBPF_HELPER_MEM_MAX));
    r = hand(measure_prog, n, measure_facts, units, big, sizeof big);
    measure_print("loop of 4 KiB memcpy", &r, units, n);

    /* 3: 32 calls of a helper that does nothing per trip: trips * 33 units */
    for (uint32_t i = 0; i < 32; i++)
        body[i] = CALL(1);
    n = measure_loop(body, 32, NULL, 0);
    units = trips * 33u;
    r = hand(measure_prog, n, measure_facts, units, NULL, 0);
    measure_print("loop of helper calls", &r, units, n);

    /* 4: log("%u%u%u", 3 x UINT64_MAX) through the runtime: 1 + 1 units */
    mbpf_rt_error err;
    uint64_t r0;
    int ok = load(&slots[0], "log_max", 0, 0, &err) == MBPF_RT_OK &&
             run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK; /* translated and cached */
    uint32_t t0 = board_counter_read();
    mbpf_status st = ok ? run(&slots[0], 0, 0, 0, 0, &r0) : MBPF_FAULT_BAD_INSN;
    hand_run lr;
    memset(&lr, 0, sizeof lr);
    lr.status = st;
    lr.insns = board_counter_to_insns(board_counter_read() - t0);
    measure_print("log of three 64-bit numbers (whole mbpf_rt_run)", &lr,
                  1u + MBPF_HELPER_BYTES_COST(6) + 3u * MBPF_HELPER_LOG_NUMBER_COST, 1);
}

/* Code cache: eviction when the arena is small, fallback when it is tiny. */
static void cache_checks(mbpf_target target)
{
    static const char *const names[] = {"legit", "kv_peek", "kv_poke", "read_at"};
    mbpf_rt_error err;
    uint64_t r0;
    runtime_init(target, two_programs(target));
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
    const mbpf_rt_cache_entry *only = mbpf_rt_cache_next(&rt, NULL); /* one entry, its code once */
    check("jit", "two tenants share translated code, not data", ok && slots[1].prog.stats.cache_hits >= 1 &&
          only && !mbpf_rt_cache_next(&rt, only) &&
          only->len == slots[0].prog.stats.code_bytes + ((8u - slots[0].prog.stats.code_bytes % 8u) % 8u),
          "hits %llu, arena bytes %llu", (unsigned long long)slots[1].prog.stats.cache_hits,
          (unsigned long long)rt.code_used);
}

/* A slot still loaded when its runtime is initialised again: its next run must not call the
 * code its pointer named (the arena now holds another program's there): it translates again. */
static void reinit_checks(mbpf_target target)
{
    mbpf_rt_error err;
    uint64_t r0 = 0, r1 = 0;
    runtime_init(target, sizeof code_arena);
    tenants_init();
    uint64_t *own = (uint64_t *)(void *)ctxs[0].bytes;
    int ok = load(&slots[0], "legit", 0, 0, &err) == MBPF_RT_OK && run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK &&
             r0 == 1;
    runtime_init(target, sizeof code_arena);
    ok = ok && load(&slots[1], "read_at", 0, 0, &err) == MBPF_RT_OK &&
         run(&slots[1], 0, (uint64_t)(uintptr_t)&own[1], 9, 3, &r1) == MBPF_OK && r1 == 9;
    const uint32_t misses = slots[0].prog.stats.cache_misses;
    ok = ok && run(&slots[0], 0, 0, 0, 0, &r0) == MBPF_OK && r0 == 2;
    check("jit", "a slot loaded before the runtime's init again translates again, not stale code",
          ok && slots[0].prog.stats.cache_misses == misses + 1, "r0=%llu, misses %llu",
          (unsigned long long)r0, (unsigned long long)(slots[0].prog.stats.cache_misses - misses));
}

int main(int argc, char **argv)
{
    board_counter_init();
    const char *d = board_arg(argc, argv, "dir");
    if (d)
        dir = d;
    if (board_arg(argc, argv, "measure")) {
        measure();
        return 0;
    }
    runtime_init(MBPF_TARGET_NONE, 0);
    isolation("interp", 0);
    hardening("interp", 0);
    runtime_init(MBPF_RT_NATIVE_TARGET, sizeof code_arena);
    isolation("jit", 0);
    hardening("jit", 0);
    runtime_init(MBPF_RT_NATIVE_TARGET, sizeof code_arena);
    isolation("aot", 1);
    hardening("aot", 1);
    cache_checks(MBPF_RT_NATIVE_TARGET);
    unload_checks(MBPF_RT_NATIVE_TARGET);
    reinit_checks(MBPF_RT_NATIVE_TARGET);
    budget_checks();
    printf("summary checks=%lu failures=%lu\n", (unsigned long)checks, (unsigned long)failures);
    return 0;
}
