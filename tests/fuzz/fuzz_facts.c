/* Differential target: programs from one of two generators (seeded by the input, then mutated by
 * the rest of it): the general random one (tests/diff/randprog.c) or, for one seed in four, the
 * one aimed at pointer arithmetic and compares (tests/fuzz/ptrprog.c: wrapping offsets, JMP32 and
 * signed compares of pointers, huge scalars, spills and fills). Each is verified, then run in the
 * checking interpreter (MBPF_INTERP_CHECK_FACTS, which checks a proven access before its guard) with
 * contexts of every length from 0 to 64 bytes. Every fact the translators rely on (an access
 * proven in bounds, an upper half proven zero) is checked against the real run, a wrong one
 * traps; accepted programs must pre-decode and translate for both targets, a pre-decoded run must
 * end exactly like a step-by-step run with the same facts, and like one without facts unless the
 * budget ran out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/interp.h"
#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "runtime/interp_facts.h"
#include "tests/diff/randprog.h"
#include "tests/exec_setup.h"
#include "tests/fuzz/ptrprog.h"

#define MAX_INSNS 2048

/* One run; with `decoded`, of the pre-decoded form (facts then only checked), else of the
 * step-by-step path (facts then decide only the budget). */
static mbpf_status run(const mbpf_program *p, const mbpf_fact *facts, const void *decoded,
                       uint32_t ctx_len, uint64_t *r0, uint32_t *pc)
{
    static uint8_t ctx[64], stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH];
    for (uint32_t i = 0; i < sizeof ctx; i++)
        ctx[i] = (uint8_t)(i * 37u + 11u);
    memset(stack, 0, sizeof stack);
    memset(p->data, 0, p->data_len); /* every run starts from the same program data */
    mbpf_exec x;
    test_exec_init(&x, p, ctx, ctx_len, stack, sizeof stack, 2000, facts);
    mbpf_status s = decoded ? mbpf_interp_exec(&x, decoded) : mbpf_interp_run(&x);
    *r0 = x.r0;
    *pc = x.fault.pc;
    return s;
}

/* The facts with every loop the table calls countable given, for contexts of len bytes, the head
 * fact its bound promises ((len + len_add) / len_div + 1 back edges per entry) when that is a
 * trip bound the engines can charge: the checking interpreter then counts its back edges (and
 * checks its induction variable) as for any bounded loop. Returns how many were promoted. */
static uint32_t promote_countable(const mbpf_fact *facts, const mbpf_loop *loops, uint32_t n_loops,
                                  uint32_t n, uint32_t len, mbpf_fact *out)
{
    uint32_t promoted = 0;
    memcpy(out, facts, n * sizeof *facts);
    for (uint32_t i = 0; i < n_loops; i++) {
        const mbpf_loop *l = &loops[i];
        if (l->cls != MBPF_LOOP_COUNTABLE || !l->len_div || (out[l->head].flags & MBPF_FACT_LOOP_HEAD))
            continue;
        const int64_t bound = ((int64_t)len + l->len_add) / (int64_t)l->len_div + 1;
        if (bound < 1 || bound > (int64_t)MBPF_LOOP_MAX_TRIPS || (int64_t)len + l->len_add < 0)
            continue;
        out[l->latch].flags |= MBPF_FACT_BOUNDED;
        out[l->head].flags |= MBPF_FACT_LOOP_HEAD;
        out[l->head].aux = (uint8_t)(bound - 1);
        promoted++;
    }
    return promoted;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mbpf_insn insns[MAX_INSNS];
    static mbpf_fact facts[MAX_INSNS], len_facts[MAX_INSNS];
    static mbpf_loop loops[MAX_INSNS];
    static uint8_t code[256 * 1024];
    static uint8_t rodata[16] = "fuzz rodata", data_region[32];
    if (size < 4)
        return 0;
    uint32_t seed;
    memcpy(&seed, data, 4);
    uint32_t n = seed % 4 == 3 ? mbpf_ptrprog(seed / 4, insns, MAX_INSNS) : mbpf_randprog(seed, 64, insns, MAX_INSNS);
    if (!n)
        return 0;
    /* the rest of the input: (index, byte offset, value) triples patched into the program */
    for (size_t i = 4; i + 3 <= size; i += 3) {
        uint32_t at = ((uint32_t)data[i] | (uint32_t)data[i + 1] << 8) % (n * 8);
        ((uint8_t *)insns)[at] = data[i + 2];
    }
    mbpf_program p = {insns, n, rodata, sizeof rodata, data_region, sizeof data_region};
    mbpf_verify_opts o = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result r;
    size_t asz = mbpf_verify_arena_need(&p);
    void *arena = malloc(asz > mbpf_jit_work_size(n) ? asz : mbpf_jit_work_size(n));
    if (!arena)
        return 0;
    if (mbpf_verify_loops(&p, &o, facts, loops, MAX_INSNS, arena, asz, &r) == 0) {
        static uint8_t decoded[MAX_INSNS * 28u + 64u] __attribute__((aligned(8)));
        static uint8_t len_decoded[MAX_INSNS * 28u + 64u] __attribute__((aligned(8)));
        const uint32_t n_loops = r.loops < MAX_INSNS ? r.loops : MAX_INSNS;
        interp_facts_set_loops(loops, n_loops);
        if (mbpf_interp_prepare(&p, facts, decoded, sizeof decoded))
            __builtin_trap(); /* an accepted program must pre-decode */
        for (uint32_t len = 0; len <= 64; len += (len < 8 ? 1 : 7)) {
            uint64_t a, b, c;
            uint32_t pa, pb, pc;
            mbpf_status sa = run(&p, facts, decoded, len, &a, &pa), sb = run(&p, NULL, NULL, len, &b, &pb);
            mbpf_status sc = run(&p, facts, NULL, len, &c, &pc);
            if (sa != sb && sa != MBPF_FAULT_BUDGET && sb != MBPF_FAULT_BUDGET)
                __builtin_trap();
            if (sa == MBPF_OK && sb == MBPF_OK && a != b)
                __builtin_trap();
            if (sa != sc || a != c || (sa != MBPF_OK && pa != pc))
                __builtin_trap(); /* pre-decoded and step-by-step runs with the same facts agree */
            if (promote_countable(facts, loops, n_loops, n, len, len_facts)) {
                if (mbpf_interp_prepare(&p, len_facts, len_decoded, sizeof len_decoded))
                    __builtin_trap();
                run(&p, len_facts, len_decoded, len, &c, &pc); /* the checks are what counts */
            }
        }
        interp_facts_set_loops(NULL, 0);
        static const mbpf_target targets[] = {MBPF_TARGET_THUMB2, MBPF_TARGET_RV32IMC};
        for (unsigned t = 0; t < 2; t++) {
            mbpf_jit_result jr;
            int rc = mbpf_jit_translate(targets[t], &p, facts, NULL, code, sizeof code, arena,
                                        mbpf_jit_work_size(n), &jr);
            if (rc != MBPF_JIT_OK && rc != MBPF_JIT_ERR_NOSPACE)
                __builtin_trap(); /* an accepted program the backend cannot translate */
        }
    }
    free(arena);
    return 0;
}
