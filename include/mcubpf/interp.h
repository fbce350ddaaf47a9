/* The interpreter's fast path: a verified program is pre-decoded once into memory the embedder
 * provides, then run by a threaded loop that re-checks nothing the verifier proved. Unverified
 * bytecode runs through mbpf_interp_run (vm.h), the same loop decoding one instruction at a time
 * with every check in place. Freestanding C99. */
#ifndef MCUBPF_INTERP_H
#define MCUBPF_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

/* Bytes of pre-decoded form for p with the verifier's facts (12 per instruction, plus 12 per back
 * edge that is charged, 4 per bounded loop and a 28-byte header and end guard). 0 when p
 * contains an instruction that cannot be decoded (it cannot have been verified). */
size_t mbpf_interp_size(const mbpf_program *p, const mbpf_fact *facts);

/* Pre-decode p into mem (mbpf_interp_size(p, facts) bytes, 4-byte aligned). p must have been
 * accepted by mbpf_verify, which produced facts: accesses it proved in bounds are not checked,
 * and its loop bounds decide the budget. Returns 0, -1 when p does not decode (invalid
 * instruction or jump; nothing verified is), -2 when mem is too small, misaligned or NULL.
 * mem then holds no pointers into p or facts: only p must stay as it is. */
int mbpf_interp_prepare(const mbpf_program *p, const mbpf_fact *facts, void *mem, size_t len);

/* Run the pre-decoded form `code` of x->prog (prepared above). Same results, faults and budget
 * stops as mbpf_interp_run with the same facts. x->facts is only read by fact-checking builds
 * (MBPF_INTERP_CHECK_FACTS), which check every fact in x->facts before it is used. */
mbpf_status mbpf_interp_exec(mbpf_exec *x, const void *code);

/* mbpf_interp_exec for a caller that knows `code` is x->prog's pre-decoded form (prepared
 * above with success, x->prog unchanged since): nothing about code is checked again. */
mbpf_status mbpf_interp_exec_ready(mbpf_exec *x, const void *code);

#endif
