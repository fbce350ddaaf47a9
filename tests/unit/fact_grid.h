/* Shared by the grid tests of the verifier's facts (test_loop_bounds.c, test_access_bounds.c,
 * test_upper_halves.c): one run of a program in the interpreter, which checks the facts it is
 * given (MBPF_INTERP_CHECK_FACTS: a wrong one aborts the test), and the certificate round trip a
 * device without the full verifier makes. */
#ifndef TESTS_UNIT_FACT_GRID_H
#define TESTS_UNIT_FACT_GRID_H
#include <criterion/criterion.h>
#include <string.h>

#include "mcubpf/cert.h"
#include "mcubpf/interp.h"
#include "mcubpf/test_helpers.h"
#include "tests/exec_setup.h"

#define GRID_MAX_INSNS 16

/* Run p step by step with context ctx (ctx_len bytes, NULL when 0), facts (NULL: none) and
 * budget (0: unlimited); *left: the budget units left. */
static inline mbpf_status grid_run(const mbpf_program *p, uint8_t *ctx, uint32_t ctx_len, const mbpf_fact *facts,
                                   uint64_t budget, uint64_t *left)
{
    static uint8_t stack[MBPF_STACK_SIZE];
    mbpf_exec x;
    test_exec_init(&x, p, ctx, ctx_len, stack, sizeof stack, budget, facts);
    const mbpf_status s = mbpf_interp_run(&x);
    if (left)
        *left = x.budget_left;
    return s;
}

/* p's certificate, written by the full verifier, checks with exactly its facts. */
static inline void grid_check_cert(const mbpf_program *p, const mbpf_verify_opts *opts, const mbpf_fact *facts,
                                   const char *what)
{
    static uint8_t arena[1 << 16], cert[4096];
    mbpf_fact written[GRID_MAX_INSNS], checked[GRID_MAX_INSNS];
    mbpf_verify_result r;
    size_t len;
    cr_assert_leq(p->n_insns, GRID_MAX_INSNS);
    cr_assert_eq(mbpf_cert_write(p, opts, written, arena, sizeof arena, &r, cert, sizeof cert, &len, 0), 0, "%s: %s",
                 what, r.msg);
    cr_assert_eq(mbpf_check(p, opts, cert, len, checked, arena, sizeof arena, &r), 0, "%s: checker: %s", what, r.msg);
    cr_assert(memcmp(facts, checked, p->n_insns * sizeof facts[0]) == 0, "%s: the checker's facts differ", what);
}

#endif
