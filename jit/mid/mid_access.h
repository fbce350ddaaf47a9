/* Defence in depth for translated code: which check native code gives a memory access.
 *
 * Native code trusts a verifier proof (MBPF_MEM_PROVEN) only where the translator can confirm it
 * itself, from the instruction alone: an access at a constant offset from r10 that lies inside
 * the current frame. r10 is read-only to programs, so its native register holds the frame the
 * runtime set up, and the address is that frame plus a constant checked here. Every other proven
 * access is checked at run time against the region the proof names, as a guarded access
 * (MBPF_MEM_GUARD_REGION). So even a wrong proof cannot make native code touch memory outside
 * the program's regions: at worst an access the proof called safe faults (docs/trust-model.md).
 *
 * Everything the middle end and the backends decide about an access goes through this function
 * (the core hands backends the facts with `mem` replaced by its result). */
#ifndef MCUBPF_JIT_MID_ACCESS_H
#define MCUBPF_JIT_MID_ACCESS_H

#include <stdint.h>

#include "mcubpf/isa.h"
#include "mcubpf/verifier.h"

/* The access at `in` with fact f: MBPF_MEM_NONE for an instruction that is not a memory access,
 * else the MBPF_MEM_* kind native code must implement. */
uint8_t mid_access_check(const mbpf_insn *in, const mbpf_fact *f);

/* Is `in` an access [r10 + off, r10 + off + size) inside the current frame? */
int mid_access_in_frame(const mbpf_insn *in);

#endif
