/* Certificate target: a program from the generators of fuzz_facts (seeded by the input's first 4
 * bytes) that the full verifier accepts gets its certificate, which must check with the full
 * verifier's facts; then the rest of the input alters the certificate ((offset, value) byte
 * patches, and a new length from its first byte) and the one-pass checker runs on what results.
 * Whatever it accepts must be safe: the program runs with the checked facts in the checking
 * interpreter (MBPF_INTERP_CHECK_FACTS traps on a proven access out of bounds or a wrong upper
 * half) with contexts of every length up to 64 bytes, and ends as it does without facts unless
 * the budget ran out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/cert.h"
#include "mcubpf/interp.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "tests/diff/randprog.h"
#include "tests/exec_setup.h"
#include "tests/fuzz/ptrprog.h"

#define MAX_INSNS 512

static mbpf_status run(const mbpf_program *p, const mbpf_fact *facts, uint32_t ctx_len, uint64_t *r0)
{
    static uint8_t ctx[64], stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH];
    for (uint32_t i = 0; i < sizeof ctx; i++)
        ctx[i] = (uint8_t)(i * 37u + 11u);
    memset(stack, 0, sizeof stack);
    memset(p->data, 0, p->data_len);
    mbpf_exec x;
    test_exec_init(&x, p, ctx, ctx_len, stack, sizeof stack, 2000, facts);
    mbpf_status s = mbpf_interp_run(&x);
    *r0 = x.r0;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mbpf_insn insns[MAX_INSNS];
    static mbpf_fact full[MAX_INSNS], facts[MAX_INSNS];
    static uint8_t cert[MBPF_CERT_MAX_LEN + 1], rodata[16] = "fuzz rodata", data_region[32];
    static uint8_t arena[1 << 20] __attribute__((aligned(8)));
    if (size < 4)
        return 0;
    uint32_t seed;
    memcpy(&seed, data, 4);
    uint32_t n = seed % 4 == 3 ? mbpf_ptrprog(seed / 4, insns, MAX_INSNS) : mbpf_randprog(seed, 64, insns, MAX_INSNS);
    if (!n)
        return 0;
    mbpf_program p = {insns, n, rodata, sizeof rodata, data_region, sizeof data_region};
    mbpf_verify_opts o = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result r;
    size_t len = 0;
    if (mbpf_verify_arena_need(&p) > sizeof arena ||
        mbpf_cert_write(&p, &o, full, arena, sizeof arena, &r, cert, sizeof cert, &len, 0))
        return 0;
    if (mbpf_check(&p, &o, cert, len, facts, arena, sizeof arena, &r) || memcmp(full, facts, n * sizeof *facts))
        __builtin_trap(); /* the host's own certificate must check, with the same facts */
    if (size > 4) { /* a new length: the same, shorter or longer (zeros appended) */
        size_t want = len + (size_t)(data[4] % 16) - 8;
        if (data[4] < 0x80 && want < sizeof cert) {
            if (want > len)
                memset(cert + len, 0, want - len);
            len = want;
        }
    }
    for (size_t i = 5; i + 3 <= size && len; i += 3) {
        uint32_t at = ((uint32_t)data[i] | (uint32_t)data[i + 1] << 8) % (uint32_t)len;
        cert[at] = data[i + 2];
    }
    if (mbpf_check(&p, &o, cert, len, facts, arena, sizeof arena, &r))
        return 0; /* rejected: fine, whatever the reason */
    for (uint32_t ctx_len = 0; ctx_len <= 64; ctx_len += (ctx_len < 8 ? 1 : 7)) {
        uint64_t a, b;
        mbpf_status sa = run(&p, facts, ctx_len, &a), sb = run(&p, NULL, ctx_len, &b);
        if (sa != sb && sa != MBPF_FAULT_BUDGET && sb != MBPF_FAULT_BUDGET)
            __builtin_trap();
        if (sa == MBPF_OK && sb == MBPF_OK && a != b)
            __builtin_trap();
    }
    return 0;
}
