/* --info for every kind of program file (aot/file_info.h). */
#include "aot/file_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/file_kind.h"
#include "mcubpf/container.h"
#include "mcubpf/runtime.h"
#include "mcubpf/image.h"
#include "mcubpf/sign.h"

static void print_helpers(const uint8_t *buf, size_t len, uint32_t off, uint32_t n)
{
    printf("%-12s %u ids", "helpers", n);
    for (uint32_t i = 0; i < n && i < 128; i++) {
        uint32_t id;
        if ((uint64_t)off + 4u * (i + 1) > len)
            break;
        memcpy(&id, buf + off + 4u * i, 4);
        printf("%s%u", i ? " " : ": ", id);
    }
    printf("\n");
}

static void print_digest(const char *name, const uint8_t d[32], const char *verdict)
{
    printf("%-12s ", name);
    for (int i = 0; i < 32; i++)
        printf("%02x", d[i]);
    printf("%s\n", verdict);
}

/* Hook, release version and signature block (sig: mbpf_sig_find's verdict on the whole file). */
static void print_release(uint32_t hook, uint32_t version, int sig, const mbpf_sig_block *blk,
                          const char *serr)
{
    printf("%-12s %u\n%-12s %u\n", "hook", hook, "prog_version", version);
    printf("%-12s ", "signature");
    if (sig == 1) {
        printf("Ed25519, key id ");
        for (unsigned i = 0; i < sizeof blk->key_id; i++)
            printf("%02x", blk->key_id[i]);
        printf(" (bpfkey check KEY.pub FILE checks it)\n");
    } else {
        printf("%s\n", sig < 0 ? serr : "none");
    }
}

/* len: the container without its signature block, when it has one */
static int container_info(const uint8_t *buf, size_t len, int sig, const mbpf_sig_block *blk,
                          const char *serr)
{
    mbpf_container_header h;
    if (len < sizeof h) {
        printf("%-12s shorter than its header\n", "check");
        return 2;
    }
    memcpy(&h, buf, sizeof h);
    printf("%-12s bytecode container\n", "kind");
    printf("%-12s %u\n%-12s 0x%x\n%-12s %u\n", "version", h.version, "flags", h.flags,
           "header_size", h.header_size);
    printf("%-12s %u (file: %zu)\n", "total_len", h.total_len, len);
    printf("%-12s offset %u, %u instructions\n", "insns", h.insns_off, h.n_insns);
    printf("%-12s offset %u, %u bytes\n", "rodata", h.rodata_off, h.rodata_len);
    printf("%-12s offset %u, %u bytes stored, %u bytes in RAM\n", "data", h.data_off,
           h.data_init_len, h.data_len);
    if (h.cert_len)
        printf("%-12s offset %u, %u bytes (verifier certificate, %.2fx the bytecode)\n", "cert", h.cert_off,
               h.cert_len, h.n_insns ? (double)h.cert_len / (8.0 * h.n_insns) : 0.0);
    else
        printf("%-12s none (the device needs the full verifier)\n", "cert");
    print_release(h.hook, h.prog_version, sig, blk, serr);
    print_helpers(buf, len, h.helpers_off, h.n_helpers);
    uint8_t digest[32];
    mbpf_container_digest(buf, len, digest);
    print_digest("sha256", h.sha256, memcmp(digest, h.sha256, 32) ? " (MISMATCH)" : " (ok)");
    mbpf_container_view v;
    const char *perr;
    int rc = mbpf_container_parse(buf, len, &v, &perr) ? 2 : 0;
    printf("%-12s %s\n", "check", rc ? perr : "ok");
    if (!rc) {
        mbpf_program p = {v.insns, v.n_insns, v.rodata, v.rodata_len, NULL, v.data_len};
        printf("%-12s %zu bytes to load it (mbpf_rt_work_need)", "work arena", mbpf_rt_work_need(&p, v.cert != NULL));
        if (v.cert)
            printf(", %zu without its certificate", mbpf_rt_work_need(&p, 0));
        printf("\n");
    }
    return rc;
}

static int image_info(const uint8_t *buf, size_t len, int sig, const mbpf_sig_block *blk,
                      const char *serr)
{
    mbpf_image_header h;
    if (len < sizeof h) {
        printf("%-12s shorter than its header\n", "check");
        return 2;
    }
    memcpy(&h, buf, sizeof h);
    printf("%-12s AOT image\n", "kind");
    printf("%-12s %u\n%-12s %s\n%-12s 0x%x\n", "version", h.version, "target",
           h.target == MBPF_TARGET_THUMB2 ? "thumb2 (Cortex-M, ARMv7E-M)"
           : h.target == MBPF_TARGET_RV32IMC ? "rv32imc" : "unknown", "flags", h.flags);
    printf("%-12s %u (file: %zu)\n", "total_len", h.total_len, len);
    printf("%-12s offset %u, %u bytes, entry +%u\n", "code", h.code_off, h.code_len, h.entry);
    printf("%-12s offset %u, %u bytes\n", "rodata", h.rodata_off, h.rodata_len);
    printf("%-12s offset %u, %u bytes\n", "data", h.data_off, h.data_len);
    print_release(h.hook, h.prog_version, sig, blk, serr);
    print_helpers(buf, len, h.helpers_off, h.n_helpers);
    printf("%-12s %u eBPF instructions\n", "source", h.n_insns);
    print_digest("src_sha256", h.src_sha256, "");
    print_digest("sha256", h.image_sha256, "");
    mbpf_image_view v;
    const char *perr;
    int rc = mbpf_image_parse(buf, len, MBPF_TARGET_NONE, &v, &perr) ? 2 : 0;
    printf("%-12s %s\n", "check", rc ? perr : "ok (header, bounds, hash)");
    return rc;
}

int mbpf_print_file_info(const char *self, const char *path)
{
    char err[512], desc[160];
    size_t len;
    uint8_t *file = mbpf_read_file(path, &len, err, sizeof err);
    if (!file) {
        fprintf(stderr, "%s: %s\n", self, err);
        return 1;
    }
    /* the parsers want 8-byte aligned buffers */
    uint8_t *buf = malloc(len + 8);
    if (!buf) {
        free(file);
        fprintf(stderr, "%s: out of memory\n", self);
        return 1;
    }
    memcpy(buf, file, len);
    free(file);
    mbpf_file_kind k = mbpf_file_detect(buf, len, desc, sizeof desc);
    int rc;
    printf("%-12s %s\n", "file", path);
    mbpf_sig_block blk;
    const char *serr = NULL;
    int sig = 0;
    if (k == MBPF_FILE_CONTAINER || k == MBPF_FILE_IMAGE) {
        sig = mbpf_sig_find(buf, len, &blk, &serr);
        if (sig == 1)
            len = blk.signed_len; /* the header and hash describe the artefact without its block */
    }
    if (k == MBPF_FILE_CONTAINER) {
        rc = container_info(buf, len, sig, &blk, serr);
    } else if (k == MBPF_FILE_IMAGE) {
        rc = image_info(buf, len, sig, &blk, serr);
    } else if (k == MBPF_FILE_ELF || k == MBPF_FILE_RAW) {
        mbpf_loaded l;
        rc = mbpf_load_program_buffer(path, buf, len, NULL, MBPF_RAW_GUESS, &l, NULL, err, sizeof err);
        printf("%-12s %s\n", "kind", k == MBPF_FILE_ELF ? "eBPF ELF object" : desc);
        if (rc) {
            printf("%-12s %s\n", "check", err);
            rc = 2;
        } else {
            printf("%-12s %s, %u instructions, %u bytes rodata, %u bytes data, %u source lines\n",
                   "program", l.name, l.prog.n_insns, l.prog.rodata_len, l.prog.data_len, l.n_lines);
            mbpf_loaded_free(&l);
        }
    } else {
        printf("%-12s %s\n", "kind", desc);
        rc = 2;
    }
    free(buf);
    return rc;
}
