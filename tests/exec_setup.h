/* The execution state the tests run programs with (unit tests, fuzz targets): program p, the
 * context [ctx, ctx + ctx_len) (none when ctx_len is 0) readable and writable, the stack, the
 * conformance test helpers, a budget (0: unlimited) and facts (NULL: none). */
#ifndef TESTS_EXEC_SETUP_H
#define TESTS_EXEC_SETUP_H
#include <string.h>

#include "mcubpf/test_helpers.h"
#include "mcubpf/vm.h"

static inline void test_exec_init(mbpf_exec *x, const mbpf_program *p, void *ctx, uint32_t ctx_len, void *stack,
                                  uint32_t stack_len, uint64_t budget, const mbpf_fact *facts)
{
    memset(x, 0, sizeof *x);
    x->prog = p;
    x->ctx = ctx_len ? ctx : NULL;
    x->ctx_len = ctx_len;
    x->ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x->stack = stack;
    x->stack_len = stack_len;
    x->helpers = mbpf_test_helpers;
    x->n_helpers = MBPF_TEST_HELPER_COUNT;
    x->budget = budget;
    x->facts = facts;
    mbpf_exec_reset(x);
}

#endif
