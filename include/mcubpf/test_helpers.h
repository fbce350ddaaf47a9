/* The helpers the public conformance suites (uBPF's test helpers) expect, by id:
 * 0 gather_bytes(a,b,c,d,e), 1 memfrob(ptr,len), 2 no-op, 3 integer square root,
 * 4 strcmp(a,b), 5 unwind(a): returns a; a == 0 ends the program with r0 = 0. */
#ifndef MCUBPF_TEST_HELPERS_H
#define MCUBPF_TEST_HELPERS_H

#include "mcubpf/vm.h"

#define MBPF_TEST_HELPER_COUNT 6
extern const mbpf_helper_fn mbpf_test_helpers[MBPF_TEST_HELPER_COUNT];

#endif
