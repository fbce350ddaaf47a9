/* bpfpack: verify an eBPF program and pack it into a bytecode container for the device
 * (include/mcubpf/container.h); --info describes a container and checks its hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/container_write.h"
#include "aot/loader.h"
#include "aot/sign_write.h"
#include "mcubpf/sign.h"
#include "mcubpf/verifier.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s PROG -o OUT [--section NAME] [--hook N] [--prog-version N] [--sign KEY]\n"
            "       %s --info FILE\n"
            "Verify PROG (ELF object from clang -target bpf, or raw bytecode) and write a\n"
            "bytecode container of it to OUT, for the device runtime to load.\n"
            "  --section NAME   program section or function (default: the only one)\n"
            "  --info FILE      print the header of container FILE and whether its hash checks\n"
            "%s"
            "Exit status: 0 ok, 1 usage or I/O error, 2 program (or container) rejected.\n",
            prog, prog, mbpf_release_usage);
}

static void print_section(const char *name, uint32_t off, uint32_t len)
{
    printf("%-12s offset %u, %u bytes\n", name, off, len);
}

/* Header fields as stored, then the parser's verdict. */
static int info(const char *self, const char *path)
{
    char err[256];
    size_t len;
    uint8_t *buf = mbpf_read_file(path, &len, err, sizeof err);
    if (!buf) {
        fprintf(stderr, "%s: %s\n", self, err);
        return 1;
    }
    mbpf_sig_block blk;
    const char *serr = NULL;
    int sig = mbpf_sig_find(buf, len, &blk, &serr);
    if (sig == 1)
        len = blk.signed_len; /* the header and hash describe the container without its block */
    mbpf_container_header h;
    if (len < sizeof h) {
        fprintf(stderr, "%s: %s: container: shorter than its header\n", self, path);
        free(buf);
        return 2;
    }
    memcpy(&h, buf, sizeof h);
    printf("%-12s 0x%08x%s\n", "magic", h.magic, h.magic == MBPF_CONTAINER_MAGIC ? " (MBPC)" : "");
    printf("%-12s %u\n%-12s 0x%x\n%-12s %u\n", "version", h.version, "flags", h.flags,
           "header_size", h.header_size);
    printf("%-12s %u (file: %zu)\n", "total_len", h.total_len, len);
    printf("%-12s offset %u, %u instructions\n", "insns", h.insns_off, h.n_insns);
    print_section("rodata", h.rodata_off, h.rodata_len);
    printf("%-12s offset %u, %u bytes stored, %u bytes in RAM\n", "data", h.data_off,
           h.data_init_len, h.data_len);
    printf("%-12s %u\n%-12s %u\n", "hook", h.hook, "prog_version", h.prog_version);
    printf("%-12s ", "signature");
    if (sig == 1) {
        printf("Ed25519, key id ");
        for (unsigned i = 0; i < sizeof blk.key_id; i++)
            printf("%02x", blk.key_id[i]);
        printf(" (bpfkey check KEY.pub FILE checks it)\n");
    } else
        printf("%s\n", sig < 0 ? serr : "none");
    printf("%-12s offset %u, %u ids", "helpers", h.helpers_off, h.n_helpers);
    for (uint32_t i = 0; i < h.n_helpers && i < MBPF_CONTAINER_MAX_HELPERS; i++) {
        uint32_t id;
        if ((uint64_t)h.helpers_off + 4u * (i + 1) > len)
            break;
        memcpy(&id, buf + h.helpers_off + 4u * i, 4);
        printf("%s%u", i ? " " : ": ", id);
    }
    uint8_t digest[32];
    mbpf_container_digest(buf, len, digest);
    printf("\n%-12s ", "sha256");
    for (int i = 0; i < 32; i++)
        printf("%02x", h.sha256[i]);
    printf(" (%s)\n", memcmp(digest, h.sha256, 32) ? "MISMATCH" : "ok");
    mbpf_container_view v;
    const char *perr;
    int rc = mbpf_container_parse(buf, len, &v, &perr) ? 2 : 0;
    printf("%-12s %s\n", "check", rc ? perr : "ok");
    free(buf);
    return rc;
}

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *in = NULL, *out = NULL, *section = NULL, *info_path = NULL, *rerr = NULL;
    mbpf_release_opts rel = {0, 0, NULL};
    for (int i = 1; i < argc; i++) {
        int r = mbpf_release_option(argc, argv, &i, &rel, &rerr);
        if (r < 0) {
            fprintf(stderr, "%s: %s\n", self, rerr);
            return 1;
        } else if (r) {
            continue;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout, self);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--section") && i + 1 < argc) {
            section = argv[++i];
        } else if (!strcmp(argv[i], "--info") && i + 1 < argc) {
            info_path = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "%s: unknown option '%s' (see --help)\n", self, argv[i]);
            return 1;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "%s: more than one input (see --help)\n", self);
            return 1;
        }
    }
    if (info_path && !in && !out && !section)
        return info(self, info_path);
    if (info_path || !in || !out) {
        usage(stderr, self);
        return 1;
    }
    char err[256];
    mbpf_loaded prog;
    if (mbpf_load_file(in, section, &prog, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", self, err);
        return 2;
    }
    const mbpf_program *p = &prog.prog;
    /* the device verifies again with its own helper set; here: any helper, context read/write */
    mbpf_verify_opts vo = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    size_t asz = mbpf_verify_arena_size(p->n_insns);
    void *arena = malloc(asz);
    int rc = 2;
    if (!arena) {
        fprintf(stderr, "%s: out of memory\n", self);
        rc = 1;
        goto done;
    }
    if (mbpf_verify(p, &vo, NULL, arena, asz, &vr)) {
        fprintf(stderr, "%s: %s\n", self, vr.msg);
        goto done;
    }
    /* the loader merges .data and .bss without recording the boundary; storing data up to its
     * last non-zero byte is equivalent and leaves zeroed .bss out */
    size_t len;
    uint8_t *buf = mbpf_container_build(p, mbpf_container_data_init_len(p), &len);
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
            "%zu bytes\n", self, out, p->n_insns, p->rodata_len, p->data_len, len);
    rc = 0;
done:
    free(arena);
    mbpf_loaded_free(&prog);
    return rc;
}
