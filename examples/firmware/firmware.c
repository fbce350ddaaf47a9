/* Example firmware for the Cortex-M4 (QEMU mps2-an386) and RV32IMC (QEMU virt): a cooperative scheduler whose context
 * switches are observed by an eBPF probe of one tenant, and a packet path filtered by an eBPF
 * program of another tenant, through the runtime API (include/mcubpf/runtime.h).
 *
 *   firmware engine=interp|jit|aot sched=FILE policy=FILE filter=FILE reject=FILE oob=FILE
 *
 * The files are bytecode containers (bpfpack) for interp and jit, AOT images (bpf2thumb, bpf2rv32)
 * for aot.
 * Built with -DNO_RUNTIME, the same hooks run as native C (native.c) and no file is read: the
 * reference output and the footprint baseline. Built with -DMBPF_RT_WITH_JIT=0, the runtime is
 * interpreter-only; with -DMBPF_WITH_INTERP=0 -DMBPF_WITH_AOT=0 it translates every program; with
 * -DMBPF_WITH_BYTECODE=0 it loads AOT images only (include/mcubpf/config.h).
 * Lines starting with "  v1 ", "  v2 ", "  [log] ", "  packet ", "  net kv" hold
 * the results; they are the same for every engine and build (examples/firmware/check.sh). */
#include <stdio.h>
#include <string.h>

#include "examples/firmware/fw_abi.h"
#include "examples/firmware/sched.h"
#include "platform/args.h"
#include "platform/board.h"

#ifdef NO_RUNTIME
#include "examples/firmware/native.h"
#define KV_CAP NATIVE_KV_CAP
#else
#include <fcntl.h>
#include <unistd.h>

#include "mcubpf/helpers.h"
#include "mcubpf/runtime.h"
#endif

#define TICKS_PER_PHASE 120u
#define TENANT_SCHED 1u
#define TENANT_NET 2u

/* ---- time ---- */

#ifdef __riscv
#define BOARD_NAME "RV32IMC"
#define TIMER_HZ 1000000000u /* board counter: minstret, one instruction per ns (-icount shift=0) */
#else
#define BOARD_NAME "Cortex-M4"
#define TIMER_HZ 25000000u /* board counter: CMSDK timer at 25 MHz */
#endif

static uint32_t now_ms(void)
{
    return board_counter_read() / (TIMER_HZ / 1000u);
}

/* C stack high-water mark: paint the unused part of the stack at boot, look for the deepest
 * overwritten byte at the end. */
extern char __stack[];
extern char __stack_size[];
#define STACK_PAINT 0xc5u

static uint8_t *stack_floor(void)
{
    return (uint8_t *)__stack - (uintptr_t)__stack_size;
}

static __attribute__((noinline)) void stack_paint(void)
{
    uint8_t *sp = (uint8_t *)__builtin_frame_address(0) - 256; /* margin below this frame */
    for (uint8_t *p = stack_floor(); p < sp; p++)
        *p = STACK_PAINT;
}

static uint32_t stack_peak(void)
{
    uint8_t *p = stack_floor();
    while (p < (uint8_t *)__stack && *p == STACK_PAINT)
        p++;
    return (uint32_t)((uint8_t *)__stack - p);
}

/* ---- guest instructions spent in the hooks ---- */

typedef struct cost {
    uint32_t calls, ticks;
} cost;

static cost sched_cost[2], filter_cost;

static void cost_print(const char *what, const cost *c)
{
    uint32_t insns = board_counter_to_insns(c->ticks);
    printf("  %-22s %4lu calls, %6lu guest instructions, %4lu per call\n", what,
           (unsigned long)c->calls, (unsigned long)insns, (unsigned long)(c->calls ? insns / c->calls : 0));
}

/* ---- the runtime and its memory ---- */

#ifndef NO_RUNTIME
#if MBPF_RT_WITH_JIT
static uint8_t arena_code[8 * 1024] __attribute__((aligned(8)));
#endif
#if MBPF_WITH_BYTECODE
/* The work arena is sized for the programs this firmware loads: mbpf_rt_work_need() of the
 * largest (the packet filter) with room to spare; mbpf_rt_work_size(n) would size it for any
 * program of n instructions, a worst case several times larger. */
#define FW_WORK_BYTES (16u * 1024u)
static uint8_t arena_work[FW_WORK_BYTES] __attribute__((aligned(8)));
static void *work_arena = arena_work;
static size_t work_len = sizeof arena_work;
#else
static void *work_arena = NULL; /* AOT images need no checking scratch */
static size_t work_len = 0;
#endif
#define KV_CAP 32u
static mbpf_kv_entry arena_kv[KV_CAP];
static mbpf_kv kv = {arena_kv, KV_CAP};
/* each tenant's eBPF stack: one frame (the programs make no local calls deeper than that) */
static uint8_t arena_stack_sched[MBPF_STACK_SIZE] __attribute__((aligned(8)));
static uint8_t arena_stack_net[MBPF_STACK_SIZE] __attribute__((aligned(8)));
/* program store: where the files land (on a real device: flash or a download buffer) */
static uint8_t arena_progs[8 * 1024] __attribute__((aligned(8)));
static uint32_t progs_used;

static mbpf_runtime rt;

/* What this build of the runtime holds (include/mcubpf/config.h), for its messages. */
#if !MBPF_WITH_BYTECODE
#define FW_BUILD " (AOT-only build)"
#elif !MBPF_RT_WITH_JIT
#define FW_BUILD " (interpreter-only build)"
#elif !MBPF_WITH_INTERP
#define FW_BUILD " (JIT-only build)"
#else
#define FW_BUILD ""
#endif

static const mbpf_tenant tenant_sched = {
    TENANT_SCHED,
    1u << MBPF_HELPER_LOG | 1u << MBPF_HELPER_KV_STORE | 1u << MBPF_HELPER_KV_FETCH,
    MBPF_REGION_R, arena_stack_sched, sizeof arena_stack_sched, 16};
static const mbpf_tenant tenant_net = {
    TENANT_NET, 1u << MBPF_HELPER_KV_STORE | 1u << MBPF_HELPER_KV_FETCH, MBPF_REGION_R,
    arena_stack_net, sizeof arena_stack_net, 128};

typedef struct slot {
    mbpf_prog prog;
    uint8_t data[16] __attribute__((aligned(8))); /* the program's .data/.bss */
    uint32_t *interp_code; /* room for the pre-decoded form, or NULL */
} slot;

#if !MBPF_RT_WITH_JIT && MBPF_WITH_INTERP
/* Without a translator the interpreter runs the programs pre-decoded (about 13 bytes per
 * instruction), one buffer per slot. */
#define FW_INTERP_WORDS 384u
static uint32_t arena_interp[4][FW_INTERP_WORDS];
#define SLOT(i) {.interp_code = arena_interp[i]}
#else
#define FW_INTERP_WORDS 0u
#define SLOT(i) {.interp_code = NULL}
#endif
static slot slot_sched = SLOT(0), slot_filter = SLOT(1), slot_reject = SLOT(2), slot_oob = SLOT(3);

static void log_write(void *user, const char *line, uint32_t len)
{
    (void)user;
    printf("  [log] %.*s\n", (int)len, line);
}

static uint32_t svc_now_ms(void *user)
{
    (void)user;
    return now_ms();
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Read a file from the host (semihosting) into the program store, 8-byte aligned. */
static const uint8_t *read_file(const char *path, uint32_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("error: cannot open %s\n", path);
        return NULL;
    }
    uint8_t *buf = arena_progs + progs_used;
    ssize_t n = read(fd, buf, sizeof arena_progs - progs_used);
    close(fd);
    if (n <= 0 || (uint32_t)n == sizeof arena_progs - progs_used) {
        printf("error: %s is empty or does not fit the program store\n", path);
        return NULL;
    }
    *len = (uint32_t)n;
    progs_used += ((uint32_t)n + 7u) & ~7u;
    return buf;
}

/* Load (or hot-swap, when replace) a program file into slot s; prints one line. */
static int load(slot *s, const mbpf_tenant *t, const char *path, int replace, int quiet)
{
    uint32_t len;
    const uint8_t *buf = read_file(path, &len);
    if (!buf)
        return -1;
    s->prog.data = s->data;
    s->prog.data_cap = sizeof s->data;
    s->prog.interp_code = s->interp_code;
    s->prog.interp_cap = s->interp_code ? FW_INTERP_WORDS * 4u : 0;
    mbpf_rt_error err;
    uint32_t t0 = board_counter_read();
    int rc = replace ? mbpf_rt_replace(&rt, &s->prog, buf, len, &err)
                     : mbpf_rt_load(&rt, &s->prog, t, buf, len, &err);
    uint32_t insns = board_counter_to_insns(board_counter_read() - t0);
    if (rc != MBPF_RT_OK) {
        printf("  %s %s into tenant %lu: %s\n    %s\n", replace ? "swap" : "load", base_name(path),
               (unsigned long)t->id, mbpf_rt_error_name(rc), mbpf_rt_last_message(&rt));
        return rc;
    }
    if (!quiet)
        printf("  %s %-26s tenant %lu, %4lu bytes, engine %-6s %6lu guest instructions%s\n",
               replace ? "swap" : "load", base_name(path), (unsigned long)t->id, (unsigned long)len,
               mbpf_rt_engine_name(s->prog.stats.engine), (unsigned long)insns,
               s->prog.stats.engine == MBPF_RT_ENGINE_JIT ? " (verify + translate)"
               : s->prog.stats.engine == MBPF_RT_ENGINE_AOT ? " (image check)" : " (verify)");
    return 0;
}

static void print_fault(const char *what, mbpf_status st, const mbpf_fault *f, const void *ctx)
{
    printf("  %s: %s at insn %lu", what, mbpf_status_name(st), (unsigned long)f->pc);
    if (st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE)
        printf(", address ctx%+ld, %lu byte(s)", (long)((uintptr_t)f->addr - (uintptr_t)ctx),
               (unsigned long)f->size);
    printf("\n");
}

#endif

/* A counter as the programs left it in the kv store (0 when absent). */
static uint64_t kv_get(uint32_t tenant, uint32_t key)
{
    for (uint32_t i = 0; i < KV_CAP; i++)
        if (arena_kv[i].ns == tenant + 1u && arena_kv[i].key == key)
            return arena_kv[i].value;
    return 0;
}

/* ---- hooks ---- */

#ifdef NO_RUNTIME
static int policy_v2; /* which scheduler probe is installed */
#endif
static int phase;     /* 0: probe v1, 1: probe v2 */

static void on_switch(uint32_t prev, uint32_t next)
{
    struct sched_ctx c = {prev, next, now_ms()};
    uint32_t t0 = board_counter_read();
#ifdef NO_RUNTIME
    if (policy_v2)
        native_sched_policy(TENANT_SCHED, &c);
    else
        native_sched_count(TENANT_SCHED, &c);
#else
    mbpf_fault f;
    mbpf_status st = mbpf_rt_run(&rt, &slot_sched.prog, &c, sizeof c, NULL, &f);
    if (st != MBPF_OK)
        print_fault("sched probe", st, &f, &c);
#endif
    sched_cost[phase].ticks += board_counter_read() - t0;
    sched_cost[phase].calls++;
}

/* 1 allow, 0 drop; a program that faults drops the packet (fail closed). */
static int filter(const uint8_t *pkt, uint32_t len)
{
    uint64_t r0 = 0;
    uint32_t t0 = board_counter_read();
#ifdef NO_RUNTIME
    r0 = native_packet_filter(TENANT_NET, pkt, len);
#else
    mbpf_fault f;
    mbpf_status st = mbpf_rt_run(&rt, &slot_filter.prog, (void *)(uintptr_t)pkt, len, &r0, &f);
    if (st != MBPF_OK) {
        print_fault("packet filter", st, &f, pkt);
        r0 = 0;
    }
#endif
    filter_cost.ticks += board_counter_read() - t0;
    filter_cost.calls++;
    return r0 == 1;
}

/* ---- output ---- */

static void print_threads(const char *tag)
{
    for (uint32_t t = 0; t < FW_THREADS; t++)
        printf("  %s thread %lu %-7s ran %3lu steps, switches in counted: %lu\n", tag,
               (unsigned long)t, sched_threads[t].name, (unsigned long)sched_threads[t].steps,
               (unsigned long)kv_get(TENANT_SCHED, t));
}

static void print_pairs(const char *tag)
{
    printf("  %s pairs (prev->next: count):", tag);
    for (uint32_t prev = 0; prev < FW_THREADS; prev++)
        for (uint32_t next = FW_POLICY_MIN_THREAD; next < FW_THREADS; next++) {
            uint64_t n = kv_get(TENANT_SCHED, FW_KEY_PAIR(prev, next));
            if (n)
                printf(" %lu->%lu: %lu", (unsigned long)prev, (unsigned long)next, (unsigned long)n);
        }
    printf("\n");
}

/* ---- synthetic packets ---- */

typedef struct pkt_spec {
    const char *what;
    uint8_t proto;
    uint16_t src, dst;
    uint16_t length;   /* payload length the header claims */
    uint8_t present;   /* payload bytes actually there */
    int8_t sig_at;     /* offset of the signature in the payload, -1 none */
    uint8_t sig_len;   /* how much of it (4 = all) */
} pkt_spec;

static const pkt_spec packets[] = {
    {"http request", PROTO_TCP, 40000, 80, 14, 14, -1, 0},
    {"dns query", PROTO_UDP, 5353, 53, 12, 12, -1, 0},
    {"telnet", PROTO_TCP, 40001, 23, 6, 6, -1, 0},
    {"icmp echo", PROTO_ICMP, 0, 0, 8, 8, -1, 0},
    {"tls record", PROTO_TCP, 40002, 443, 32, 32, -1, 0},
    {"udp, signature inside", PROTO_UDP, 9999, 7000, 24, 24, 10, 4},
    {"gre tunnel", PROTO_GRE, 0, 0, 20, 20, -1, 0},
    {"tcp, 3/4 signature at end", PROTO_TCP, 40003, 8080, 16, 16, 13, 3},
    {"udp, length field lies", PROTO_UDP, 4000, 4001, 20, 12, -1, 0},
    {"mqtt publish", PROTO_TCP, 40004, 1883, 20, 20, -1, 0},
    {"udp to port 23", PROTO_UDP, 4002, 23, 4, 4, -1, 0},
    {"coap, signature first", PROTO_UDP, 5683, 5683, 9, 9, 0, 4},
    {"coap, empty payload", PROTO_UDP, 5683, 5683, 0, 0, -1, 0},
    {"tcp, signature last", PROTO_TCP, 40005, 8080, 64, 64, 60, 4},
    {"truncated header", PROTO_TCP, 40006, 80, 0, 0, -1, 0},
    {"tcp, full payload", PROTO_TCP, 40007, 8080, 64, 64, -1, 0},
};
#define N_PACKETS (sizeof packets / sizeof packets[0])
#define TRUNCATED 14u /* index of the packet cut inside its header */

static const char *proto_name(uint8_t p)
{
    return p == PROTO_TCP ? "tcp" : p == PROTO_UDP ? "udp" : p == PROTO_ICMP ? "icmp" : p == PROTO_GRE ? "gre" : "?";
}

/* Build packet i into buf (a receive buffer); returns its length. */
static uint32_t make_packet(uint32_t i, uint8_t *buf)
{
    static const uint8_t sig[4] = {FW_SIG0, FW_SIG1, FW_SIG2, FW_SIG3};
    const pkt_spec *s = &packets[i];
    struct pkt_hdr h = {s->proto, 64, s->src, s->dst, s->length};
    memcpy(buf, &h, sizeof h);
    for (uint32_t k = 0; k < s->present; k++)
        buf[sizeof h + k] = (uint8_t)(k * 7u + i * 13u + 1u); /* consecutive bytes differ by 7 */
    if (s->sig_at >= 0)
        memcpy(buf + sizeof h + s->sig_at, sig, s->sig_len);
    return i == TRUNCATED ? 6u : (uint32_t)sizeof h + s->present;
}

static uint8_t rx_buf[sizeof(struct pkt_hdr) + FW_PAYLOAD_MAX] __attribute__((aligned(8)));

static void run_packets(void)
{
    uint32_t allowed = 0;
    for (uint32_t i = 0; i < N_PACKETS; i++) {
        uint32_t len = make_packet(i, rx_buf);
        int ok = filter(rx_buf, len);
        allowed += (uint32_t)ok;
        const pkt_spec *s = &packets[i];
        printf("  packet %2lu %-4s %5u->%-5u %2lu bytes  %-26s %s\n", (unsigned long)i + 1,
               proto_name(s->proto), (unsigned)s->src, (unsigned)s->dst, (unsigned long)len, s->what,
               ok ? "allow" : "DROP");
    }
    static const char *const reasons[FW_REASONS] = {"allow", "malformed", "proto", "port", "pattern"};
    printf("  net kv (packets per reason):");
    for (uint32_t r = 0; r < FW_REASONS; r++)
        printf(" %s %lu", reasons[r], (unsigned long)kv_get(TENANT_NET, r));
    printf("\n  %lu of %lu packets allowed\n", (unsigned long)allowed, (unsigned long)N_PACKETS);
}

#ifndef NO_RUNTIME
static int runtime_init(const char *engine)
{
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_TARGET_NONE;
    const int jit = !strcmp(engine, "jit"), aot = !strcmp(engine, "aot");
    if (!jit && !aot && strcmp(engine, "interp")) {
        printf("error: unknown engine %s (interp, jit, aot)\n", engine);
        return -1;
    }
    if ((jit && !MBPF_RT_WITH_JIT) || (aot && !MBPF_WITH_AOT) || (!jit && !aot && !MBPF_WITH_INTERP)) {
        printf("error: engine %s: this firmware is built%s\n", engine, FW_BUILD);
        return -1;
    }
    if (aot)
        cfg.flags = MBPF_RT_ALLOW_AOT | MBPF_RT_ALLOW_UNSIGNED_AOT;
#if MBPF_RT_WITH_JIT
    if (jit || aot) {
        cfg.target = MBPF_RT_NATIVE_TARGET;
        if (jit)
            cfg.flags = MBPF_RT_TRANSLATE_AT_LOAD;
        cfg.code = arena_code;
        cfg.code_len = sizeof arena_code;
    }
#endif
    cfg.work = work_arena;
    cfg.work_len = work_len;
    cfg.kv = &kv;
    cfg.services.log_write = log_write;
    cfg.services.now_ms = svc_now_ms;
    int rc = mbpf_rt_init(&rt, &cfg);
    if (rc) {
        printf("error: mbpf_rt_init: %s\n", mbpf_rt_error_name(rc));
        return -1;
    }
    mbpf_rt_register_default_helpers(&rt);
    printf("runtime: engine %s, code arena %lu B, work arena %lu B, kv %lu entries, "
           "program store %lu B\n", engine, cfg.target ? (unsigned long)cfg.code_len : 0ul,
           (unsigned long)work_len, (unsigned long)KV_CAP,
           (unsigned long)sizeof arena_progs);
    printf("runtime state: mbpf_runtime %lu B, mbpf_prog %lu B per slot\n", (unsigned long)sizeof rt,
           (unsigned long)sizeof(mbpf_prog));
    printf("tenant %lu (scheduler probe): helpers log kv, stack %lu B, budget %lu\n",
           (unsigned long)tenant_sched.id, (unsigned long)tenant_sched.stack_len,
           (unsigned long)tenant_sched.budget);
    printf("tenant %lu (network):         helpers kv,     stack %lu B, budget %lu\n",
           (unsigned long)tenant_net.id, (unsigned long)tenant_net.stack_len, (unsigned long)tenant_net.budget);
    return 0;
}

static void print_stats(const char *name, const slot *s)
{
    const mbpf_prog_stats *st = &s->prog.stats;
    printf("  %-7s %-6s %5lu %6lu %6lu %6lu %10lu %5lu\n", name, mbpf_rt_engine_name(st->engine),
           (unsigned long)st->runs, (unsigned long)st->faults, (unsigned long)st->cache_hits,
           (unsigned long)st->cache_misses, (unsigned long)st->code_bytes, (unsigned long)st->swaps);
}
#endif

int main(int argc, char **argv)
{
    board_counter_init();
    stack_paint();
#ifdef NO_RUNTIME
    (void)argc;
    (void)argv;
    printf("== example firmware, " BOARD_NAME ", hooks in native C (no runtime)\n");
#else
    const char *engine = board_arg(argc, argv, "engine");
    const char *f_sched = board_arg(argc, argv, "sched"), *f_policy = board_arg(argc, argv, "policy");
    const char *f_filter = board_arg(argc, argv, "filter"), *f_reject = board_arg(argc, argv, "reject");
    const char *f_oob = board_arg(argc, argv, "oob");
    if (!engine)
        engine = "interp";
    printf("== example firmware, " BOARD_NAME ", eBPF hooks through the mcubpf runtime%s\n", FW_BUILD);
    if (!f_sched || !f_policy || !f_filter) {
        printf("error: usage: firmware engine=interp|jit|aot sched=FILE policy=FILE filter=FILE "
               "[reject=FILE] [oob=FILE]\n");
        return 1;
    }
    if (runtime_init(engine))
        return 1;
    if (load(&slot_sched, &tenant_sched, f_sched, 0, 0) || load(&slot_filter, &tenant_net, f_filter, 0, 0))
        return 1;
#endif

    printf("-- phase 1: %lu scheduler ticks, probe v1 (count every switch into a thread)\n",
           (unsigned long)TICKS_PER_PHASE);
    uint32_t sw = sched_run(TICKS_PER_PHASE, on_switch);
    printf("  v1 %lu context switches\n", (unsigned long)sw);
    print_threads("v1");

    printf("-- hot swap: probe v2 (only threads >= %lu, per pair, log every %luth)\n",
           (unsigned long)FW_POLICY_MIN_THREAD, (unsigned long)FW_POLICY_LOG_EVERY);
#ifdef NO_RUNTIME
    policy_v2 = 1;
#else
    if (load(&slot_sched, &tenant_sched, f_policy, 1, 0))
        return 1;
#endif
    phase = 1;
    printf("-- phase 2: %lu more ticks\n", (unsigned long)TICKS_PER_PHASE);
    sw = sched_run(TICKS_PER_PHASE, on_switch);
    printf("  v2 %lu context switches\n", (unsigned long)sw);
    print_threads("v2");
    print_pairs("v2");

    printf("-- %lu synthetic packets through the filter of tenant %lu\n", (unsigned long)N_PACKETS,
           (unsigned long)TENANT_NET);
    run_packets();

#ifndef NO_RUNTIME
    if (f_reject) {
        printf("-- a filter that calls a helper outside tenant %lu's mask is refused at load:\n",
               (unsigned long)TENANT_NET);
        if (load(&slot_reject, &tenant_net, f_reject, 0, 0) == MBPF_RT_OK)
            printf("  UNEXPECTED: it was accepted\n");
    }
    if (f_oob && load(&slot_oob, &tenant_net, f_oob, 0, 1) == MBPF_RT_OK) {
        printf("-- a filter that trusts the length field, on packet 9 (claims 20 payload bytes, 12 present):\n");
        uint32_t len = make_packet(8, rx_buf);
        mbpf_fault f;
        uint64_t r0 = 0;
        mbpf_status st = mbpf_rt_run(&rt, &slot_oob.prog, rx_buf, len, &r0, &f);
        if (st == MBPF_OK)
            printf("  UNEXPECTED: it ran to the end (r0 %lu)\n", (unsigned long)r0);
        else
            print_fault("stopped by the guard", st, &f, rx_buf);
    }
    printf("-- per-program statistics\n");
    printf("  slot    engine  runs faults  hits misses code_bytes swaps\n");
    print_stats("sched", &slot_sched);
    print_stats("filter", &slot_filter);
    if (slot_oob.prog.loaded)
        print_stats("oob", &slot_oob);
#endif
    printf("-- cost (guest instructions, QEMU -icount, including the call from the firmware)\n");
    cost_print("scheduler probe v1", &sched_cost[0]);
    cost_print("scheduler probe v2", &sched_cost[1]);
    cost_print("packet filter", &filter_cost);
    printf("  C stack peak: %lu bytes\n", (unsigned long)stack_peak());
    printf("done\n");
    return 0;
}
