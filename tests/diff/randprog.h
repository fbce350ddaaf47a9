/* Seeded random program generator for differential tests (freestanding). */
#ifndef MCUBPF_TESTS_RANDPROG_H
#define MCUBPF_TESTS_RANDPROG_H

#include <stdint.h>

#include "mcubpf/isa.h"

/* Writes program number `seed` into out[0..cap); returns its length, or 0 if cap is too small.
 * Context accesses assume a context of mem_len bytes (>= 8 for any to be generated). */
uint32_t mbpf_randprog(uint32_t seed, uint32_t mem_len, mbpf_insn *out, uint32_t cap);

#endif
