/* What a device offers a tenant's program, in one description that the device and every host
 * tool check the same way: the helper ids it provides, the access it grants to the context and the
 * context length it promises, the stack it gives (which bounds the call depth), and whether every
 * memory access must be proven. Freestanding C99. Host tools read it from a profile file
 * (docs/formats.md); a device derives it from a tenant (mbpf_rt_tenant_profile). */
#ifndef MCUBPF_PROFILE_H
#define MCUBPF_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/runtime.h"
#include "mcubpf/verifier.h"

/* mbpf_profile.flags */
#define MBPF_PROFILE_STRICT 0x1u /* every memory access must be proven in bounds (no guards) */

typedef struct mbpf_profile {
    uint64_t helpers_lo;  /* bit n: helper id n (0..63) offered */
    uint64_t helpers_hi;  /* bit n: helper id 64+n offered */
    uint32_t ctx_flags;   /* MBPF_REGION_R | MBPF_REGION_W granted to the context */
    uint32_t ctx_min_len; /* contexts are at least this long (0 = nothing promised) */
    uint32_t stack_len;   /* bytes of the tenant's stack: MBPF_STACK_SIZE per call level */
    uint32_t max_insns;   /* 0 = MBPF_MAX_INSNS */
    uint32_t flags;       /* MBPF_PROFILE_* */
} mbpf_profile;

/* Call levels a stack of stack_len bytes holds (at most MBPF_MAX_CALL_DEPTH). */
uint32_t mbpf_profile_max_depth(const mbpf_profile *pr);

/* Verify p against pr: the verifier with pr's helpers and context, then the checks the verifier
 * leaves to the device: the program's deepest chain of local calls must fit in pr's stack, and
 * with MBPF_PROFILE_STRICT every memory access must be proven. facts (n_insns entries) is needed
 * for the strict check and may be NULL otherwise. Returns 0 when accepted, -1 when rejected (res
 * says why, as the verifier does), -2 when the arena is too small. */
int mbpf_profile_check(const mbpf_program *p, const mbpf_profile *pr, mbpf_fact *facts, void *arena,
                       size_t arena_size, mbpf_verify_result *res);

/* The same with a verifier certificate (mcubpf/cert.h): the one-pass checker instead of the
 * full verifier; cert NULL: the full verifier, or, in a build without it
 * (MBPF_WITH_FULL_VERIFIER=0, mcubpf/config.h), a rejection (-1, "needs a certificate"). */
int mbpf_profile_check_cert(const mbpf_program *p, const mbpf_profile *pr, const uint8_t *cert,
                            size_t cert_len, mbpf_fact *facts, void *arena, size_t arena_size,
                            mbpf_verify_result *res);

/* The verifier options pr stands for (what the certificate writer must verify with). */
void mbpf_profile_opts(const mbpf_profile *pr, mbpf_verify_opts *o);

/* Frames the deepest chain of local calls of a verified program uses (1 without calls).
 * scratch holds p->n_insns bytes. */
uint32_t mbpf_call_depth(const mbpf_program *p, uint8_t *scratch);

/* The profile a runtime offers tenant t: its registered helpers masked by the tenant's, the
 * tenant's context access and stack. */
void mbpf_rt_tenant_profile(const mbpf_runtime *rt, const mbpf_tenant *t, mbpf_profile *out);

#endif
