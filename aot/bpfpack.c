/* bpfpack: check an eBPF program against the device profile and pack it into a bytecode
 * container for the device (include/mcubpf/container.h); --info describes any program file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/cert_tool.h"
#include "aot/container_write.h"
#include "aot/file_kind.h"
#include "aot/profile_args.h"
#include "aot/sign_write.h"
#include "aot/tool_args.h"
#include "aot/version.h"
#include "mcubpf/profile.h"
#include "mcubpf/runtime.h"
#include "mcubpf/verifier.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s PROG -o OUT [--section NAME] [--raw] [profile options]\n"
            "          [--hook N] [--prog-version N] [--sign KEY] [--no-cert]\n"
            "       %s --info FILE\n"
            "Check PROG (an eBPF ELF object from clang -target bpf, or raw bytecode) as the device\n"
            "will when it loads it, and write a bytecode container of it to OUT.\n"
            "  --section NAME   program section or function (default: the only one)\n"
            "  --raw            PROG is raw bytecode, whatever it looks like\n"
            "  --info FILE      what FILE is (container, AOT image, object) and whether it checks\n"
            "  --no-cert        leave the verifier certificate out (the device must then link the\n"
            "                   full verifier; with the certificate it checks the program in one\n"
            "                   pass with a few KiB of RAM)\n"
            "%s",
            prog, prog, mbpf_release_usage);
    mbpf_tool_profile_usage(f);
    fprintf(f,
            "  -h, --help       this text;  --version  the version\n"
            "Exit status: 0 ok, 1 usage or I/O error, 2 program (or file) rejected.\n");
}

static int own_option(void *with_cert, int argc, char **argv, int *i)
{
    (void)argc;
    if (strcmp(argv[*i], "--no-cert"))
        return 0;
    *(int *)with_cert = 0;
    return 1;
}

int main(int argc, char **argv)
{
    int with_cert = 1;
    static mbpf_tool_profile tp;
    mbpf_tool_args a;
    int ar = mbpf_tool_args_parse(&a, &tp, MBPF_ARGS_OUT | MBPF_ARGS_INFO | MBPF_ARGS_RELEASE, argc,
                                  argv, usage, own_option, &with_cert);
    if (ar != MBPF_ARGS_RUN)
        return ar == MBPF_ARGS_DONE ? 0 : 1;
    const char *self = a.self, *out = a.out, *rerr = NULL;
    mbpf_release_opts rel = a.rel;
    char err[512];
    const int form = mbpf_tool_info_form(&a, usage);
    if (form >= 0)
        return form;
    mbpf_loaded prog;
    if (mbpf_tool_load(&a, &prog))
        return 2;
    const mbpf_program *p = &prog.prog;
    /* the device checks again against what it offers; here: the profile given */
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns);
    mbpf_fact *facts = calloc(p->n_insns + 1, sizeof *facts);
    void *arena = malloc(asz);
    int rc = 2;
    if (!arena || !facts) {
        fprintf(stderr, "%s: out of memory\n", self);
        rc = 1;
        goto done;
    }
    if (mbpf_profile_check(p, &tp.p, facts, arena, asz, &vr)) {
        mbpf_print_verify_error(self, &prog, vr.msg, vr.pc);
        goto done;
    }
    /* the loader merges .data and .bss without recording the boundary; storing data up to its
     * last non-zero byte is equivalent and leaves zeroed .bss out */
    size_t len, cert_len = 0;
    uint8_t *cert = NULL;
    if (with_cert && !(cert = mbpf_tool_cert_build(p, &tp.p, &cert_len, err, sizeof err))) {
        fprintf(stderr, "%s: %s\n", self, err);
        goto done;
    }
    uint8_t *buf = mbpf_container_build_cert(p, mbpf_container_data_init_len(p), cert, (uint32_t)cert_len, &len);
    free(cert);
    if (!buf) {
        fprintf(stderr, "%s: the program exceeds the container's limits (helpers, data size)\n",
                self);
        goto done;
    }
    if (mbpf_release_finish(&buf, &len, &rel, &rerr)) {
        fprintf(stderr, "%s: %s%s%s\n", self, rel.key_path ? rel.key_path : "", rel.key_path ? ": " : "", rerr);
        free(buf);
        rc = 1;
        goto done;
    }
    FILE *f = fopen(out, "wb");
    int bad = !f || fwrite(buf, 1, len, f) != len;
    if ((f && fclose(f)) || bad) {
        fprintf(stderr, "%s: cannot write %s\n", self, out);
        free(buf);
        rc = 1;
        goto done;
    }
    free(buf);
    fprintf(stderr, "%s: %s: %u eBPF instructions, %u bytes rodata, %u bytes data -> container "
            "%zu bytes", self, out, p->n_insns, p->rodata_len, p->data_len, len);
    if (with_cert)
        fprintf(stderr, " (certificate %zu bytes; device work arena %zu bytes, %zu without it)\n",
                cert_len, mbpf_rt_work_need(p, 1), mbpf_rt_work_need(p, 0));
    else
        fprintf(stderr, " (no certificate; device work arena %zu bytes)\n", mbpf_rt_work_need(p, 0));
    rc = 0;
done:
    free(arena);
    free(facts);
    mbpf_loaded_free(&prog);
    return rc;
}
