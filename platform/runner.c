/* Runner firmware for the emulated boards: reads a bundle (platform/bundle.h) named on the
 * semihosting command line, verifies the program, runs it with the engine asked for and prints
 * one line the host parses:
 *   result status=N r0=0x.. pc=N addr=0x.. size=N insns=N code_insns=N verify_insns=N
 *          jit_insns=N code_bytes=N mem_hash=0x..   (interp: jit_insns and code_bytes are the
 *          pre-decoding; jit, aot: code_insns is the translated code alone, entry to return)
 * (runtime mode: insns from the call of mbpf_rt_run to its return, engine=NAME)
 * or   reject <message>    (verifier or translator refused the program)
 * or   error <message>     (the runner itself could not work: bad bundle, I/O)
 * In runtime mode (MBPF_BUNDLE_RUNTIME) the program runs as a tenant's through the runtime API
 * with the default helpers; "log <line>" lines and, after the run, "kv <ns> <key> <value>" lines
 * of the key/value store come before the result line.
 * The process exit code is 0 when one of these lines was printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/container.h"
#include "mcubpf/helpers.h"
#include "mcubpf/interp.h"
#include "mcubpf/jit.h"
#include "jit/jit_runtime.h"
#include "mcubpf/profile.h"
#include "mcubpf/runtime.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "platform/board.h"
#include "platform/args.h"
#include "platform/bundle.h"
#include "platform/where.h"
#include "tests/diff/randprog.h"

#define BUNDLE_MAX (1024u * 1024u)
#define CODE_MAX (256u * 1024u)

static uint8_t bundle[BUNDLE_MAX] __attribute__((aligned(8)));
/* Guard zones filled with a canary pattern surround the stack, the context memory and the
 * program's data: after each run the runner reports whether any byte of them changed. */
#define GUARD 64u
#define MEM_MAX (64u * 1024u)
static struct {
    uint8_t before[GUARD];
    uint8_t stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH];
    uint8_t after[GUARD];
} stack_zone __attribute__((aligned(8)));
static struct {
    uint8_t before[GUARD];
    uint8_t bytes[MEM_MAX];
} mem_zone __attribute__((aligned(8)));
static struct {
    uint8_t before[GUARD];
    uint8_t bytes[MEM_MAX];
} data_zone __attribute__((aligned(8)));
#define STACK_BYTES (MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH)

static uint8_t canary(uint32_t i)
{
    return (uint8_t)(0xa5u ^ (i * 29u));
}

static void fill_guard(uint8_t *g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        g[i] = canary(i);
}

static int guard_intact(const uint8_t *g, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (g[i] != canary(i))
            return 0;
    return 1;
}
static uint8_t arena[MBPF_MAX_INSNS * 24u] __attribute__((aligned(8)));
static uint8_t code[CODE_MAX] __attribute__((aligned(8), unused));
static mbpf_fact facts[MBPF_MAX_INSNS];

static int error(const char *what)
{
    printf("error %s\n", what);
    return 1;
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t pad8(uint32_t n)
{
    return (n + 7u) & ~7u;
}

/* Measured calls: the window's own cost is taken from an empty call through the same path. */
typedef struct run_args {
    int engine;
    mbpf_exec *x;
    const uint8_t *code; /* translated code, or the interpreter's pre-decoded form */
    uint32_t entry;
} run_args;

static __attribute__((noinline)) mbpf_status run_engine(run_args *a)
{
    if (!a)
        return MBPF_OK; /* the empty call that measures the window */
#if MBPF_RUNNER_HAS_JIT
    if (a->engine != MBPF_ENGINE_INTERP)
        return mbpf_jit_run(a->x, a->code, a->entry);
#endif
    return mbpf_interp_exec(a->x, a->code);
}

static uint32_t window_cost(void)
{
    uint32_t t0 = board_counter_read();
    run_engine(NULL);
    uint32_t t1 = board_counter_read();
    return board_counter_to_insns(t1 - t0);
}

#if MBPF_RUNNER_HAS_JIT
/* The translated code alone: a call between two counter reads, from the same call site as an
 * empty function of two instructions, so that code_insns = measured - empty + 2. */
#if defined(__arm__)
__attribute__((naked)) static uint32_t empty_code(__attribute__((unused)) mbpf_jit_block *b,
                                                  __attribute__((unused)) uint32_t ctx,
                                                  __attribute__((unused)) uint32_t ctx_len)
{
    __asm__ volatile("movs r0, #0\n\tbx lr");
}
#else
__attribute__((naked)) static uint32_t empty_code(__attribute__((unused)) mbpf_jit_block *b,
                                                  __attribute__((unused)) uint32_t ctx,
                                                  __attribute__((unused)) uint32_t ctx_len)
{
    __asm__ volatile("li a0, 0\n\tret");
}
#endif

static __attribute__((noinline)) uint32_t timed_call(mbpf_jit_fn fn, mbpf_jit_block *b,
                                                     const mbpf_exec *x)
{
    uint32_t t0 = board_counter_read();
    mbpf_jit_fill_call(fn, b, x);
    return board_counter_to_insns(board_counter_read() - t0);
}

/* Guest instructions of the code at fn from its entry to its return, for x: run once more with
 * a fresh block (after the measured run's results were taken). */
static uint32_t code_only_insns(mbpf_exec *x, mbpf_jit_fn fn)
{
    static mbpf_jit_block b __attribute__((aligned(8)));
    mbpf_exec_reset(x);
    mbpf_jit_block_fill(&b, x);
    uint32_t empty = timed_call(empty_code, &b, x);
    mbpf_jit_block_fill(&b, x);
    uint32_t own = timed_call(fn, &b, x);
    return own + 2u > empty ? own + 2u - empty : 0;
}

/* Random differential mode: generate, verify, run in the interpreter and translated; compare r0,
 * status, fault pc and the memory afterwards. */
#define RAND_MEM 64u
typedef struct outcome {
    mbpf_status status;
    uint64_t r0;
    uint32_t pc, hash;
} outcome;

static outcome run_random(const mbpf_program *p, int jit, uint32_t entry, const void *decoded)
{
    static uint8_t mem[RAND_MEM];
    for (uint32_t i = 0; i < RAND_MEM; i++)
        mem[i] = (uint8_t)(i * 37u + 11u);
    memset(stack_zone.stack, 0, STACK_BYTES);
    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = p;
    x.ctx = mem;
    x.ctx_len = RAND_MEM;
    x.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x.stack = stack_zone.stack;
    x.stack_len = STACK_BYTES;
    x.helpers = mbpf_test_helpers;
    x.n_helpers = MBPF_TEST_HELPER_COUNT;
    x.budget = 100000;
    x.facts = facts;
    mbpf_exec_reset(&x);
    outcome o;
    o.status = jit ? mbpf_jit_run(&x, code, entry) : mbpf_interp_exec(&x, decoded);
    o.r0 = x.r0;
    o.pc = o.status == MBPF_OK ? 0 : x.fault.pc;
    o.hash = fnv1a(fnv1a(2166136261u, mem, RAND_MEM), stack_zone.stack, STACK_BYTES);
    return o;
}

static int random_mode(uint32_t seed, uint32_t count)
{
    static mbpf_insn prog_insns[2048];
    uint32_t mismatches = 0, faults = 0, rejected = 0, total_insns = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t n = mbpf_randprog(seed + i, RAND_MEM, prog_insns, 2048);
        mbpf_program p = {prog_insns, n, NULL, 0, NULL, 0};
        mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                                 MBPF_REGION_R | MBPF_REGION_W, 0};
        mbpf_verify_result vr;
        mbpf_jit_result jr;
        total_insns += n;
        if (!n || mbpf_verify(&p, &opts, facts, arena, sizeof arena, &vr)) {
            rejected++;
            printf("random: seed %lu rejected: %s\n", (unsigned long)(seed + i), n ? vr.msg : "too long");
            continue;
        }
        if (mbpf_jit_translate(MBPF_RUNNER_TARGET, &p, facts, NULL, code, sizeof code, arena,
                               sizeof arena, &jr)) {
            rejected++;
            printf("random: seed %lu not translated: %s\n", (unsigned long)(seed + i), jr.err);
            continue;
        }
        mbpf_jit_sync_code(code, jr.code_len);
        if (mbpf_interp_prepare(&p, facts, arena, sizeof arena)) {
            rejected++;
            printf("random: seed %lu not pre-decoded\n", (unsigned long)(seed + i));
            continue;
        }
        outcome a = run_random(&p, 0, 0, arena), b = run_random(&p, 1, jr.entry_off, NULL);
        if (a.status != MBPF_OK)
            faults++;
        if (a.status != b.status || a.r0 != b.r0 || a.pc != b.pc || a.hash != b.hash) {
            mismatches++;
            printf("random: MISMATCH seed %lu: interp status %u r0 0x%llx pc %lu hash %lx; "
                   "jit status %u r0 0x%llx pc %lu hash %lx\n",
                   (unsigned long)(seed + i), (unsigned)a.status, (unsigned long long)a.r0,
                   (unsigned long)a.pc, (unsigned long)a.hash, (unsigned)b.status,
                   (unsigned long long)b.r0, (unsigned long)b.pc, (unsigned long)b.hash);
        }
    }
    printf("random: %lu programs (%lu eBPF instructions), %lu mismatches, %lu agreed faults, "
           "%lu rejected\n",
           (unsigned long)count, (unsigned long)total_insns, (unsigned long)mismatches,
           (unsigned long)faults, (unsigned long)rejected);
    return 0;
}
#endif

/* " rgn=NAME off=N": the region a faulting address lies in or nearest to. */
static void print_where(uint64_t addr, const uint8_t *mem, uint32_t mem_len, const uint8_t *stack,
                        uint32_t stack_len, const mbpf_program *prog)
{
    mbpf_where_region r[4] = {
        {"ctx", (uintptr_t)mem, mem_len},
        {"stack", (uintptr_t)stack, stack_len},
        {"data", (uintptr_t)prog->data, prog->data_len},
        {"rodata", (uintptr_t)prog->rodata, prog->rodata_len},
    };
    int64_t off = 0;
    int k = mbpf_where(r, 4, addr, &off);
    printf(" rgn=%s off=%lld rlen=%lu", k >= 0 ? r[k].name : "none", (long long)off,
           (unsigned long)(k >= 0 ? r[k].len : 0));
}

/* ---- runtime mode: the program as a tenant's, with the default helpers ---- */
#define KV_ENTRIES 64u
#define MAX_SETTINGS 32u
static mbpf_runtime rt;
static mbpf_kv_entry kv_entries[KV_ENTRIES];
static mbpf_kv kv = {kv_entries, KV_ENTRIES};
static mbpf_bundle_setting settings[MAX_SETTINGS];
static uint32_t n_settings;
#define RUN_SETTINGS settings
#define RUN_N_SETTINGS n_settings
#include "platform/settings.h"

static void log_write(void *user, const char *line, uint32_t len)
{
    (void)user;
    printf("log %.*s\n", (int)len, line);
}

static int runtime_mode(const mbpf_bundle_header *h, const uint8_t *file, uint8_t *mem,
                        const uint8_t *records)
{
    if (h->n_kv > KV_ENTRIES || h->n_settings > MAX_SETTINGS)
        return error("too many kv entries or settings");
    memcpy(kv_entries, records, (size_t)h->n_kv * sizeof(mbpf_kv_entry));
    n_settings = h->n_settings;
    memcpy(settings, records + (size_t)h->n_kv * sizeof(mbpf_kv_entry),
           (size_t)n_settings * sizeof(mbpf_bundle_setting));

    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_RUNNER_TARGET;
    cfg.flags = h->engine == MBPF_ENGINE_INTERP ? MBPF_RT_NO_JIT
                : h->engine == MBPF_ENGINE_AOT
                    ? MBPF_RT_ALLOW_AOT | MBPF_RT_ALLOW_UNSIGNED_AOT /* host-built, no keys here */
                    : MBPF_RT_TRANSLATE_AT_LOAD;
    cfg.code = code;
    cfg.code_len = CODE_MAX;
    cfg.work = arena;
    cfg.work_len = sizeof arena;
    cfg.kv = &kv;
    cfg.services.log_write = log_write;
    cfg.services.now_ms = settings_now_ms;
    cfg.services.sensor_read = settings_sensor_read;
    if (mbpf_rt_init(&rt, &cfg))
        return error("runtime initialisation failed");
    mbpf_rt_register_default_helpers(&rt);
    settings_register_stand_ins(&rt);

    static mbpf_tenant t;
    memset(&t, 0, sizeof t);
    t.helper_mask = h->helper_mask;
    t.ctx_flags = h->ctx_flags;
    t.stack = stack_zone.stack;
    t.stack_len = h->stack_len && h->stack_len < STACK_BYTES ? h->stack_len : STACK_BYTES;
    t.budget = (uint64_t)h->budget_hi << 32 | h->budget_lo;
    static mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    slot.data = data_zone.bytes;
    slot.data_cap = MEM_MAX - GUARD;
    slot.facts = facts;
    slot.facts_cap = MBPF_MAX_INSNS;
    if (h->engine == MBPF_ENGINE_INTERP) { /* the code arena is free: the pre-decoded form */
        slot.interp_code = code;
        slot.interp_cap = CODE_MAX;
    }

    uint32_t t0 = board_counter_read();
    /* the device's load-time check of the tenant's profile (call depth, strict, context length),
     * then the load itself, which verifies again as any embedder's firmware does */
    uint32_t magic;
    memcpy(&magic, file, 4);
    if (magic == MBPF_CONTAINER_MAGIC) {
        mbpf_container_view v;
        const char *why;
        if (!mbpf_container_parse(file, h->code_len, &v, &why)) {
            mbpf_program p = {v.insns, v.n_insns, v.rodata, v.rodata_len, data_zone.bytes, v.data_len};
            mbpf_profile pr;
            mbpf_verify_result vr;
            mbpf_rt_tenant_profile(&rt, &t, &pr);
            pr.ctx_min_len = h->ctx_min_len;
            pr.flags = h->profile_flags;
            if (mbpf_profile_check(&p, &pr, facts, arena, sizeof arena, &vr)) {
                printf("reject %s\n", vr.msg);
                return 0;
            }
        }
    }
    mbpf_rt_error err;
    if (mbpf_rt_load(&rt, &slot, &t, file, h->code_len, &err)) {
        printf("reject %s\n", err.code == MBPF_RT_ERR_VERIFY ? mbpf_rt_last_message(&rt) : err.msg);
        return 0;
    }
    uint32_t load_insns = board_counter_to_insns(board_counter_read() - t0);
    uint64_t r0 = 0;
    mbpf_fault fault;
    memset(&fault, 0, sizeof fault);
    const uint32_t cost = window_cost();
    t0 = board_counter_read();
    mbpf_status st = mbpf_rt_run(&rt, &slot, h->mem_len ? mem : NULL, h->mem_len, &r0, &fault);
    uint32_t insns = board_counter_to_insns(board_counter_read() - t0);
    insns = insns > cost ? insns - cost : 0; /* from the call of mbpf_rt_run to its return */
    for (uint32_t i = 0; i < KV_ENTRIES; i++)
        if (kv_entries[i].ns)
            printf("kv %lu %lu %llu\n", (unsigned long)kv_entries[i].ns, (unsigned long)kv_entries[i].key,
                   (unsigned long long)kv_entries[i].value);
    int intact = guard_intact(stack_zone.before, GUARD) && guard_intact(stack_zone.after, GUARD) &&
                 guard_intact(mem_zone.before, GUARD) && guard_intact(mem + h->mem_len, GUARD) &&
                 guard_intact(data_zone.before, GUARD) &&
                 guard_intact(data_zone.bytes + slot.prog.data_len, GUARD);
    printf("result status=%u r0=0x%llx pc=%lu addr=0x%llx size=%lu", (unsigned)st,
           (unsigned long long)r0, (unsigned long)fault.pc, (unsigned long long)fault.addr,
           (unsigned long)fault.size);
    if (st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE)
        print_where(fault.addr, mem, h->mem_len, t.stack, t.stack_len, &slot.prog);
    printf(" insns=%lu verify_insns=%lu jit_insns=0 code_bytes=%lu engine=%s guards=%s\n",
           (unsigned long)insns, (unsigned long)load_insns, (unsigned long)slot.stats.code_bytes,
           mbpf_rt_engine_name(slot.stats.engine), intact ? "intact" : "CHANGED");
    return 0;
}

int main(int argc, char **argv)
{
    board_counter_init();
#if MBPF_RUNNER_HAS_JIT
    const char *rs = board_arg(argc, argv, "random"), *rc = board_arg(argc, argv, "count");
    if (rs)
        return random_mode((uint32_t)strtoul(rs, NULL, 0), rc ? (uint32_t)strtoul(rc, NULL, 0) : 100);
#endif
    const char *path = board_arg(argc, argv, "bundle");
    if (!path)
        return error("usage: runner bundle=FILE");
    FILE *f = fopen(path, "rb");
    if (!f)
        return error("cannot open bundle");
    size_t len = fread(bundle, 1, sizeof bundle, f);
    fclose(f);
    mbpf_bundle_header h;
    if (len < sizeof h)
        return error("bundle too short");
    memcpy(&h, bundle, sizeof h);
    if (h.magic != MBPF_BUNDLE_MAGIC || h.version != MBPF_BUNDLE_VERSION)
        return error("not a bundle of this version");
    uint64_t need = sizeof h + (uint64_t)h.n_insns * 8u + pad8(h.rodata_len) + pad8(h.data_len) +
                    pad8(h.mem_len) + pad8(h.code_len) + (uint64_t)h.n_kv * sizeof(mbpf_kv_entry) +
                    (uint64_t)h.n_settings * sizeof(mbpf_bundle_setting);
    if (h.n_insns > MBPF_MAX_INSNS || need > len || h.code_len > CODE_MAX)
        return error("bundle sizes inconsistent");
    uint8_t *p = bundle + sizeof h;
    mbpf_program prog;
    prog.insns = (const mbpf_insn *)p;
    prog.n_insns = h.n_insns;
    p += (size_t)h.n_insns * 8u;
    prog.rodata = p;
    prog.rodata_len = h.rodata_len;
    p += pad8(h.rodata_len);
    prog.data = p;
    prog.data_len = h.data_len;
    p += pad8(h.data_len);
    if (h.mem_len > MEM_MAX - GUARD || h.data_len > MEM_MAX - GUARD)
        return error("memory or data too large for the runner");
    /* context and data get their own buffers, each followed (and preceded) by a guard zone */
    uint8_t *mem = mem_zone.bytes;
    memcpy(mem, p, h.mem_len);
    fill_guard(mem_zone.before, GUARD);
    fill_guard(mem + h.mem_len, GUARD);
    memcpy(data_zone.bytes, prog.data, h.data_len);
    prog.data = data_zone.bytes;
    fill_guard(data_zone.before, GUARD);
    fill_guard(data_zone.bytes + h.data_len, GUARD);
    fill_guard(stack_zone.before, GUARD);
    fill_guard(stack_zone.after, GUARD);
    p += pad8(h.mem_len);
    const uint8_t *aot_code = p;
    if (h.flags & MBPF_BUNDLE_RUNTIME) {
        if (h.n_insns || h.code_len < 4)
            return error("runtime bundle without a program file");
        return runtime_mode(&h, p, mem, p + pad8(h.code_len));
    }

    uint32_t cost = window_cost();
    mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                             MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    uint32_t t0 = board_counter_read();
    int vrc = mbpf_verify(&prog, &opts, facts, arena, sizeof arena, &vr);
    uint32_t verify_insns = board_counter_to_insns(board_counter_read() - t0);
    if (vrc) {
        printf("reject %s\n", vr.msg);
        return 0;
    }

    run_args a = {(int)h.engine, NULL, NULL, 0};
    uint32_t jit_insns = 0, code_bytes = 0;
    const uint8_t *hashed = code;
    if (h.engine == MBPF_ENGINE_INTERP) {
        /* the interpreter's translation: pre-decoding into the arena the verifier is done with */
        t0 = board_counter_read();
        int prc = mbpf_interp_prepare(&prog, facts, arena, sizeof arena);
        jit_insns = board_counter_to_insns(board_counter_read() - t0);
        if (prc) {
            printf("reject interp: program not pre-decoded (%s)\n", prc == -2 ? "too large" : "invalid");
            return 0;
        }
        a.code = arena;
        hashed = arena;
        code_bytes = (uint32_t)mbpf_interp_size(&prog, facts);
    }
#if MBPF_RUNNER_HAS_JIT
    if (h.engine == MBPF_ENGINE_JIT) {
        mbpf_jit_result jr;
        t0 = board_counter_read();
        int jrc = mbpf_jit_translate(MBPF_RUNNER_TARGET, &prog, facts, NULL, code, sizeof code,
                                     arena, sizeof arena, &jr);
        jit_insns = board_counter_to_insns(board_counter_read() - t0);
        if (jrc) {
            printf("reject jit: insn %lu: %s\n", (unsigned long)jr.err_pc, jr.err ? jr.err : "translation failed");
            return 0;
        }
        mbpf_jit_sync_code(code, jr.code_len);
        a.code = code;
        a.entry = jr.entry_off;
        code_bytes = jr.code_len;
    } else if (h.engine == MBPF_ENGINE_AOT) {
        if (!h.code_len || h.code_entry >= h.code_len)
            return error("aot bundle without code");
        memcpy(code, aot_code, h.code_len); /* RAM copy: the bundle buffer is not 4-aligned code */
        mbpf_jit_sync_code(code, h.code_len);
        a.code = code;
        a.entry = h.code_entry;
        code_bytes = h.code_len;
    } else if (h.engine != MBPF_ENGINE_INTERP) {
        return error("unknown engine");
    }
#else
    (void)aot_code;
    if (h.engine != MBPF_ENGINE_INTERP) {
        printf("reject the %s engine is not available on this target yet\n",
               h.engine == MBPF_ENGINE_JIT ? "jit" : "aot");
        return 0;
    }
#endif

    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = &prog;
    x.ctx = h.mem_len ? mem : NULL;
    x.ctx_len = h.mem_len;
    x.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x.stack = stack_zone.stack;
    x.stack_len = STACK_BYTES;
    x.helpers = mbpf_test_helpers;
    x.n_helpers = MBPF_TEST_HELPER_COUNT;
    x.budget = (uint64_t)h.budget_hi << 32 | h.budget_lo;
    x.facts = facts;
    mbpf_exec_reset(&x);
    a.x = &x;

    t0 = board_counter_read();
    mbpf_status st = run_engine(&a);
    uint32_t t1 = board_counter_read();
    uint32_t insns = board_counter_to_insns(t1 - t0);
    insns = insns > cost ? insns - cost : 0;

    uint32_t code_hash = fnv1a(2166136261u, hashed, code_bytes);
    int intact = guard_intact(stack_zone.before, GUARD) && guard_intact(stack_zone.after, GUARD) &&
                 guard_intact(mem_zone.before, GUARD) && guard_intact(mem + h.mem_len, GUARD) &&
                 guard_intact(data_zone.before, GUARD) && guard_intact(data_zone.bytes + h.data_len, GUARD);
    uint32_t hash = fnv1a(2166136261u, mem, h.mem_len);
    hash = fnv1a(hash, prog.data, prog.data_len);
    mbpf_status st_out = st;
    mbpf_exec x_out = x;
    uint32_t code_insns = 0;
#if MBPF_RUNNER_HAS_JIT
    if (h.engine != MBPF_ENGINE_INTERP) /* everything reported was taken: the code runs again */
        code_insns = code_only_insns(&x, mbpf_jit_entry(a.code, a.entry));
#endif
    st = st_out;
    x = x_out;
    printf("result status=%u r0=0x%llx pc=%lu addr=0x%llx size=%lu", (unsigned)st,
           (unsigned long long)x.r0, (unsigned long)x.fault.pc, (unsigned long long)x.fault.addr,
           (unsigned long)x.fault.size);
    if (st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE)
        print_where(x.fault.addr, mem, h.mem_len, stack_zone.stack, STACK_BYTES, &prog);
    printf(" insns=%lu code_insns=%lu verify_insns=%lu "
           "jit_insns=%lu code_bytes=%lu mem_hash=0x%lx code_hash=0x%lx guards=%s\n",
           (unsigned long)insns, (unsigned long)code_insns,
           (unsigned long)verify_insns, (unsigned long)jit_insns, (unsigned long)code_bytes,
           (unsigned long)hash, (unsigned long)code_hash, intact ? "intact" : "CHANGED");
    return 0;
}
