/* bpf2thumb / bpf2rv32: ahead-of-time translation of an eBPF program into an image the device
 * runtime loads (include/mcubpf/image.h). The same verifier and translator as the device JIT. */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aot/file_kind.h"
#include "aot/image_write.h"
#include "aot/loader.h"
#include "aot/profile_args.h"
#include "aot/sign_write.h"
#include "aot/tool_args.h"
#include "aot/version.h"
#include "mcubpf/profile.h"
#include "mcubpf/verifier.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s PROG -o OUT [--section NAME] [--raw] [--disasm] [profile options]\n"
            "          [--hook N] [--prog-version N] [--sign KEY]\n"
            "       %s --info FILE\n"
            "Check PROG (an eBPF ELF object from clang -target bpf, a bytecode container, or raw\n"
            "bytecode) against the device profile, translate it to native code for %s and\n"
            "write an AOT image to OUT.\n"
            "  --section NAME   program section or function (default: the only one)\n"
            "  --raw            PROG is raw bytecode, whatever it looks like\n"
            "  --disasm         print each eBPF instruction and the native code it became\n"
            "  --info FILE      what FILE is (AOT image, container, object) and whether it checks\n"
            "%s",
            prog, prog, strstr(prog, "rv32") ? "RV32IMC" : "Thumb-2 (ARMv7E-M)", mbpf_release_usage);
    mbpf_tool_profile_usage(f);
    fprintf(f,
            "  -h, --help       this text;  --version  the version\n"
            "Exit status: 0 ok, 1 usage or I/O error, 2 program rejected or not translatable.\n");
}

static void print_native(csh h, const uint8_t *code, uint32_t from, uint32_t to)
{
    cs_insn *insn;
    size_t n = to > from ? cs_disasm(h, code + from, to - from, from, 0, &insn) : 0;
    for (size_t k = 0; k < n; k++)
        printf("        %04llx:  %-8s %s\n", (unsigned long long)insn[k].address, insn[k].mnemonic,
               insn[k].op_str);
    if (n)
        cs_free(insn, n);
}

/* Each eBPF instruction followed by the Thumb-2 it became (decoded by Capstone). */
static void disasm_thumb(const mbpf_program *p, const uint8_t *code, uint32_t len, const uint32_t *offs)
{
    csh h;
    if (cs_open(CS_ARCH_ARM, CS_MODE_THUMB | CS_MODE_MCLASS, &h) != CS_ERR_OK) {
        fprintf(stderr, "bpf2thumb: capstone unavailable\n");
        return;
    }
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_NOREGNAME);
    printf("  prologue:\n");
    print_native(h, code, 0, offs[0]);
    for (uint32_t i = 0; i < p->n_insns; i++) {
        char dis[64];
        mbpf_disasm(&p->insns[i], i + 1 < p->n_insns ? &p->insns[i + 1] : NULL, dis, sizeof dis);
        printf("%5u: %s\n", i, dis);
        uint32_t next = i + 1;
        if (p->insns[i].code == MBPF_OPC_LDDW && next < p->n_insns)
            next++; /* the second slot emits nothing of its own */
        print_native(h, code, offs[i], offs[next]);
        i = next - 1;
    }
    printf("  shared stubs (exit, faults, region checks):\n");
    print_native(h, code, offs[p->n_insns], len);
    cs_close(&h);
}

/* RV32: Capstone 4.0 has no RISC-V, so the toolchain's objdump decodes the code once; its lines
 * are then grouped under the eBPF instruction whose native range they fall in. */
static void disasm_rv32(const mbpf_program *p, const uint8_t *code, uint32_t len, const uint32_t *offs)
{
    char path[] = "/tmp/bpf2rv32-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, code, len) != (ssize_t)len) {
        fprintf(stderr, "bpf2rv32: cannot write a temporary file for objdump\n");
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "riscv64-unknown-elf-objdump -D -b binary -m riscv:rv32 -M numeric %s", path);
    FILE *f = popen(cmd, "r");
    char line[256];
    uint32_t i = 0;
    int started = 0;
    printf("  prologue:\n");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        unsigned long addr;
        if (!colon || sscanf(line, " %lx:", &addr) != 1 || !strchr(line, '\t'))
            continue;
        while (i < p->n_insns && offs[i] <= addr) {
            uint32_t next = i + 1;
            if (p->insns[i].code == MBPF_OPC_LDDW && next < p->n_insns)
                next++;
            if (offs[next] > offs[i] || !started) {
                char dis[64];
                mbpf_disasm(&p->insns[i], i + 1 < p->n_insns ? &p->insns[i + 1] : NULL, dis, sizeof dis);
                printf("%5u: %s\n", i, dis);
            }
            i = next;
        }
        if (i >= p->n_insns && addr >= offs[p->n_insns] && started != 2) {
            printf("  shared stubs (exit, faults, region checks):\n");
            started = 2;
        } else if (!started) {
            started = 1;
        }
        printf("        %s", line);
    }
    if (f)
        pclose(f);
    unlink(path);
}

static int own_option(void *disasm, int argc, char **argv, int *i)
{
    (void)argc;
    if (strcmp(argv[*i], "--disasm"))
        return 0;
    *(int *)disasm = 1;
    return 1;
}

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    mbpf_target target = strstr(self, "rv32") ? MBPF_TARGET_RV32IMC : MBPF_TARGET_THUMB2;
    int disasm = 0;
    static mbpf_tool_profile tp;
    mbpf_tool_args a;
    int ar = mbpf_tool_args_parse(&a, &tp, MBPF_ARGS_OUT | MBPF_ARGS_INFO | MBPF_ARGS_RELEASE, argc,
                                  argv, usage, own_option, &disasm);
    if (ar != MBPF_ARGS_RUN)
        return ar == MBPF_ARGS_DONE ? 0 : 1;
    const char *out = a.out;
    mbpf_release_opts rel = a.rel;
    const char *rerr = NULL;
    const int form = mbpf_tool_info_form(&a, usage);
    if (form >= 0)
        return form;
    mbpf_loaded prog;
    if (mbpf_tool_load(&a, &prog))
        return 2;
    const mbpf_program *p = &prog.prog;
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns), wsz = mbpf_jit_work_size(p->n_insns);
    uint32_t cap = p->n_insns * 96u + 4096u;
    void *arena = malloc(asz), *work = malloc(wsz);
    mbpf_fact *facts = calloc(p->n_insns, sizeof *facts);
    uint32_t *offs = calloc((size_t)p->n_insns + 1, sizeof *offs);
    uint8_t *code = malloc(cap);
    int rc = 2;
    if (!arena || !work || !facts || !offs || !code) {
        fprintf(stderr, "%s: out of memory\n", self);
        rc = 1;
        goto done;
    }
    if (mbpf_profile_check(p, &tp.p, facts, arena, asz, &vr)) {
        mbpf_print_verify_error(self, &prog, vr.msg, vr.pc);
        goto done;
    }
    mbpf_jit_opts jo = {0, offs};
    mbpf_jit_result jr;
    if (mbpf_jit_translate(target, p, facts, &jo, code, cap, work, wsz, &jr)) {
        char dis[64] = "";
        if (jr.err_pc < p->n_insns)
            mbpf_disasm(&p->insns[jr.err_pc], jr.err_pc + 1 < p->n_insns ? &p->insns[jr.err_pc + 1] : NULL,
                        dis, sizeof dis);
        fprintf(stderr, "%s: translate: insn %u (%s): %s\n", self, jr.err_pc, dis, jr.err);
        goto done;
    }
    size_t img_len;
    uint8_t *img = mbpf_image_build(target, p, code, jr.code_len, jr.entry_off, &img_len);
    if (img && mbpf_release_finish(&img, &img_len, &rel, &rerr)) {
        fprintf(stderr, "%s: %s%s%s\n", self, rel.key_path ? rel.key_path : "", rel.key_path ? ": " : "", rerr);
        free(img);
        rc = 1;
        goto done;
    }
    FILE *f = img ? fopen(out, "wb") : NULL;
    if (!f || fwrite(img, 1, img_len, f) != img_len || fclose(f)) {
        fprintf(stderr, "%s: cannot write %s\n", self, out);
        free(img);
        rc = 1;
        goto done;
    }
    free(img);
    if (disasm && target == MBPF_TARGET_THUMB2)
        disasm_thumb(p, code, jr.code_len, offs);
    else if (disasm)
        disasm_rv32(p, code, jr.code_len, offs);
    fprintf(stderr, "%s: %s: %u eBPF instructions (%u bytes) -> %u bytes of code, image %zu bytes; "
            "checked at run time: %u guarded accesses, %u budgeted back edges\n",
            self, out, p->n_insns, p->n_insns * 8u, jr.code_len, img_len, jr.guards_left, jr.budget_left);
    rc = 0;
done:
    free(arena);
    free(work);
    free(facts);
    free(offs);
    free(code);
    mbpf_loaded_free(&prog);
    return rc;
}
