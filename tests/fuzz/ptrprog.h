/* Seeded generator of programs aimed at the verifier's pointer and interval reasoning: pointers
 * into every region moved by huge, wrapping and 32-bit amounts, compared with each other and with
 * numbers by every compare (JMP32 and signed ones included), spilled and filled whole and in
 * part, and dereferenced. Values the verifier cannot know come from stack round trips of chosen
 * constants, so that a run reaches exactly the wrap-arounds a wrong proof would miss. */
#ifndef MCUBPF_TESTS_PTRPROG_H
#define MCUBPF_TESTS_PTRPROG_H

#include <stdint.h>

#include "mcubpf/isa.h"

/* Writes program number `seed` into out[0..cap); returns its length, or 0 if cap is too small
 * (cap >= 512 always suffices). The program expects rodata and data regions of at least 8 bytes. */
uint32_t mbpf_ptrprog(uint32_t seed, mbpf_insn *out, uint32_t cap);

#endif
