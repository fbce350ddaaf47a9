/* Verifier certificates on the device: every container listed in dir=PATH/list (one name a
 * line, NAME.mbc next to it, written by bpfpack with its certificate) is verified by the full
 * verifier and checked through its certificate by the one-pass checker, on the board. Both must
 * accept with the same facts; each is measured in guest instructions (QEMU -icount). Then each
 * byte of each certificate is altered in turn (one bit flipped) and checked again, which must give
 * a verdict and never a crash (whether an accepted alteration is still safe is what the host
 * fuzzer, tests/fuzz/fuzz_cert.c, checks by running the program), and every truncation of the
 * certificate must be rejected.
 *
 * Output: "cert NAME insns=N verify_insns=V check_insns=C check_arena=A cert_bytes=B
 * flipped=F rejected=R" per program, "summary programs=P failures=X". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/cert.h"
#include "mcubpf/container.h"
#include "platform/args.h"
#include "platform/board.h"

#define FILE_MAX (64 * 1024)
#define MAX_INSNS 4096

static uint8_t file[FILE_MAX] __attribute__((aligned(8)));
static uint8_t flipped[FILE_MAX] __attribute__((aligned(8)));
static uint8_t verify_arena[256 * 1024] __attribute__((aligned(8)));
static uint8_t check_arena[4096 + 5 * MAX_INSNS] __attribute__((aligned(8)));
static uint8_t data_zero[64 * 1024];
static mbpf_fact full_facts[MAX_INSNS], cert_facts[MAX_INSNS];
static unsigned long failures;

static int fail(const char *name, const char *what, const char *msg)
{
    printf("FAIL %s: %s%s%s\n", name, what, msg ? ": " : "", msg ? msg : "");
    failures++;
    return -1;
}

static int one(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s.mbc", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(name, "cannot open", path);
    size_t len = fread(file, 1, sizeof file, f);
    fclose(f);
    mbpf_container_view v;
    const char *why;
    if (mbpf_container_parse(file, len, &v, &why))
        return fail(name, "container", why);
    if (!v.cert)
        return fail(name, "no certificate in the container", NULL);
    if (v.n_insns > MAX_INSNS || v.data_len > sizeof data_zero)
        return fail(name, "too large for this firmware", NULL);
    mbpf_program p = {v.insns, v.n_insns, v.rodata, v.rodata_len, data_zero, v.data_len};
    mbpf_verify_opts o = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result fr, cr;
    uint32_t t0 = board_counter_read();
    int frc = mbpf_verify(&p, &o, full_facts, verify_arena, sizeof verify_arena, &fr);
    uint32_t verify_insns = board_counter_to_insns(board_counter_read() - t0);
    t0 = board_counter_read();
    int crc = mbpf_check(&p, &o, v.cert, v.cert_len, cert_facts, check_arena, sizeof check_arena, &cr);
    uint32_t check_insns = board_counter_to_insns(board_counter_read() - t0);
    if (frc)
        return fail(name, "the full verifier rejects", fr.msg);
    if (crc)
        return fail(name, "the checker rejects", cr.msg);
    if (memcmp(full_facts, cert_facts, v.n_insns * sizeof(mbpf_fact)))
        return fail(name, "the checker's facts differ from the full verifier's", NULL);
    /* every byte of the certificate altered in turn: a verdict each time, never a crash */
    unsigned long n_flipped = 0, rejected = 0;
    memcpy(flipped, v.cert, v.cert_len);
    for (uint32_t i = 0; i < v.cert_len; i++) {
        uint8_t bit = (uint8_t)(1u << (i % 8));
        flipped[i] ^= bit;
        n_flipped++;
        rejected += mbpf_check(&p, &o, flipped, v.cert_len, cert_facts, check_arena, sizeof check_arena, &cr) != 0;
        flipped[i] ^= bit;
    }
    /* and cut short at every length */
    for (uint32_t l = 0; l < v.cert_len; l++)
        if (!mbpf_check(&p, &o, v.cert, l, cert_facts, check_arena, sizeof check_arena, &cr))
            return fail(name, "a truncated certificate was accepted", NULL);
    printf("cert %s insns=%lu verify_insns=%lu check_insns=%lu check_arena=%lu cert_bytes=%lu "
           "flipped=%lu rejected=%lu\n",
           name, (unsigned long)v.n_insns, (unsigned long)verify_insns, (unsigned long)check_insns,
           (unsigned long)mbpf_check_arena_size(v.n_insns), (unsigned long)v.cert_len, n_flipped, rejected);
    return 0;
}

int main(int argc, char **argv)
{
    board_counter_init();
    const char *dir = board_arg(argc, argv, "dir");
    if (!dir) {
        printf("usage: firmware dir=PATH\n");
        return 1;
    }
    char path[256], line[128];
    snprintf(path, sizeof path, "%s/list", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("error cannot open %s\n", path);
        return 1;
    }
    unsigned long programs = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        if (!n)
            continue;
        programs++;
        one(dir, line);
    }
    fclose(f);
    printf("summary programs=%lu failures=%lu\n", programs, failures);
    return 0;
}
