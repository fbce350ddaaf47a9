/* Unit-test fixture: a verified program (verified_fixture.h) analysed by the middle end, with the
 * work memory mid_analyse needs (its scratch first, 4-aligned); release with mid_fixture_release. */
#ifndef TESTS_UNIT_MID_FIXTURE_H
#define TESTS_UNIT_MID_FIXTURE_H
#include "verified_fixture.h"
#include "jit/mid/mid.h"

typedef struct mid_fixture {
    mbpf_program p;
    mbpf_fact *facts;
    void *work;
    mid_info m;
} mid_fixture;

static inline void mid_fixture_analyse(mid_fixture *a, const mbpf_insn *insns, uint32_t n)
{
    memset(a, 0, sizeof *a);
    a->facts = verified_facts(&a->p, insns, n);
    a->work = malloc(mid_scratch_size(n) + mid_work_size(n));
    cr_assert(a->work);
    cr_assert_eq(mid_analyse(&a->p, a->facts, (char *)a->work + mid_scratch_size(n), mid_work_size(n),
                             a->work, &a->m), 0);
}

static inline void mid_fixture_release(mid_fixture *a)
{
    free(a->facts);
    free(a->work);
}
#endif
