/* Fact checks of MBPF_INTERP_CHECK_FACTS builds (interp_facts.c); x->facts is non-NULL. */
#ifndef MCUBPF_INTERP_FACTS_H
#define MCUBPF_INTERP_FACTS_H

#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

void interp_facts_begin(const mbpf_exec *x);
/* A memory access at pc: a proven one lies in the region its fact names (fp: the frame's r10),
 * an aligned one is aligned. Called before the access is checked or made. */
void interp_fact_mem(const mbpf_exec *x, uint32_t pc, uint64_t addr, uint32_t size, uint64_t fp);
/* Instruction pc completed and continues with the next one; dst_value: its dst register. */
void interp_fact_after(const mbpf_exec *x, uint32_t pc, uint64_t dst_value);
/* The loop headed at pc was entered (and charged). */
void interp_fact_entry(const mbpf_exec *x, uint32_t pc);
/* The jump at pc was taken to target. */
void interp_fact_taken(const mbpf_exec *x, uint32_t pc, uint32_t target);
/* The verifier's loop table for the program the following runs execute (n entries; NULL: none).
 * The induction variable of every loop whose head carries MBPF_FACT_LOOP_HEAD in the run's facts
 * is then checked at each update: its start value after an entry, its step. */
void interp_facts_set_loops(const mbpf_loop *loops, uint32_t n);

#endif
