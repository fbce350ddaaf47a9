/* Host side of the emulated devices: writes a bundle (platform/bundle.h), boots the runner
 * firmware for the target in QEMU with instruction counting, parses its result line and prints
 * bpfrun's output contract. For the aot engine the program is translated here, on the host,
 * and the runner executes the resulting bytes. */
#define _GNU_SOURCE
#include "aot/target_run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "platform/bundle.h"

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
static int translate_on_host(const target_info *ti, const mbpf_program *p, uint8_t **code,
                             uint32_t *len, uint32_t *entry)
{
    mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns), wsz = mbpf_jit_work_size(p->n_insns);
    void *arena = malloc(asz), *work = malloc(wsz);
    mbpf_fact *facts = calloc(p->n_insns, sizeof *facts);
    uint32_t cap = p->n_insns * 64u + 4096u;
    *code = malloc(cap);
    int rc = 0;
    if (!arena || !work || !facts || !*code) {
        fprintf(stderr, "bpfrun: out of memory\n");
        rc = 1;
    } else if (mbpf_verify(p, &opts, facts, arena, asz, &vr)) {
        fprintf(stderr, "bpfrun: %s\n", vr.msg);
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

static int write_bundle(const char *path, uint32_t engine, const mbpf_program *p, const uint8_t *mem,
                        size_t mem_len, uint64_t budget, const uint8_t *code, uint32_t code_len,
                        uint32_t entry)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    mbpf_bundle_header h = {MBPF_BUNDLE_MAGIC, MBPF_BUNDLE_VERSION, engine, p->n_insns,
                            p->rodata_len, p->data_len, (uint32_t)mem_len, code_len, entry,
                            (uint32_t)budget, (uint32_t)(budget >> 32), 0};
    fwrite(&h, sizeof h, 1, f);
    put_padded(f, p->insns, (size_t)p->n_insns * 8u);
    put_padded(f, p->rodata, p->rodata_len);
    put_padded(f, p->data, p->data_len);
    put_padded(f, mem, mem_len);
    put_padded(f, code, code_len);
    return fclose(f);
}

static uint64_t field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? strtoull(p + strlen(key), NULL, 0) : 0;
}

int mbpf_target_run(const char *target, const char *engine, const mbpf_program *p,
                    const uint8_t *mem, size_t mem_len, uint64_t budget, int stats)
{
    const target_info *ti = NULL;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (!strcmp(targets[i].name, target))
            ti = &targets[i];
    if (!ti) {
        fprintf(stderr, "bpfrun: unknown target '%s'\n", target);
        return 1;
    }
    char runner[4200];
    if (runner_path(target, runner, sizeof runner)) {
        fprintf(stderr, "bpfrun: runner firmware for %s not found (%s); build it with make\n", target,
                runner);
        return 1;
    }
    uint32_t eng = !strcmp(engine, "jit") ? MBPF_ENGINE_JIT
                   : !strcmp(engine, "aot") ? MBPF_ENGINE_AOT : MBPF_ENGINE_INTERP;
    uint8_t *code = NULL;
    uint32_t code_len = 0, entry = 0;
    if (eng == MBPF_ENGINE_AOT) {
        int rc = translate_on_host(ti, p, &code, &code_len, &entry);
        if (rc) {
            free(code);
            return rc;
        }
    }
    char bundle[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(bundle, sizeof bundle, "%s/mbpf-bundle-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(bundle);
    if (fd < 0 || (close(fd), write_bundle(bundle, eng, p, mem, mem_len, budget, code, code_len, entry))) {
        fprintf(stderr, "bpfrun: cannot write a bundle file\n");
        free(code);
        return 1;
    }
    free(code);
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "timeout 120 %s %s -nographic -monitor none -icount %s "
             "-semihosting-config enable=on,target=native,arg=runner,arg=bundle=%s -kernel %s "
             "</dev/null 2>&1",
             ti->qemu, ti->machine, ti->icount, bundle, runner);
    FILE *q = popen(cmd, "r");
    char line[1024], result[1024] = "";
    while (q && fgets(line, sizeof line, q))
        if (!strncmp(line, "result ", 7) || !strncmp(line, "reject ", 7) || !strncmp(line, "error ", 6))
            snprintf(result, sizeof result, "%s", line);
    int qrc = q ? pclose(q) : -1;
    unlink(bundle);
    result[strcspn(result, "\n")] = 0;
    if (!strncmp(result, "reject ", 7)) {
        fprintf(stderr, "bpfrun: %s\n", result + 7);
        return 2;
    }
    if (strncmp(result, "result ", 7)) {
        fprintf(stderr, "bpfrun: %s runner failed (%s; qemu status %d)\n", target,
                result[0] ? result : "no result line: crash or timeout", qrc);
        return 1;
    }
    mbpf_status st = (mbpf_status)field(result, "status=");
    if (stats) {
        fprintf(stderr, "insns: %" PRIu64 "\n", field(result, "insns="));
        fprintf(stderr, "verify_insns: %" PRIu64 "\n", field(result, "verify_insns="));
        fprintf(stderr, "jit_insns: %" PRIu64 "\n", field(result, "jit_insns="));
        fprintf(stderr, "code_bytes: %" PRIu64 "\n", field(result, "code_bytes="));
        fprintf(stderr, "mem_hash: 0x%" PRIx64 "\n", field(result, "mem_hash="));
        fprintf(stderr, "code_hash: 0x%" PRIx64 "\n", field(result, "code_hash="));
        fprintf(stderr, "guard_zones: %s\n", strstr(result, "guards=intact") ? "intact" : "CHANGED");
    }
    if (st != MBPF_OK) {
        uint32_t pc = (uint32_t)field(result, "pc=");
        char dis[64] = "?";
        if (pc < p->n_insns)
            mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
        fprintf(stderr, "bpfrun: fault: %s at insn %u (%s)", mbpf_status_name(st), pc, dis);
        if (st == MBPF_FAULT_MEM_READ || st == MBPF_FAULT_MEM_WRITE)
            fprintf(stderr, ", address 0x%" PRIx64 ", size %" PRIu64, field(result, "addr="),
                    field(result, "size="));
        fputc('\n', stderr);
        return 3;
    }
    printf("0x%" PRIx64 "\n", field(result, " r0="));
    return 0;
}
