/* libFuzzer target: raw bytecode through the verifier; accepted programs run in the interpreter
 * (with a budget), step by step and pre-decoded with the same result, and are translated for both targets, twice each: the two translations must be
 * byte-identical (determinism), and nothing may crash or trip a sanitizer. */
#include <stdlib.h>
#include <string.h>

#include "mcubpf/interp.h"
#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "tests/exec_setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void translate_twice(mbpf_target t, const mbpf_program *p, const mbpf_fact *facts)
{
    static uint8_t code1[1 << 18], code2[1 << 18];
    size_t wsz = mbpf_jit_work_size(p->n_insns);
    void *work = malloc(wsz);
    mbpf_jit_result r1, r2;
    if (!work)
        return;
    int a = mbpf_jit_translate(t, p, facts, NULL, code1, sizeof code1, work, wsz, &r1);
    int b = mbpf_jit_translate(t, p, facts, NULL, code2, sizeof code2, work, wsz, &r2);
    if (a != b || (!a && (r1.code_len != r2.code_len || memcmp(code1, code2, r1.code_len))))
        abort(); /* translation must be deterministic */
    free(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t n = (uint32_t)(size / 8);
    if (n == 0 || n > 4096)
        return 0;
    mbpf_insn *insns = malloc((size_t)n * 8);
    mbpf_fact *facts = calloc(n, sizeof *facts);
    size_t asz = mbpf_verify_arena_size(n);
    void *arena = malloc(asz);
    static uint8_t rodata[16] = "fuzz rodata", data_region[32];
    if (!insns || !facts || !arena)
        goto out;
    memcpy(insns, data, (size_t)n * 8);
    mbpf_program p = {insns, n, rodata, sizeof rodata, data_region, sizeof data_region};
    mbpf_verify_opts o = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result r;
    if (mbpf_verify(&p, &o, facts, arena, asz, &r))
        goto out;
    static uint8_t ctx[64], stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH];
    mbpf_exec x;
    /* the interpreter checks every fact the translators rely on */
    test_exec_init(&x, &p, ctx, sizeof ctx, stack, sizeof stack, 10000, facts);
    /* step by step, then the pre-decoded form of the accepted program ends the same way */
    size_t need = mbpf_interp_size(&p, facts);
    void *decoded = need ? malloc(need) : NULL;
    if (!decoded || mbpf_interp_prepare(&p, facts, decoded, need))
        abort();
    mbpf_exec y = x;
    memset(ctx, 0, sizeof ctx);
    memset(stack, 0, sizeof stack);
    memset(data_region, 0, sizeof data_region);
    mbpf_exec_reset(&x);
    mbpf_interp_run(&x);
    memset(ctx, 0, sizeof ctx);
    memset(stack, 0, sizeof stack);
    memset(data_region, 0, sizeof data_region);
    mbpf_exec_reset(&y);
    mbpf_interp_exec(&y, decoded);
    free(decoded);
    if (x.status != y.status || x.r0 != y.r0 || (x.status != MBPF_OK && x.fault.pc != y.fault.pc))
        abort();
    translate_twice(MBPF_TARGET_THUMB2, &p, facts);
    translate_twice(MBPF_TARGET_RV32IMC, &p, facts);
out:
    free(insns);
    free(facts);
    free(arena);
    return 0;
}
