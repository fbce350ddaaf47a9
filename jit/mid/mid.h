/* The translator's target-independent middle end: what every backend wants to know about a
 * verified program before it lowers it.
 *
 * - Width, forward: which upper halves are known zero before each instruction (seeded by the
 *   verifier's MBPF_FACT_HI_ZERO and by the instructions whose result is 32-bit by construction).
 * - Width, backward: which halves are demanded (live) after each instruction. The demand of an
 *   instruction's operands depends on which of its result halves are live and on the known-zero
 *   state, so a 64-bit value whose upper half nobody reads costs 32-bit work only.
 * - Loop depth of each instruction (from the back edges) and, per half, a use count weighted by
 *   loop depth, for the register allocator.
 *
 * Halves are bits of a 32-bit mask: bit r is the lower half of eBPF register r, bit 16 + r its
 * upper half. r10 never appears: its lower half is the frame pointer, its upper half always zero.
 * All arrays live in the caller's work arena; everything is deterministic. */
#ifndef MCUBPF_JIT_MID_H
#define MCUBPF_JIT_MID_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

#define MID_LO(r) (1u << (r))
#define MID_HI(r) (1u << (16 + (r)))
#define MID_BOTH(r) (MID_LO(r) | MID_HI(r))
#define MID_ALL_REGS 0x03ff03ffu /* r0..r9, both halves */
#define MID_NHALVES 32           /* index space of the half bits */

typedef struct mid_info {
    uint32_t n;
    uint32_t *live_out;  /* n entries: halves live after the instruction (LDDW: at its first slot) */
    uint32_t *hz_in;     /* n entries, before the instruction: bit r = upper half of r known zero,
                          * bit 16 + r = value of r known below 2^31 */
    uint8_t *depth;      /* n entries: loop nesting depth (0 outside loops, capped at 7) */
    uint32_t weight[MID_NHALVES]; /* per half: uses and definitions weighted by 8^depth */
} mid_info;

/* Work bytes mid_analyse needs for n instructions (part of mbpf_jit_work_size). */
size_t mid_work_size(uint32_t n);

/* Scratch bytes mid_analyse needs for n instructions while it runs (the caller may reuse them
 * afterwards: the core lends it the cold-path records, which are not in use yet). */
size_t mid_scratch_size(uint32_t n);

/* Analyse p with its facts into m, arrays carved from work (mid_work_size(n) bytes, 4-aligned);
 * scratch (mid_scratch_size(n) bytes, 4-aligned) holds the fixpoints' per-instruction state.
 * Returns 0, or -1 when the work area is too small. */
int mid_analyse(const mbpf_program *p, const mbpf_fact *facts, void *work, size_t size,
                void *scratch, mid_info *m);

/* The halves instruction `in` (at pc, with fact f) reads and writes, given the halves live after
 * it and the known-zero state before it. A backend must read no other half, and may skip writing
 * any half of `def` that is not in `live_out`. A pure instruction whose results are all dead has
 * use == def == 0: the backend emits nothing for it.
 * An upper half known zero in hz_in is not a use when a compare, a store's value, a guarded
 * access's base or the source of a 64-bit ALU operation (other than its destination) reads it:
 * the backend must take it as the constant 0 there (its register or slot may be stale). Calls,
 * exits and atomics read their halves as they are. */
void mid_use_def(const mbpf_insn *in, const mbpf_fact *f, uint32_t live_out, uint32_t hz_in,
                 uint32_t *use, uint32_t *def);

/* Is a 64-bit conditional jump decidable on the lower halves alone (both upper halves known
 * zero, or JSET with a zero upper half on one side)? The backend then compares 32 bits, with the
 * signed conditions turned unsigned (both values are in [0, 2^32)). */
int mid_jump_narrow(const mbpf_insn *in, uint32_t hz_in);

/* Is a 64-bit DIV/MOD computable in 32 bits (both operands known in [0, 2^32))? */
int mid_divmod_narrow(const mbpf_insn *in, uint32_t hz_in);

/* Halves live before instruction pc (after mid_analyse). */
uint32_t mid_live_in(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc);

/* Width state after `in` (on its fall-through), from the state before it. */
uint32_t mid_hz_transfer(const mbpf_insn *in, const mbpf_fact *f, uint32_t hz_in);

#endif
