/* Shrinking a program that shows a finding: instructions are replaced by no-ops while the
 * finding (its class) stays, then the no-ops are removed with every jump and call retargeted. */
#ifndef MCUBPF_TESTS_UNICORN_MINIMISE_H
#define MCUBPF_TESTS_UNICORN_MINIMISE_H

#include "tests/unicorn/diff.h"
#include "tests/unicorn/gen.h"

/* Shrinks p in place; returns the class it still shows. */
diff_class minimise(gen_prog *p, diff_class cls, uint64_t budget);

#endif
