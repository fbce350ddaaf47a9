/* bpfrun: load, verify and run an eBPF program, on the host or on an emulated device, as a
 * tenant's program: through the runtime API with its default helpers (kv store, log, clock,
 * memcpy/memcmp, sensor), stand-ins for device-specific helpers, and the device profile's checks.
 * With --conformance-helpers the engine runs the bytecode directly with the conformance suites'
 * helpers instead (the test suites and benchmarks).
 * Output contract: r0 as 0x... on the last stdout line (exit 0); rejected: one line on stderr,
 * exit 2; run-time fault: one line on stderr, exit 3; no result in time on a board: exit 4; usage
 * or internal error: exit 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/container_write.h"
#include "aot/file_kind.h"
#include "aot/loader.h"
#include "aot/profile_args.h"
#include "aot/target_run.h"
#include "aot/version.h"
#include "mcubpf/helpers.h"
#include "mcubpf/interp.h"
#include "mcubpf/profile.h"
#include "mcubpf/runtime.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "platform/bundle.h"
#include "platform/where.h"

#define DEFAULT_BUDGET 10000000ull
#define KV_CAP 64u
#define MAX_SETTINGS 32u

static mbpf_bundle_setting settings[MAX_SETTINGS];
static uint32_t n_settings;
#define RUN_SETTINGS settings
#define RUN_N_SETTINGS n_settings
#include "platform/settings.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bpfrun [options] PROG\n"
            "Load PROG (an eBPF ELF object from clang -target bpf, a bytecode container from\n"
            "bpfpack, an AOT image for --engine aot, or raw bytecode), check it against the device\n"
            "profile, verify it and run it as a tenant's program with the runtime's default helpers.\n"
            "  --mem FILE          r1 points to a writable copy of FILE, r2 holds its length (else 0, 0)\n"
            "  --section NAME      program section or function in an ELF object (default: the only one)\n"
            "  --raw               PROG is raw bytecode (8-byte instructions), whatever it looks like\n"
            "  --budget N          budget units per run: back edges, calls, loop entries (default\n"
            "                      %llu, 0 = unlimited; docs/bpfrun.md)\n"
            "  --stats             print statistics on stderr (insns: N, ...)\n"
            "  --target T          host (default), thumb2 or rv32imc (emulated in QEMU)\n"
            "  --engine E          interp (default), jit or aot\n"
            "  --timeout S         seconds an emulated run may take (default 120)\n"
            "Helpers and their data:\n"
            "  --kv FILE           key/value store: read from FILE before the run (if it exists),\n"
            "                      written back after it; lines 'KEY VALUE' or 'global KEY VALUE'\n"
            "  --helper ID=VALUE   stand-in for a device-specific helper: id (or a name from the\n"
            "                      profile) returning VALUE; offered to the program\n"
            "  --sensor CH=VALUE   sensor_read(CH) returns VALUE (other channels: INT64_MIN)\n"
            "  --now MS            now_ms() returns MS (default 0)\n"
            "  --conformance-helpers  the conformance suites' helpers (ids 0..5) instead, the engine\n"
            "                      running the bytecode directly (test suites, benchmarks)\n",
            DEFAULT_BUDGET);
    mbpf_tool_profile_usage(f);
    fprintf(f,
            "  -h, --help          this text;  --version  the version\n"
            "Prints r0 as 0x... on the last line of stdout, log lines on stderr ('log: ...').\n"
            "Exit status: 0 ok, 1 usage or I/O error, 2 rejected (file, profile or verifier),\n"
            "3 fault at run time, 4 no result in time on an emulated board.\n");
}

/* ---- key/value store file ---- */

static int parse_i64(const char *s, uint64_t *v)
{
    if (*s == '-') {
        uint64_t m;
        if (mbpf_parse_u64(s + 1, &m) || m > (1ull << 63))
            return -1;
        *v = 0 - m;
        return 0;
    }
    return mbpf_parse_u64(s, v);
}

static int kv_read(const char *path, mbpf_kv_entry *kv, uint32_t cap, uint32_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : (fprintf(stderr, "bpfrun: %s: %s\n", path, strerror(errno)), -1);
    char line[256];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "#\r\n")] = 0;
        char w[3][64];
        int k = sscanf(line, "%63s %63s %63s", w[0], w[1], w[2]);
        if (k <= 0)
            continue;
        int global = !strcmp(w[0], "global");
        uint64_t key, value;
        if (k != 2 + global || mbpf_parse_u64(w[global], &key) || key > UINT32_MAX ||
            parse_i64(w[global + 1], &value)) {
            fprintf(stderr, "bpfrun: %s:%d: expected 'KEY VALUE' or 'global KEY VALUE'\n", path, lineno);
            fclose(f);
            return -1;
        }
        if (*n == cap) {
            fprintf(stderr, "bpfrun: %s: more than %u entries\n", path, cap);
            fclose(f);
            return -1;
        }
        mbpf_kv_entry e = {global ? MBPF_KV_NS_GLOBAL : 1u, (uint32_t)key, value};
        kv[(*n)++] = e;
    }
    fclose(f);
    return 0;
}

static int kv_write(const char *path, const mbpf_kv_entry *kv, uint32_t cap)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bpfrun: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (uint32_t i = 0; i < cap; i++)
        if (kv[i].ns)
            fprintf(f, "%s%" PRIu32 " %" PRId64 "\n", kv[i].ns == MBPF_KV_NS_GLOBAL ? "global " : "",
                    kv[i].key, (int64_t)kv[i].value);
    return fclose(f);
}

/* ---- host: the runtime API, as a device runs a tenant's program ---- */

static void log_stderr(void *user, const char *line, uint32_t len)
{
    (void)user;
    fprintf(stderr, "log: %.*s\n", (int)len, line);
}

typedef struct host_run {
    const mbpf_tool_profile *tp;
    const mbpf_loaded *l;
    uint8_t *mem;
    size_t mem_len;
    uint64_t budget;
    int stats;
    mbpf_kv_entry *kv;
} host_run;

static int run_host_runtime(const host_run *h)
{
    const mbpf_program *p = &h->l->prog;
    int rc = 2;
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns);
    size_t wsz = mbpf_rt_work_size(p->n_insns);
    void *arena = malloc(asz), *work = malloc(wsz);
    mbpf_fact *facts = calloc(p->n_insns + 1, sizeof *facts);
    uint8_t *stack = malloc(h->tp->p.stack_len); /* aligned for any type */
    uint8_t *data = calloc(1, (size_t)p->data_len + 8);
    size_t clen = 0;
    uint8_t *container = NULL;
    if (!arena || !work || !facts || !stack || !data) {
        fprintf(stderr, "bpfrun: out of memory\n");
        rc = 1;
        goto done;
    }
    /* the device's load-time check of its profile, then the load, which verifies again */
    if (mbpf_profile_check(p, &h->tp->p, facts, arena, asz, &vr)) {
        mbpf_print_verify_error("bpfrun", h->l, vr.msg, vr.pc);
        goto done;
    }
    if (h->stats)
        fprintf(stderr, "verify: %u of %u memory accesses proven, %u of %u back edges bounded\n",
                vr.mem_proven, vr.mem_accesses, vr.loops_bounded, vr.loops);
    container = mbpf_container_build(p, mbpf_container_data_init_len(p), &clen);
    if (!container) {
        fprintf(stderr, "bpfrun: the program exceeds the container's limits (helpers, data size)\n");
        goto done;
    }
    static mbpf_runtime rt;
    mbpf_kv kv = {h->kv, KV_CAP};
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_TARGET_NONE;
    cfg.work = work;
    cfg.work_len = wsz;
    cfg.kv = &kv;
    cfg.services.log_write = log_stderr;
    cfg.services.now_ms = settings_now_ms;
    cfg.services.sensor_read = settings_sensor_read;
    if (mbpf_rt_init(&rt, &cfg)) {
        fprintf(stderr, "bpfrun: runtime initialisation failed\n");
        rc = 1;
        goto done;
    }
    mbpf_rt_register_default_helpers(&rt);
    settings_register_stand_ins(&rt);
    mbpf_tenant t;
    memset(&t, 0, sizeof t);
    t.helper_mask = (uint32_t)h->tp->p.helpers_lo;
    t.ctx_flags = h->tp->p.ctx_flags;
    t.stack = stack;
    t.stack_len = h->tp->p.stack_len;
    t.budget = h->budget;
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    slot.data = data;
    slot.data_cap = p->data_len;
    slot.facts = facts; /* kept: checked against what happens (MBPF_INTERP_CHECK_FACTS) */
    slot.facts_cap = p->n_insns;
    mbpf_rt_error err;
    if (mbpf_rt_load(&rt, &slot, &t, container, clen, &err)) {
        mbpf_print_verify_error("bpfrun", h->l,
                                err.code == MBPF_RT_ERR_VERIFY ? mbpf_rt_last_message(&rt) : err.msg,
                                err.code == MBPF_RT_ERR_VERIFY ? err.pc : UINT32_MAX);
        goto done;
    }
    uint64_t r0 = 0;
    mbpf_fault fault;
    mbpf_status st = mbpf_rt_run(&rt, &slot, h->mem_len ? h->mem : NULL, (uint32_t)h->mem_len, &r0, &fault);
    if (st != MBPF_OK) {
        mbpf_where_region r[4] = {
            {"ctx", (uintptr_t)h->mem, h->mem_len ? (uint32_t)h->mem_len : 0},
            {"stack", (uintptr_t)stack, t.stack_len},
            {"data", (uintptr_t)slot.prog.data, slot.prog.data_len},
            {"rodata", (uintptr_t)slot.prog.rodata, slot.prog.rodata_len},
        };
        int64_t off = 0;
        int k = mbpf_where(r, 4, fault.addr, &off);
        mbpf_print_fault(h->tp, p, st, fault.pc, fault.addr, fault.size, k >= 0 ? r[k].name : NULL,
                         off, k >= 0 ? r[k].len : 0);
        rc = 3;
        goto done;
    }
    printf("0x%" PRIx64 "\n", r0);
    rc = 0;
done:
    free(arena);
    free(work);
    free(facts);
    free(stack);
    free(data);
    free(container);
    return rc;
}

/* ---- host: the conformance helpers, the interpreter run directly ---- */

static int run_host_conformance(const mbpf_tool_profile *tp, const mbpf_loaded *l, uint8_t *mem,
                                size_t mem_len, uint64_t budget, int stats)
{
    const mbpf_program *p = &l->prog;
    size_t asz = mbpf_verify_arena_size(p->n_insns);
    void *arena = malloc(asz);
    mbpf_fact *facts = calloc(p->n_insns + 1, sizeof *facts);
    uint8_t *stack = malloc(tp->p.stack_len); /* aligned for any type */
    mbpf_verify_result vr;
    int rc = 2;
    if (!arena || !facts || !stack) {
        fprintf(stderr, "bpfrun: out of memory\n");
        rc = 1;
    } else if (mbpf_profile_check(p, &tp->p, facts, arena, asz, &vr)) {
        mbpf_print_verify_error("bpfrun", l, vr.msg, vr.pc);
    } else {
        if (stats)
            fprintf(stderr, "verify: %u of %u memory accesses proven, %u of %u alu/load results "
                    "with a known-zero upper half (alu32 %u of %u), %u of %u back edges bounded, "
                    "%u sweeps, %u states\n",
                    vr.mem_proven, vr.mem_accesses, vr.alu_hi_zero, vr.alu_results, vr.alu32_hi_zero,
                    vr.alu32_results, vr.loops_bounded, vr.loops, vr.sweeps, vr.states);
        mbpf_exec x;
        memset(&x, 0, sizeof x);
        x.prog = p;
        x.ctx = mem_len ? mem : NULL;
        x.ctx_len = (uint32_t)mem_len;
        x.ctx_flags = tp->p.ctx_flags;
        x.stack = stack;
        x.stack_len = tp->p.stack_len;
        x.helpers = mbpf_test_helpers;
        x.n_helpers = MBPF_TEST_HELPER_COUNT;
        x.budget = budget;
        x.facts = facts; /* checked against what happens (MBPF_INTERP_CHECK_FACTS) */
        mbpf_exec_reset(&x);
        /* verified: pre-decoded, as on a device */
        size_t need = mbpf_interp_size(p, facts);
        void *code = need ? malloc(need) : NULL;
        if (!code || mbpf_interp_prepare(p, facts, code, need)) {
            fprintf(stderr, "bpfrun: program not pre-decoded\n");
            free(code);
            free(arena);
            free(facts);
            free(stack);
            return 1;
        }
        mbpf_status s = mbpf_interp_exec(&x, code);
        free(code);
        if (stats)
            fprintf(stderr, "code_bytes: %zu\n", need);
        if (stats)
            fprintf(stderr, "insns: %" PRIu64 "\n", x.insns_executed);
        if (s != MBPF_OK) {
            mbpf_where_region r[4] = {
                {"ctx", (uintptr_t)mem, (uint32_t)mem_len},
                {"stack", (uintptr_t)stack, tp->p.stack_len},
                {"data", (uintptr_t)p->data, p->data_len},
                {"rodata", (uintptr_t)p->rodata, p->rodata_len},
            };
            int64_t off = 0;
            int k = mbpf_where(r, 4, x.fault.addr, &off);
            mbpf_print_fault(tp, p, s, x.fault.pc, x.fault.addr, x.fault.size,
                             k >= 0 ? r[k].name : NULL, off, k >= 0 ? r[k].len : 0);
            rc = 3;
        } else {
            printf("0x%" PRIx64 "\n", x.r0);
            rc = 0;
        }
    }
    free(arena);
    free(facts);
    free(stack);
    return rc;
}

/* "ID=VALUE" (ID a number or a helper name of the profile). */
static int parse_assignment(const mbpf_tool_profile *tp, const char *opt, const char *arg,
                            uint64_t *id, uint64_t *value, int names)
{
    const char *eq = strchr(arg, '=');
    char key[64];
    if (!eq || (size_t)(eq - arg) >= sizeof key) {
        fprintf(stderr, "bpfrun: %s takes ID=VALUE, got '%s'\n", opt, arg);
        return -1;
    }
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
    int named = names ? mbpf_tool_helper_id(tp, key) : -1;
    if (named >= 0) {
        *id = (uint64_t)named;
    } else if (mbpf_parse_u64(key, id)) {
        fprintf(stderr, "bpfrun: %s: '%s' is not a number%s\n", opt, key,
                names ? " or a helper name of the profile" : "");
        return -1;
    }
    if (parse_i64(eq + 1, value)) {
        fprintf(stderr, "bpfrun: %s: '%s' is not a number\n", opt, eq + 1);
        return -1;
    }
    return 0;
}

static int add_setting(uint32_t kind, uint64_t id, uint64_t value)
{
    if (n_settings == MAX_SETTINGS || id > UINT32_MAX) {
        fprintf(stderr, "bpfrun: too many --helper/--sensor settings\n");
        return -1;
    }
    mbpf_bundle_setting s = {kind, (uint32_t)id, value};
    settings[n_settings++] = s;
    return 0;
}

/* A device-specific helper the profile names and the program calls, but nothing here stands in
 * for: say so rather than let the load fail on an unknown helper. */
static int missing_stand_in(const mbpf_tool_profile *tp, const char *path, const mbpf_program *p)
{
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        if (in->code != MBPF_OPC_CALL || MBPF_SRC(in) != MBPF_CALL_HELPER || in->imm < MBPF_HELPER_DEFAULT_COUNT ||
            in->imm >= 64 || !(tp->p.helpers_lo >> in->imm & 1u) ||
            setting(MBPF_BUNDLE_SET_HELPER, (uint32_t)in->imm))
            continue;
        char name[48];
        mbpf_tool_helper_name(tp, (uint32_t)in->imm, name, sizeof name);
        fprintf(stderr, "bpfrun: %s: insn %u calls helper %d (%s), a helper of the device that "
                "nothing stands in for here: give --helper %s=VALUE\n", path, pc, in->imm, name,
                tp->names[in->imm][0] ? name : "ID");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *mem_path = NULL, *section = NULL, *prog_path = NULL, *kv_path = NULL;
    const char *target = "host", *engine = "interp";
    uint64_t budget = DEFAULT_BUDGET, timeout = 120;
    int stats = 0, raw = MBPF_RAW_GUESS;
    static mbpf_tool_profile tp;
    mbpf_tool_profile_default(&tp);
    /* the helper set comes first: names in --helper and --helpers depend on it */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--conformance-helpers"))
            mbpf_tool_profile_conformance(&tp);
    static const char *pending[2 * MAX_SETTINGS]; /* option, value */
    int n_pending = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        char err[512];
        int prc = mbpf_tool_profile_option(&tp, argc, argv, &i, err, sizeof err);
        if (prc < 0) {
            fprintf(stderr, "bpfrun: %s\n", err);
            return 1;
        }
        if (prc > 0)
            continue;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("bpfrun (mcubpf) %s\n", MBPF_TOOLS_VERSION);
            return 0;
        } else if (!strcmp(a, "--conformance-helpers")) {
            continue;
        } else if (!strcmp(a, "--mem") && has_val) {
            mem_path = argv[++i];
        } else if (!strcmp(a, "--section") && has_val) {
            section = argv[++i];
        } else if (!strcmp(a, "--kv") && has_val) {
            kv_path = argv[++i];
        } else if ((!strcmp(a, "--helper") || !strcmp(a, "--sensor")) && has_val) {
            if (n_pending == (int)(2 * MAX_SETTINGS)) {
                fprintf(stderr, "bpfrun: too many --helper/--sensor settings\n");
                return 1;
            }
            pending[n_pending++] = a;
            pending[n_pending++] = argv[++i];
        } else if ((!strcmp(a, "--budget") || !strcmp(a, "--timeout") || !strcmp(a, "--now")) &&
                   has_val) {
            uint64_t v;
            if (mbpf_parse_u64(argv[++i], &v)) {
                fprintf(stderr, "bpfrun: %s: '%s' is not a number\n", a, argv[i]);
                return 1;
            }
            if (!strcmp(a, "--budget"))
                budget = v;
            else if (!strcmp(a, "--timeout"))
                timeout = v ? v : 1;
            else if (add_setting(MBPF_BUNDLE_SET_NOW, 0, v))
                return 1;
        } else if (!strcmp(a, "--stats")) {
            stats = 1;
        } else if (!strcmp(a, "--raw")) {
            raw = MBPF_RAW_FORCE;
        } else if (!strcmp(a, "--target") && has_val) {
            target = argv[++i];
        } else if (!strcmp(a, "--engine") && has_val) {
            engine = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bpfrun: unknown or incomplete option '%s' (see --help)\n", a);
            return 1;
        } else if (!prog_path) {
            prog_path = a;
        } else {
            fprintf(stderr, "bpfrun: more than one program given (see --help)\n");
            return 1;
        }
    }
    if (!prog_path) {
        usage(stderr);
        return 1;
    }
    if (strcmp(engine, "interp") && strcmp(engine, "jit") && strcmp(engine, "aot")) {
        fprintf(stderr, "bpfrun: unknown engine '%s' (interp, jit, aot)\n", engine);
        return 1;
    }
    if (strcmp(target, "host") && strcmp(target, "thumb2") && strcmp(target, "rv32imc")) {
        fprintf(stderr, "bpfrun: unknown target '%s' (host, thumb2, rv32imc)\n", target);
        return 1;
    }
    if (!strcmp(target, "host") && strcmp(engine, "interp")) {
        fprintf(stderr, "bpfrun: engine '%s' needs --target thumb2 or rv32imc\n", engine);
        return 1;
    }
    /* stand-ins and sensors, now that the profile (and its helper names) is complete */
    for (int k = 0; k + 1 < n_pending; k += 2) {
        int helper = !strcmp(pending[k], "--helper");
        uint64_t id, value;
        char err[256];
        if (tp.conformance) {
            fprintf(stderr, "bpfrun: %s does not apply with --conformance-helpers\n", pending[k]);
            return 1;
        }
        if (parse_assignment(&tp, pending[k], pending[k + 1], &id, &value, helper))
            return 1;
        if (helper && !mbpf_tool_offer_helper(&tp, id > UINT32_MAX ? UINT32_MAX : (uint32_t)id, err,
                                              sizeof err)) {
            fprintf(stderr, "bpfrun: --helper: %s\n", err);
            return 1;
        }
        if (add_setting(helper ? MBPF_BUNDLE_SET_HELPER : MBPF_BUNDLE_SET_SENSOR, id, value))
            return 1;
    }
    if (tp.conformance && kv_path) {
        fprintf(stderr, "bpfrun: --kv does not apply with --conformance-helpers\n");
        return 1;
    }

    char err[512];
    size_t file_len;
    uint8_t *file = mbpf_read_file(prog_path, &file_len, err, sizeof err);
    if (!file) {
        fprintf(stderr, "bpfrun: %s\n", err);
        return 1;
    }
    mbpf_loaded prog;
    memset(&prog, 0, sizeof prog);
    char desc[160];
    int is_image = raw != MBPF_RAW_FORCE &&
                   mbpf_file_detect(file, file_len, desc, sizeof desc) == MBPF_FILE_IMAGE;
    int guessed = 0;
    if (is_image) {
        if (strcmp(engine, "aot") || !strcmp(target, "host") || tp.conformance) {
            fprintf(stderr, "bpfrun: %s: %s: run it with --target and --engine aot\n", prog_path, desc);
            free(file);
            return 2;
        }
    } else if (mbpf_load_program_buffer(prog_path, file, file_len, section, raw, &prog, &guessed, err,
                                        sizeof err)) {
        fprintf(stderr, "bpfrun: %s\n", err);
        free(file);
        return 2;
    }
    if (guessed)
        fprintf(stderr, "bpfrun: note: %s is not an ELF object, a container or an image; read as raw "
                "bytecode (%u instructions)\n", prog_path, prog.prog.n_insns);
    if (!tp.conformance && !is_image && missing_stand_in(&tp, prog_path, &prog.prog)) {
        free(file);
        mbpf_loaded_free(&prog);
        return 2;
    }
    uint8_t *mem = NULL;
    size_t mem_len = 0;
    if (mem_path) {
        mem = mbpf_read_file(mem_path, &mem_len, err, sizeof err);
        if (!mem || mem_len > UINT32_MAX) {
            fprintf(stderr, "bpfrun: %s\n", mem ? "memory file too large" : err);
            free(mem);
            free(file);
            mbpf_loaded_free(&prog);
            return 1;
        }
    }
    static mbpf_kv_entry kv[KV_CAP];
    uint32_t n_kv = 0;
    int rc = 1;
    if (kv_path && kv_read(kv_path, kv, KV_CAP, &n_kv))
        goto out;

    if (strcmp(target, "host")) {
        mbpf_run_request r;
        memset(&r, 0, sizeof r);
        r.target = target;
        r.engine = engine;
        r.profile = &tp;
        r.prog = is_image ? NULL : &prog.prog;
        r.loaded = is_image ? NULL : &prog;
        r.image = is_image ? file : NULL;
        r.image_len = is_image ? file_len : 0;
        r.mem = mem;
        r.mem_len = mem_len;
        r.budget = budget;
        r.stats = stats;
        r.timeout_s = (unsigned)(timeout > 3600 ? 3600 : timeout);
        r.kv = kv;
        r.n_kv = &n_kv;
        r.kv_cap = KV_CAP;
        r.settings = settings;
        r.n_settings = n_settings;
        rc = mbpf_target_run(&r);
        /* the runner lists the store after the run: entries are in n_kv */
        for (uint32_t i = n_kv; i < KV_CAP; i++)
            memset(&kv[i], 0, sizeof kv[i]);
    } else if (tp.conformance) {
        rc = run_host_conformance(&tp, &prog, mem, mem_len, budget, stats);
    } else {
        host_run h = {&tp, &prog, mem, mem_len, budget, stats, kv};
        rc = run_host_runtime(&h);
    }
    if (kv_path && (rc == 0 || rc == 3) && kv_write(kv_path, kv, KV_CAP))
        rc = 1;
out:
    free(mem);
    free(file);
    mbpf_loaded_free(&prog);
    return rc;
}
