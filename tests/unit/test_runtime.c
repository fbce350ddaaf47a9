/* The runtime API on the host (interpreter engine): loading containers, verification errors,
 * tenants' kv namespaces and helper permissions, budgets, hot swap, statistics. The JIT and AOT
 * paths of the same API run on the emulated boards (tests/tenants). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aot/container_write.h"
#include "mcubpf/helpers.h"
#include "mcubpf/runtime.h"
#include "tests/unit/bpf_asm.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t work[64 * 1024] __attribute__((aligned(8)));
static mbpf_kv_entry kv_entries[8];
static mbpf_kv kv = {kv_entries, ARRAY_LEN(kv_entries)};
static char log_buf[256];

static void log_write(void *user, const char *s, uint32_t len)
{
    (void)user;
    memcpy(log_buf, s, len);
    log_buf[len] = '\0';
}

static uint32_t now_ms(void *user)
{
    (void)user;
    return 1234;
}

static mbpf_runtime rt;
static uint8_t stacks[3][MBPF_STACK_SIZE * 2] __attribute__((aligned(8)));
static mbpf_tenant tenants[3];

static void setup(void)
{
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_TARGET_NONE;
    cfg.work = work;
    cfg.work_len = sizeof work;
    cfg.kv = &kv;
    cfg.services.log_write = log_write;
    cfg.services.now_ms = now_ms;
    memset(kv_entries, 0, sizeof kv_entries);
    cr_assert_eq(mbpf_rt_init(&rt, &cfg), MBPF_RT_OK);
    mbpf_rt_register_default_helpers(&rt);
    for (uint32_t i = 0; i < 3; i++) {
        tenants[i].id = i;
        tenants[i].helper_mask = 0xffffu;
        tenants[i].ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
        tenants[i].stack = stacks[i];
        tenants[i].stack_len = sizeof stacks[i];
        tenants[i].budget = 1000;
    }
}

TestSuite(runtime, .init = setup);

/* A container of insns (plus a data region of data_len zero bytes). Caller frees. */
static uint8_t *pack(const mbpf_insn *insns, uint32_t n, uint32_t data_len, size_t *len)
{
    static uint8_t data[64];
    mbpf_program p = {insns, n, NULL, 0, data, data_len};
    uint8_t *c = mbpf_container_build(&p, 0, len);
    cr_assert_not_null(c);
    return c;
}

typedef struct loaded {
    mbpf_prog prog;
    uint8_t data[64];
    uint8_t *buf;
} loaded;

static int load(loaded *l, uint32_t tenant, const mbpf_insn *insns, uint32_t n, uint32_t data_len)
{
    size_t len;
    memset(l, 0, sizeof *l);
    l->prog.data = l->data;
    l->prog.data_cap = sizeof l->data;
    l->buf = pack(insns, n, data_len, &len);
    mbpf_rt_error err;
    return mbpf_rt_load(&rt, &l->prog, &tenants[tenant], l->buf, len, &err);
}

static uint64_t run(loaded *l, void *ctx, uint32_t ctx_len, mbpf_status expect)
{
    uint64_t r0 = 0;
    mbpf_fault f;
    cr_assert_eq(mbpf_rt_run(&rt, &l->prog, ctx, ctx_len, &r0, &f), expect);
    return r0;
}

Test(runtime, loads_and_runs_a_container)
{
    const mbpf_insn prog[] = {MOV64(0, 41), ALU64_IMM(MBPF_ADD, 0, 1), EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 42);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 42);
    cr_assert_eq(l.prog.stats.runs, 2);
    cr_assert_eq(l.prog.stats.engine, MBPF_RT_ENGINE_INTERP);
    cr_assert_eq(l.prog.stats.faults, 0);
    free(l.buf);
}

Test(runtime, verifier_rejection_is_reported_with_the_instruction)
{
    const mbpf_insn prog[] = {MOV64(0, 0), ST(MBPF_B, MBPF_REG_FP, 0, 1), EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_ERR_VERIFY);
    cr_assert(strstr(mbpf_rt_last_message(&rt), "verify: insn 1 (stb [r10], 1)"), "%s",
              mbpf_rt_last_message(&rt));
    cr_assert_eq(mbpf_rt_run(&rt, &l.prog, NULL, 0, NULL, NULL), MBPF_FAULT_BAD_INSN);
    free(l.buf);
}

Test(runtime, helper_outside_the_mask_is_refused_at_load)
{
    const mbpf_insn prog[] = {CALL(MBPF_HELPER_NOW_MS), EXIT()};
    loaded l;
    tenants[1].helper_mask = 1u << MBPF_HELPER_LOG;
    cr_assert_eq(load(&l, 1, prog, ARRAY_LEN(prog), 0), MBPF_RT_ERR_VERIFY);
    cr_assert(strstr(mbpf_rt_last_message(&rt), "helper"), "%s", mbpf_rt_last_message(&rt));
    free(l.buf);
    tenants[1].helper_mask = 1u << MBPF_HELPER_NOW_MS;
    cr_assert_eq(load(&l, 1, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 1234);
    free(l.buf);
}

Test(runtime, corrupted_container_is_refused)
{
    const mbpf_insn prog[] = {MOV64(0, 1), EXIT()};
    size_t len;
    uint8_t *c = pack(prog, ARRAY_LEN(prog), 0, &len);
    mbpf_prog p;
    memset(&p, 0, sizeof p);
    mbpf_rt_error err;
    for (size_t bit = 0; bit < len * 8; bit += 7) {
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_assert_neq(mbpf_rt_load(&rt, &p, &tenants[0], c, len, &err), MBPF_RT_OK, "bit %zu", bit);
        cr_assert_neq(err.msg, NULL);
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_assert_eq(mbpf_rt_load(&rt, &p, &tenants[0], c, len, &err), MBPF_RT_OK);
    free(c);
}

/* kv_store(7, 40 + tenant) then kv_fetch(7) and kv_fetch_global(1). */
Test(runtime, kv_namespaces_are_per_tenant)
{
    const mbpf_insn store[] = {LDX(MBPF_DW, 2, 1, 0), MOV64(1, 7), CALL(MBPF_HELPER_KV_STORE), EXIT()};
    const mbpf_insn fetch[] = {ST(MBPF_DW, MBPF_REG_FP, -8, 0), MOV64(1, 7), MOV64R(2, MBPF_REG_FP),
                               ALU64_IMM(MBPF_ADD, 2, -8), CALL(MBPF_HELPER_KV_FETCH),
                               LDX(MBPF_DW, 0, MBPF_REG_FP, -8), EXIT()};
    const mbpf_insn gstore[] = {MOV64(1, 1), MOV64(2, 99), CALL(MBPF_HELPER_KV_STORE_GLOBAL), EXIT()};
    const mbpf_insn gfetch[] = {ST(MBPF_DW, MBPF_REG_FP, -8, 0), MOV64(1, 1), MOV64R(2, MBPF_REG_FP),
                                ALU64_IMM(MBPF_ADD, 2, -8), CALL(MBPF_HELPER_KV_FETCH_GLOBAL),
                                LDX(MBPF_DW, 0, MBPF_REG_FP, -8), EXIT()};
    loaded s[3], f[3], gs, gf;
    for (uint32_t t = 0; t < 3; t++) {
        cr_assert_eq(load(&s[t], t, store, ARRAY_LEN(store), 0), MBPF_RT_OK);
        cr_assert_eq(load(&f[t], t, fetch, ARRAY_LEN(fetch), 0), MBPF_RT_OK);
    }
    uint64_t v = 40;
    run(&s[0], &v, 8, MBPF_OK);
    v = 42;
    run(&s[2], &v, 8, MBPF_OK);
    cr_assert_eq(run(&f[0], NULL, 0, MBPF_OK), 40);
    cr_assert_eq(run(&f[1], NULL, 0, MBPF_OK), 0, "tenant 1 sees nothing under key 7");
    cr_assert_eq(run(&f[2], NULL, 0, MBPF_OK), 42);
    cr_assert_eq(load(&gs, 0, gstore, ARRAY_LEN(gstore), 0), MBPF_RT_OK);
    cr_assert_eq(load(&gf, 2, gfetch, ARRAY_LEN(gfetch), 0), MBPF_RT_OK);
    run(&gs, NULL, 0, MBPF_OK);
    cr_assert_eq(run(&gf, NULL, 0, MBPF_OK), 99, "the global namespace is shared");
    for (uint32_t t = 0; t < 3; t++) {
        free(s[t].buf);
        free(f[t].buf);
    }
    free(gs.buf);
    free(gf.buf);
}

Test(runtime, helpers_refuse_pointers_into_another_tenant)
{
    /* memcpy(r10-8, *(u64 *)ctx, 8): the source address comes from the context */
    const mbpf_insn attack[] = {LDX(MBPF_DW, 2, 1, 0), MOV64R(1, MBPF_REG_FP), ALU64_IMM(MBPF_ADD, 1, -8),
                                MOV64(3, 8), CALL(MBPF_HELPER_MEMCPY), EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 1, attack, ARRAY_LEN(attack), 0), MBPF_RT_OK);
    uint64_t target = (uint64_t)(uintptr_t)(stacks[0] + 64);
    mbpf_fault fault;
    cr_assert_eq(mbpf_rt_run(&rt, &l.prog, &target, 8, NULL, &fault), MBPF_FAULT_HELPER_ARG);
    cr_assert_eq(l.prog.stats.faults, 1);
    target = (uint64_t)(uintptr_t)&target; /* its own context: allowed */
    cr_assert_eq(run(&l, &target, 8, MBPF_OK), 8);
    free(l.buf);
}

Test(runtime, budget_stops_a_runaway_loop_and_the_next_run_works)
{
    const mbpf_insn prog[] = {MOV64(0, 0), JMP_IMM(MBPF_JEQ, 1, 0, 2), ALU64_IMM(MBPF_ADD, 0, 1), JA(-2),
                              EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    uint8_t ctx[4] = {0};
    run(&l, ctx, 4, MBPF_FAULT_BUDGET);
    cr_assert_eq(l.prog.stats.budget_stops, 1);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 0);
    free(l.buf);
}

Test(runtime, data_persists_between_runs_and_hot_swap_replaces_the_program)
{
    const mbpf_insn counter[] = {LDDW_REGION(1, MBPF_REGION_ID_DATA, 0), LDX(MBPF_DW, 0, 1, 0),
                                 ALU64_IMM(MBPF_ADD, 0, 1), STX(MBPF_DW, 1, 0, 0), EXIT()};
    const mbpf_insn by_ten[] = {LDDW_REGION(1, MBPF_REGION_ID_DATA, 0), LDX(MBPF_DW, 0, 1, 0),
                                ALU64_IMM(MBPF_ADD, 0, 10), STX(MBPF_DW, 1, 0, 0), EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 0, counter, ARRAY_LEN(counter), 8), MBPF_RT_OK);
    run(&l, NULL, 0, MBPF_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 2);
    size_t len;
    uint8_t *next = pack(by_ten, ARRAY_LEN(by_ten), 8, &len);
    mbpf_rt_error err;
    next[len - 1] ^= 1; /* a corrupted update leaves the old program running */
    cr_assert_eq(mbpf_rt_replace(&rt, &l.prog, next, len, &err), MBPF_RT_ERR_FORMAT);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 3);
    next[len - 1] ^= 1;
    cr_assert_eq(mbpf_rt_replace(&rt, &l.prog, next, len, &err), MBPF_RT_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 10, "new program, fresh data");
    cr_assert_eq(l.prog.stats.swaps, 1);
    cr_assert_eq(l.prog.stats.runs, 1);
    free(next);
    free(l.buf);
}

Test(runtime, log_formats_its_arguments)
{
    static const char fmt[] = "t=%u x=%x d=%d %%";
    /* the format lives in rodata */
    const mbpf_insn prog[] = {LDDW_REGION(1, MBPF_REGION_ID_RODATA, 0), MOV64(2, sizeof fmt - 1),
                              MOV64(3, 7), MOV64(4, 255), MOV64(5, -3), CALL(MBPF_HELPER_LOG), EXIT()};
    mbpf_program p = {prog, ARRAY_LEN(prog), (const uint8_t *)fmt, sizeof fmt, NULL, 0};
    size_t len;
    uint8_t *c = mbpf_container_build(&p, 0, &len);
    cr_assert_not_null(c);
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &tenants[0], c, len, &err), MBPF_RT_OK, "%s",
                 mbpf_rt_last_message(&rt));
    uint64_t r0;
    cr_assert_eq(mbpf_rt_run(&rt, &slot, NULL, 0, &r0, NULL), MBPF_OK);
    cr_assert_str_eq(log_buf, "t=7 x=ff d=-3 %");
    cr_assert_eq(r0, strlen(log_buf));
    free(c);
}

Test(runtime, aot_images_need_policy_and_a_native_engine)
{
    static const uint8_t not_code[64] = {0x4d, 0x42, 0x50, 0x49}; /* "MBPI" magic, nothing else */
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &tenants[0], not_code, sizeof not_code, &err),
                 MBPF_RT_ERR_PERMISSION);
    rt.cfg.flags |= MBPF_RT_ALLOW_AOT;
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &tenants[0], not_code, sizeof not_code, &err),
                 MBPF_RT_ERR_TARGET, "the host has no native engine");
    cr_assert_eq(mbpf_rt_run(&rt, &slot, NULL, 0, NULL, NULL), MBPF_FAULT_BAD_INSN);
}

Test(runtime, slot_too_small_for_the_data_is_refused)
{
    const mbpf_insn prog[] = {MOV64(0, 0), EXIT()};
    loaded l;
    memset(&l, 0, sizeof l);
    size_t len;
    l.buf = pack(prog, ARRAY_LEN(prog), 64, &len);
    l.prog.data = l.data;
    l.prog.data_cap = 32;
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &l.prog, &tenants[0], l.buf, len, &err), MBPF_RT_ERR_NOMEM);
    free(l.buf);
}

Test(runtime, kept_facts_charge_bounded_loops_at_entry)
{
    /* r0 = sum of 0..99: a counted loop the verifier proves bounded */
    const mbpf_insn prog[] = {MOV64(0, 0), MOV64(3, 0), ALU64_REG(MBPF_ADD, 0, 3), ALU64_IMM(MBPF_ADD, 3, 1),
                              JMP_IMM(MBPF_JLT, 3, 100, -3), EXIT()};
    tenants[0].budget = 98;
    loaded l;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    run(&l, NULL, 0, MBPF_FAULT_BUDGET); /* no facts kept: 99 taken back edges cost a unit each */
    free(l.buf);
    static mbpf_fact facts[16];
    size_t len;
    memset(&l, 0, sizeof l);
    l.prog.facts = facts;
    l.prog.facts_cap = 16;
    l.buf = pack(prog, ARRAY_LEN(prog), 0, &len);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &l.prog, &tenants[0], l.buf, len, &err), MBPF_RT_OK);
    cr_assert(l.prog.facts_kept);
    cr_assert(facts[4].flags & MBPF_FACT_BOUNDED);
    cr_assert(facts[2].flags & MBPF_FACT_LOOP_HEAD);
    /* with facts the loop's trip bound is charged once, at its head; the back edges are free */
    const uint32_t trips = MBPF_FACT_TRIPS(&facts[2]);
    cr_assert(trips >= 99 && trips <= MBPF_LOOP_MAX_TRIPS, "trip bound %u", trips);
    tenants[0].budget = trips;
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 4950);
    tenants[0].budget = trips - 1;
    run(&l, NULL, 0, MBPF_FAULT_BUDGET);
    free(l.buf);
    tenants[0].budget = 0;
}

Test(runtime, missing_arguments_are_refused)
{
    const mbpf_insn prog[] = {MOV64(0, 1), EXIT()};
    size_t len;
    uint8_t *c = pack(prog, ARRAY_LEN(prog), 0, &len);
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(NULL, &slot, &tenants[0], c, len, &err), MBPF_RT_ERR_ARG);
    cr_assert_eq(mbpf_rt_load(&rt, NULL, &tenants[0], c, len, &err), MBPF_RT_ERR_ARG);
    cr_assert_eq(mbpf_rt_load(&rt, &slot, NULL, c, len, &err), MBPF_RT_ERR_ARG);
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &tenants[0], NULL, len, &err), MBPF_RT_ERR_ARG);
    cr_assert_eq(mbpf_rt_replace(&rt, &slot, c, len, &err), MBPF_RT_ERR_ARG, "nothing loaded yet");
    cr_assert_eq(mbpf_rt_run(&rt, NULL, NULL, 0, NULL, NULL), MBPF_FAULT_BAD_INSN);
    free(c);
}

Test(runtime, reserved_tenant_ids_are_refused)
{
    const mbpf_insn prog[] = {MOV64(0, 1), EXIT()};
    loaded l;
    tenants[1].id = 0xfffffffeu; /* its namespace would be the global one */
    cr_assert_eq(load(&l, 1, prog, ARRAY_LEN(prog), 0), MBPF_RT_ERR_ARG);
    cr_assert(strstr(mbpf_rt_last_message(&rt), "reserved"), "%s", mbpf_rt_last_message(&rt));
    free(l.buf);
    tenants[1].id = 0xffffffffu; /* its namespace would be 0, the free-entry marker */
    cr_assert_eq(load(&l, 1, prog, ARRAY_LEN(prog), 0), MBPF_RT_ERR_ARG);
    free(l.buf);
    tenants[1].id = MBPF_RT_TENANT_ID_MAX;
    cr_assert_eq(load(&l, 1, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 1);
    free(l.buf);
}

/* kv_store(key = ctx[0], 1): 0 or -1 */
static const mbpf_insn kv_store_key[] = {LDX(MBPF_DW, 1, 1, 0), MOV64(2, 1), CALL(MBPF_HELPER_KV_STORE), EXIT()};

static uint64_t store_key(loaded *l, uint64_t key)
{
    return run(l, &key, 8, MBPF_OK);
}

Test(runtime, one_tenant_cannot_fill_the_kv_store)
{
    loaded a, b;
    cr_assert_eq(load(&a, 0, kv_store_key, ARRAY_LEN(kv_store_key), 0), MBPF_RT_OK);
    cr_assert_eq(load(&b, 1, kv_store_key, ARRAY_LEN(kv_store_key), 0), MBPF_RT_OK);
    const uint32_t quota = MBPF_KV_DEFAULT_QUOTA(ARRAY_LEN(kv_entries));
    for (uint64_t k = 0; k < quota; k++)
        cr_assert_eq(store_key(&a, k), 0);
    cr_assert_eq(store_key(&a, quota), (uint64_t)-1, "over its quota");
    cr_assert_eq(store_key(&a, 0), 0, "an existing key can still be updated");
    cr_assert_eq(store_key(&b, 0), 0, "another tenant still has room");
    free(a.buf);
    free(b.buf);
}

Test(runtime, kv_quota_is_configurable)
{
    rt.cfg.kv_quota = 5;
    loaded a;
    cr_assert_eq(load(&a, 0, kv_store_key, ARRAY_LEN(kv_store_key), 0), MBPF_RT_OK);
    for (uint64_t k = 0; k < 5; k++)
        cr_assert_eq(store_key(&a, 100 + k), 0);
    cr_assert_eq(store_key(&a, 200), (uint64_t)-1);
    free(a.buf);
}

/* Helper 12 tries to change the runtime under the running program. */
static loaded *reentry_self;
static int reentry_codes[4];

static uint64_t reenter(mbpf_exec *x, const uint64_t a[5])
{
    (void)a;
    mbpf_runtime *r = mbpf_rt_of(x);
    mbpf_rt_error err;
    size_t len;
    const mbpf_insn other[] = {MOV64(0, 9), EXIT()};
    uint8_t *c = pack(other, ARRAY_LEN(other), 0, &len);
    mbpf_prog fresh;
    memset(&fresh, 0, sizeof fresh);
    reentry_codes[0] = mbpf_rt_replace(r, &reentry_self->prog, c, len, &err);
    reentry_codes[1] = mbpf_rt_load(r, &fresh, &tenants[0], c, len, &err);
    reentry_codes[2] = mbpf_rt_unload(r, &reentry_self->prog);
    reentry_codes[3] = (int)mbpf_rt_run(r, &reentry_self->prog, NULL, 0, NULL, NULL);
    free(c);
    return 77;
}

Test(runtime, load_replace_unload_and_run_from_a_helper_fail_cleanly)
{
    cr_assert_eq(mbpf_rt_register_helper(&rt, 12, reenter), MBPF_RT_OK);
    const mbpf_insn prog[] = {CALL(12), EXIT()};
    loaded l;
    reentry_self = &l;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 77);
    cr_assert_eq(reentry_codes[0], MBPF_RT_ERR_BUSY);
    cr_assert_eq(reentry_codes[1], MBPF_RT_ERR_BUSY);
    cr_assert_eq(reentry_codes[2], MBPF_RT_ERR_BUSY);
    cr_assert_eq(reentry_codes[3], MBPF_FAULT_BAD_INSN);
    cr_assert(strstr(mbpf_rt_last_message(&rt), "inside a run"), "%s", mbpf_rt_last_message(&rt));
    cr_assert(l.prog.loaded, "the running program stays loaded");
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 77, "and runs again");
    cr_assert_eq(mbpf_rt_unload(&rt, &l.prog), MBPF_RT_OK, "outside a run it unloads");
    cr_assert_eq(mbpf_rt_run(&rt, &l.prog, NULL, 0, NULL, NULL), MBPF_FAULT_BAD_INSN);
    cr_assert_eq(mbpf_rt_unload(NULL, &l.prog), MBPF_RT_ERR_ARG);
    free(l.buf);
}

Test(runtime, memcpy_work_is_charged_to_the_budget)
{
    /* memcpy(r10-64, ctx, 64): 64 / 16 = 4 units for the copy (and 1 for the call) */
    const mbpf_insn prog[] = {MOV64R(2, 1), MOV64R(1, MBPF_REG_FP), ALU64_IMM(MBPF_ADD, 1, -64), MOV64(3, 64),
                              CALL(MBPF_HELPER_MEMCPY), EXIT()};
    uint8_t ctx[64] = {0};
    loaded l;
    tenants[0].budget = MBPF_HELPER_BYTES_COST(64) - 1;
    cr_assert_eq(load(&l, 0, prog, ARRAY_LEN(prog), 0), MBPF_RT_OK);
    mbpf_fault f;
    cr_assert_eq(mbpf_rt_run(&rt, &l.prog, ctx, 64, NULL, &f), MBPF_FAULT_BUDGET);
    cr_assert_eq(f.pc, 4, "the call is the charging instruction");
    tenants[0].budget = 1 + MBPF_HELPER_BYTES_COST(64);
    cr_assert_eq(run(&l, ctx, 64, MBPF_OK), 64);
    free(l.buf);
}

Test(runtime, programs_with_room_run_pre_decoded)
{
    /* r0 = sum of 0..99 through a bounded loop, then a store to the stack and a load back */
    const mbpf_insn prog[] = {MOV64(0, 0), MOV64(3, 0), ALU64_REG(MBPF_ADD, 0, 3), ALU64_IMM(MBPF_ADD, 3, 1),
                              JMP_IMM(MBPF_JLT, 3, 100, -3), STX(MBPF_DW, 10, 0, -8), LDX(MBPF_DW, 0, 10, -8),
                              EXIT()};
    static uint32_t code[1024];
    size_t len;
    loaded l;
    memset(&l, 0, sizeof l);
    l.prog.interp_code = code;
    l.prog.interp_cap = (uint32_t)mbpf_rt_interp_size(ARRAY_LEN(prog));
    cr_assert_leq(l.prog.interp_cap, sizeof code);
    l.buf = pack(prog, ARRAY_LEN(prog), 0, &len);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &l.prog, &tenants[0], l.buf, len, &err), MBPF_RT_OK);
    cr_assert(l.prog.interp_ready);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 4950);
    tenants[0].budget = 50; /* the loop's entry charge is more than that: the same stop as without */
    run(&l, NULL, 0, MBPF_FAULT_BUDGET);
    free(l.buf);

    /* too little room: the program still runs, decoded as it goes */
    tenants[0].budget = 1000;
    memset(&l, 0, sizeof l);
    l.prog.interp_code = code;
    l.prog.interp_cap = 16;
    l.buf = pack(prog, ARRAY_LEN(prog), 0, &len);
    cr_assert_eq(mbpf_rt_load(&rt, &l.prog, &tenants[0], l.buf, len, &err), MBPF_RT_OK);
    cr_assert(!l.prog.interp_ready);
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 4950);
    free(l.buf);
}

Test(runtime, load_refuses_what_the_tenant_cannot_run)
{
    /* a local call needs a second stack frame: a tenant with one frame refuses it at load */
    const mbpf_insn calls[] = {CALL_LOCAL(1), EXIT(), MOV64(0, 7), EXIT()};
    loaded l;
    cr_assert_eq(load(&l, 0, calls, ARRAY_LEN(calls), 0), MBPF_RT_OK); /* two frames: runs */
    cr_assert_eq(run(&l, NULL, 0, MBPF_OK), 7);
    free(l.buf);
    tenants[0].stack_len = MBPF_STACK_SIZE;
    cr_assert_eq(load(&l, 0, calls, ARRAY_LEN(calls), 0), MBPF_RT_ERR_VERIFY);
    cr_assert(strstr(mbpf_rt_last_message(&rt), "deep"), "%s", mbpf_rt_last_message(&rt));
    free(l.buf);

    /* MBPF_RT_STRICT: an access the verifier cannot prove (the context has no promised length) */
    const mbpf_insn reads_ctx[] = {LDX(MBPF_W, 0, 1, 0), EXIT()};
    tenants[0].stack_len = sizeof stacks[0];
    cr_assert_eq(load(&l, 0, reads_ctx, ARRAY_LEN(reads_ctx), 0), MBPF_RT_OK);
    free(l.buf);
    rt.cfg.flags |= MBPF_RT_STRICT;
    cr_assert_eq(load(&l, 0, reads_ctx, ARRAY_LEN(reads_ctx), 0), MBPF_RT_ERR_VERIFY);
    free(l.buf);
}
