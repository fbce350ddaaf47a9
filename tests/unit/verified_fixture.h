/* Unit-test fixture: a program verified by the device verifier with every test helper offered
 * and the context readable and writable; its facts in a calloc'ed array the caller frees. */
#ifndef TESTS_UNIT_VERIFIED_FIXTURE_H
#define TESTS_UNIT_VERIFIED_FIXTURE_H
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"

static inline mbpf_fact *verified_facts(mbpf_program *p, const mbpf_insn *insns, uint32_t n)
{
    mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                             MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    p->insns = insns;
    p->n_insns = n;
    size_t asz = mbpf_verify_arena_size(n);
    void *arena = malloc(asz);
    mbpf_fact *facts = calloc(n, sizeof *facts);
    cr_assert(arena && facts);
    memset(&vr, 0, sizeof vr);
    cr_assert_eq(mbpf_verify(p, &opts, facts, arena, asz, &vr), 0, "rejected: %s", vr.msg);
    free(arena);
    return facts;
}
#endif
