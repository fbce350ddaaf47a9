/* Host side of the emulated devices: writes a bundle (platform/bundle.h), boots the runner
 * firmware for the target in QEMU with instruction counting, parses its output and prints
 * bpfrun's output contract. Two modes: a tenant's program through the runtime API with the
 * default helpers (a container, or an AOT image for engine aot), or, with the conformance helper
 * set, the bytecode run directly by the engine (the test suites' and benchmarks' mode; for the
 * aot engine the program is translated here and the runner executes the bytes). */
#define _GNU_SOURCE
#include "aot/target_run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aot/container_write.h"
#include "aot/file_kind.h"
#include "aot/image_write.h"
#include "mcubpf/jit.h"
#include "mcubpf/verifier.h"

typedef struct target_info {
    const char *name;
    mbpf_target target;
    const char *qemu;
    const char *machine;
    const char *icount;
} target_info;

static const target_info targets[] = {
    {"thumb2", MBPF_TARGET_THUMB2, "qemu-system-arm", "-M mps2-an386 -cpu cortex-m4", "shift=7"},
    {"rv32imc", MBPF_TARGET_RV32IMC, "qemu-system-riscv32", "-M virt -bios none", "shift=0"},
};

void mbpf_print_fault(const mbpf_tool_profile *tp, const mbpf_program *p, mbpf_status st,
                      uint32_t pc, uint64_t addr, uint32_t size, const char *rgn, int64_t off,
                      int64_t rgn_len)
{
    char dis[64] = "native code";
    if (p && pc < p->n_insns)
        mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
    fprintf(stderr, "bpfrun: fault: %s at insn %u (%s)", mbpf_status_name(st), pc, dis);
    if ((st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE) && rgn) {
        fprintf(stderr, ": %s%+" PRId64 ", %u byte%s", rgn, off, size, size == 1 ? "" : "s");
        if (off >= 0 && off + (int64_t)size <= rgn_len && !strcmp(rgn, "stack"))
            fprintf(stderr, " (inside the stack, outside its live frames)");
        else if (off >= 0 && off + (int64_t)size <= rgn_len)
            fprintf(stderr, " (%s is %s)", rgn, st == MBPF_FAULT_MEM_WRITE ? "read-only" : "not readable");
        else
            fprintf(stderr, " (%s is %" PRId64 " bytes)", rgn, rgn_len);
    } else if (st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE) {
        fprintf(stderr, ": %u bytes outside every region", size);
    } else if (st == MBPF_FAULT_HELPER) {
        char name[48];
        fprintf(stderr, ": helper id %" PRIu64 " (%s) is not offered", addr,
                mbpf_tool_helper_name(tp, (uint32_t)addr, name, sizeof name));
    } else if (st == MBPF_FAULT_CALL_DEPTH) {
        fprintf(stderr, ": the stack holds %u frames", mbpf_profile_max_depth(&tp->p));
    }
    fputc('\n', stderr);
}

/* The runners live in $(BUILD)/platform, next to $(BUILD)/bin where bpfrun is. */
static int runner_path(const char *target, char *out, size_t len)
{
    const char *dir = getenv("MBPF_PLATFORM_DIR");
    if (dir) {
        snprintf(out, len, "%s/runner-%s.elf", dir, target);
    } else {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return -1;
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (!slash)
            return -1;
        *slash = 0;
        snprintf(out, len, "%s/../platform/runner-%s.elf", exe, target);
    }
    return access(out, R_OK);
}

static void put_padded(FILE *f, const void *p, size_t n)
{
    static const uint8_t zeros[8];
    if (n)
        fwrite(p, 1, n, f);
    fwrite(zeros, 1, (8 - n % 8) % 8, f);
}

/* Host translation for the aot engine. Returns 0, 2 (rejected) with a message printed. */
static int translate_on_host(const target_info *ti, const mbpf_profile *pr, const mbpf_program *p,
                             const mbpf_loaded *l, uint8_t **code, uint32_t *len, uint32_t *entry)
{
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns), wsz = mbpf_jit_work_size(p->n_insns);
    void *arena = malloc(asz), *work = malloc(wsz);
    mbpf_fact *facts = calloc(p->n_insns, sizeof *facts);
    uint32_t cap = p->n_insns * 96u + 4096u;
    *code = malloc(cap);
    int rc = 0;
    if (!arena || !work || !facts || !*code) {
        fprintf(stderr, "bpfrun: out of memory\n");
        rc = 1;
    } else if (mbpf_profile_check(p, pr, facts, arena, asz, &vr)) {
        mbpf_print_verify_error("bpfrun", l, vr.msg, vr.pc);
        rc = 2;
    } else {
        mbpf_jit_result jr;
        if (mbpf_jit_translate(ti->target, p, facts, NULL, *code, cap, work, wsz, &jr)) {
            fprintf(stderr, "bpfrun: translate: insn %u: %s\n", jr.err_pc, jr.err);
            rc = 2;
        } else {
            *len = jr.code_len;
            *entry = jr.entry_off;
        }
    }
    free(arena);
    free(work);
    free(facts);
    return rc;
}

static int write_bundle(const char *path, const mbpf_bundle_header *h, const mbpf_program *p,
                        const uint8_t *mem, const uint8_t *code, const mbpf_run_request *r)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(h, sizeof *h, 1, f);
    if (p) {
        put_padded(f, p->insns, (size_t)p->n_insns * 8u);
        put_padded(f, p->rodata, p->rodata_len);
        put_padded(f, p->data, p->data_len);
    }
    put_padded(f, mem, h->mem_len);
    put_padded(f, code, h->code_len);
    if (h->n_kv)
        fwrite(r->kv, sizeof(mbpf_kv_entry), h->n_kv, f);
    if (h->n_settings)
        fwrite(r->settings, sizeof(mbpf_bundle_setting), h->n_settings, f);
    return fclose(f);
}

static uint64_t field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

/* The program file sent in runtime mode: a container of the bytecode, or an AOT image (given, or
 * translated here for engine aot). malloc'd. */
static uint8_t *runtime_file(const target_info *ti, const mbpf_run_request *r, uint32_t eng,
                             size_t *len, int *rc)
{
    *rc = 2;
    if (r->image) {
        uint8_t *copy = malloc(r->image_len);
        if (copy)
            memcpy(copy, r->image, r->image_len);
        *len = r->image_len;
        *rc = copy ? 0 : 1;
        return copy;
    }
    if (eng != MBPF_ENGINE_AOT) {
        uint8_t *c = mbpf_container_build(r->prog, mbpf_container_data_init_len(r->prog), len);
        if (!c)
            fprintf(stderr, "bpfrun: the program exceeds the container's limits (helpers, data size)\n");
        *rc = c ? 0 : 2;
        return c;
    }
    uint8_t *code = NULL;
    uint32_t code_len = 0, entry = 0;
    *rc = translate_on_host(ti, &r->profile->p, r->prog, r->loaded, &code, &code_len, &entry);
    uint8_t *img = NULL;
    if (!*rc) {
        img = mbpf_image_build(ti->target, r->prog, code, code_len, entry, len);
        *rc = img ? 0 : 1;
    }
    free(code);
    return img;
}

int mbpf_target_run(const mbpf_run_request *r)
{
    const target_info *ti = NULL;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (!strcmp(targets[i].name, r->target))
            ti = &targets[i];
    if (!ti) {
        fprintf(stderr, "bpfrun: unknown target '%s'\n", r->target);
        return 1;
    }
    char runner[4200];
    if (runner_path(r->target, runner, sizeof runner)) {
        fprintf(stderr, "bpfrun: runner firmware for %s not found (%s); build it with make\n",
                r->target, runner);
        return 1;
    }
    const int runtime = !r->profile->conformance;
    uint32_t eng = !strcmp(r->engine, "jit") ? MBPF_ENGINE_JIT
                   : !strcmp(r->engine, "aot") ? MBPF_ENGINE_AOT : MBPF_ENGINE_INTERP;
    mbpf_bundle_header h;
    memset(&h, 0, sizeof h);
    h.magic = MBPF_BUNDLE_MAGIC;
    h.version = MBPF_BUNDLE_VERSION;
    h.engine = eng;
    h.mem_len = (uint32_t)r->mem_len;
    h.budget_lo = (uint32_t)r->budget;
    h.budget_hi = (uint32_t)(r->budget >> 32);
    uint8_t *code = NULL;
    const mbpf_program *p = NULL;
    if (runtime) {
        size_t len = 0;
        int rc;
        code = runtime_file(ti, r, eng, &len, &rc);
        if (rc) {
            free(code);
            return rc;
        }
        h.flags = MBPF_BUNDLE_RUNTIME;
        h.code_len = (uint32_t)len;
        h.helper_mask = (uint32_t)r->profile->p.helpers_lo;
        h.ctx_flags = r->profile->p.ctx_flags;
        h.stack_len = r->profile->p.stack_len;
        h.ctx_min_len = r->profile->p.ctx_min_len;
        h.profile_flags = r->profile->p.flags;
        h.n_kv = *r->n_kv;
        h.n_settings = r->n_settings;
    } else {
        p = r->prog;
        h.n_insns = p->n_insns;
        h.rodata_len = p->rodata_len;
        h.data_len = p->data_len;
        if (eng == MBPF_ENGINE_AOT) {
            int rc = translate_on_host(ti, &r->profile->p, p, r->loaded, &code, &h.code_len, &h.code_entry);
            if (rc) {
                free(code);
                return rc;
            }
        }
    }
    char bundle[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(bundle, sizeof bundle, "%s/mbpf-bundle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(bundle);
    if (fd < 0 || (close(fd), write_bundle(bundle, &h, p, r->mem, code, r))) {
        fprintf(stderr, "bpfrun: cannot write a bundle file\n");
        free(code);
        return 1;
    }
    free(code);
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "timeout %u %s %s -nographic -monitor none -icount %s "
             "-semihosting-config enable=on,target=native,arg=runner,arg=bundle=%s -kernel %s "
             "</dev/null 2>&1",
             r->timeout_s, ti->qemu, ti->machine, ti->icount, bundle, runner);
    FILE *q = popen(cmd, "r");
    char line[1024], result[1024] = "";
    uint32_t n_kv = 0;
    while (q && fgets(line, sizeof line, q)) {
        if (!strncmp(line, "log ", 4)) {
            fprintf(stderr, "log: %s", line + 4);
        } else if (!strncmp(line, "kv ", 3) && runtime) {
            unsigned long ns, key;
            unsigned long long value;
            if (sscanf(line + 3, "%lu %lu %llu", &ns, &key, &value) == 3 && n_kv < r->kv_cap) {
                mbpf_kv_entry e = {(uint32_t)ns, (uint32_t)key, value};
                r->kv[n_kv++] = e;
            }
        } else if (!strncmp(line, "result ", 7) || !strncmp(line, "reject ", 7) ||
                   !strncmp(line, "error ", 6)) {
            snprintf(result, sizeof result, "%s", line);
        }
    }
    int qrc = q ? pclose(q) : -1;
    unlink(bundle);
    result[strcspn(result, "\n")] = 0;
    if (!strncmp(result, "reject ", 7)) {
        const char *at = strstr(result, "insn ");
        mbpf_print_verify_error("bpfrun", r->loaded, result + 7,
                                at ? (uint32_t)strtoul(at + 5, NULL, 10) : UINT32_MAX);
        return 2;
    }
    if (strncmp(result, "result ", 7)) {
        if (WIFEXITED(qrc) && WEXITSTATUS(qrc) == 124) {
            fprintf(stderr, "bpfrun: %s: no result within %u s (the program did not finish; with "
                    "--budget 0 nothing stops a loop that never ends)\n", r->target, r->timeout_s);
            return MBPF_EXIT_TIMEOUT;
        }
        fprintf(stderr, "bpfrun: %s runner failed (%s; qemu status %d)\n", r->target,
                result[0] ? result : "no result line: the emulator crashed", qrc);
        return 1;
    }
    if (runtime)
        *r->n_kv = n_kv;
    mbpf_status st = (mbpf_status)field(result, "status=");
    if (r->stats) {
        fprintf(stderr, "insns: %" PRIu64 "\n", field(result, " insns="));
        if (strstr(result, "code_insns="))
            fprintf(stderr, "code_insns: %" PRIu64 "\n", field(result, "code_insns="));
        fprintf(stderr, "verify_insns: %" PRIu64 "\n", field(result, "verify_insns="));
        fprintf(stderr, "jit_insns: %" PRIu64 "\n", field(result, "jit_insns="));
        fprintf(stderr, "code_bytes: %" PRIu64 "\n", field(result, "code_bytes="));
        if (!runtime) {
            fprintf(stderr, "mem_hash: 0x%" PRIx64 "\n", field(result, "mem_hash="));
            fprintf(stderr, "code_hash: 0x%" PRIx64 "\n", field(result, "code_hash="));
        } else {
            const char *e = strstr(result, "engine=");
            fprintf(stderr, "engine: %.*s\n", e ? (int)strcspn(e + 7, " ") : 1, e ? e + 7 : "?");
        }
        fprintf(stderr, "guard_zones: %s\n", strstr(result, "guards=intact") ? "intact" : "CHANGED");
    }
    if (st != MBPF_OK) {
        char rgn[16] = "";
        const char *g = strstr(result, "rgn=");
        if (g)
            snprintf(rgn, sizeof rgn, "%.*s", (int)strcspn(g + 4, " "), g + 4);
        const char *o = strstr(result, "off=");
        int64_t off = o ? strtoll(o + 4, NULL, 0) : 0;
        mbpf_print_fault(r->profile, r->prog, st, (uint32_t)field(result, "pc="),
                         field(result, "addr="), (uint32_t)field(result, "size="),
                         g && strcmp(rgn, "none") ? rgn : NULL, off, (int64_t)field(result, "rlen="));
        return 3;
    }
    printf("0x%" PRIx64 "\n", field(result, " r0="));
    return 0;
}
