/* Verifier certificates: split verification.
 *
 * The host runs the full verifier (a fixpoint over abstract states, mbpf_verify) and writes what
 * it found as a certificate: the abstract state at every join point (jump targets, function
 * entries, the instruction after a conditional back edge) and the trip bound of every loop it
 * proved bounded. The device checks the certificate in one pass over the program (mbpf_check):
 * each block starts from its certificate state, the verifier's own transfer functions run over
 * it, and every edge's outgoing state must be included in its target's certificate state. No
 * joins, no widening, no iteration; work memory independent of the number of join points. A
 * certificate never makes an unsafe program pass: whatever its bytes, the check either proves the
 * program safe (with the same facts the full verifier gives) or rejects it with one line.
 *
 * The byte format is described in docs/formats.md ("Verifier certificate"). */
#ifndef MCUBPF_CERT_H
#define MCUBPF_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"

#define MBPF_CERT_VERSION 3u
#define MBPF_CERT_FLAG_ADDR_IN_DATA 0x01u /* the program stores addresses into its data */
#define MBPF_CERT_HEADER 8u               /* bytes before the state index */
#define MBPF_CERT_MAX_LEN 0xffffu         /* offsets inside a certificate are 16-bit */

/* Arena bytes mbpf_check needs for a program of n_insns instructions (facts not included):
 * MBPF_CHECK_ARENA_PER_INSN per instruction plus MBPF_CHECK_ARENA_FIXED. */
#define MBPF_CHECK_ARENA_PER_INSN 5u
size_t mbpf_check_arena_size(uint32_t n_insns);

/* Check program p against the certificate cert (cert_len bytes, any alignment, may sit in
 * flash). facts has n_insns entries (required). Returns 0 when the program is proven safe (facts
 * filled exactly as mbpf_verify fills them), -1 when rejected (res->msg: "verify: insn PC
 * (DISASM): reason"), -2 when the arena is too small (res->msg names the bytes needed). */
int mbpf_check(const mbpf_program *p, const mbpf_verify_opts *opts, const uint8_t *cert,
               size_t cert_len, mbpf_fact *facts, void *arena, size_t arena_size,
               mbpf_verify_result *res);

/* Host: verify p with the full verifier and, when it accepts, write its certificate into out
 * (capacity cap) and its length into *out_len. facts (n_insns entries) is required: the loop
 * claims are written from it. Returns 0 when accepted, -1 when the verifier
 * rejects (res->msg says why), -2 when the arena is too small, -3 when the certificate does not
 * fit in cap or in the format's 16-bit offsets. With partial != 0 a rejected program still gets
 * a certificate of the states reached before the rejection (for tests: the checker must reject
 * it too). */
int mbpf_cert_write(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                    void *arena, size_t arena_size, mbpf_verify_result *res, uint8_t *out,
                    size_t cap, size_t *out_len, int partial);

#endif
