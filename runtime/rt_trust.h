/* Private: the runtime's signature and release policy (runtime/rt_trust.c), called by rt.c. */
#ifndef MCUBPF_RT_TRUST_H
#define MCUBPF_RT_TRUST_H

#include "mcubpf/runtime.h"

/* Before anything else is parsed: check the signature block of buf, if any. Returns MBPF_RT_OK
 * with *body_len (buf without its block) and *is_signed, or an error code with *msg. Unsigned
 * buffers pass here unless the policy requires signatures of containers too; the rest of the
 * policy (AOT images) is applied by rt_trust_release. */
int rt_trust_signature(mbpf_runtime *rt, const uint8_t *buf, size_t len, size_t *body_len,
                       int *is_signed, const char **msg);

/* After the artefact was parsed: its SIGNED flag matches the block, an unsigned AOT image is
 * allowed by the policy, it is built for the slot's hook and is not older than the version
 * recorded for that hook. aot: the artefact is an AOT image. */
int rt_trust_release(const mbpf_runtime *rt, const mbpf_prog *p, int aot, int is_signed,
                     int flag_signed, uint32_t hook, uint32_t version, const char **msg);

/* After a successful load: remember the version for the hook (checked for room by
 * rt_trust_release). */
void rt_trust_commit(mbpf_runtime *rt, uint32_t hook, uint32_t version);

#endif
