/* The runtime's trust store and policy: registered public keys, the signature check routine,
 * and per hook the newest version loaded (rollback protection). docs/trust-model.md. */
#include <string.h>

#include "mcubpf/runtime.h"
#include "mcubpf/sign.h"
#include "runtime/messages.h"
#include "runtime/rt_trust.h"

int mbpf_rt_register_key(mbpf_runtime *rt, const uint8_t *pk)
{
    if (!rt || !pk || rt->trust.n_keys >= MBPF_RT_MAX_KEYS)
        return MBPF_RT_ERR_ARG;
    rt->trust.keys[rt->trust.n_keys++] = pk;
    return MBPF_RT_OK;
}

void mbpf_rt_set_verify(mbpf_runtime *rt, mbpf_sig_verify_fn fn, void *user)
{
    if (!rt)
        return;
    rt->trust.verify = fn;
    rt->trust.verify_user = user;
}

static mbpf_rt_release *release_of(const mbpf_runtime *rt, uint32_t hook)
{
    for (uint32_t i = 0; i < rt->trust.n_releases; i++)
        if (rt->trust.releases[i].hook == hook)
            return (mbpf_rt_release *)&rt->trust.releases[i];
    return NULL;
}

uint32_t mbpf_rt_min_version(const mbpf_runtime *rt, uint32_t hook)
{
    const mbpf_rt_release *r = rt ? release_of(rt, hook) : NULL;
    return r ? r->version : 0;
}

int mbpf_rt_set_min_version(mbpf_runtime *rt, uint32_t hook, uint32_t version)
{
    if (!rt)
        return MBPF_RT_ERR_ARG;
    mbpf_rt_release *r = release_of(rt, hook);
    if (r) {
        if (version < r->version)
            return MBPF_RT_ERR_ARG;
        r->version = version;
        return MBPF_RT_OK;
    }
    if (rt->trust.n_releases >= MBPF_RT_MAX_HOOKS)
        return MBPF_RT_ERR_NOMEM;
    rt->trust.releases[rt->trust.n_releases].hook = hook;
    rt->trust.releases[rt->trust.n_releases].version = version;
    rt->trust.n_releases++;
    return MBPF_RT_OK;
}

int rt_trust_signature(mbpf_runtime *rt, const uint8_t *buf, size_t len, size_t *body_len,
                       int *is_signed, const char **msg)
{
    mbpf_sig_block blk;
    int found = mbpf_sig_find(buf, len, &blk, msg);
    *body_len = len;
    *is_signed = 0;
    if (found < 0)
        return MBPF_RT_ERR_SIGNATURE;
    if (!found) {
        if (rt->cfg.flags & MBPF_RT_REQUIRE_SIGNED) {
            *msg = MSG_TRUST_REQUIRED;
            return MBPF_RT_ERR_SIGNATURE;
        }
        return MBPF_RT_OK;
    }
    if (mbpf_sig_check(buf, len, rt->trust.keys, rt->trust.n_keys, rt->trust.verify,
                       rt->trust.verify_user, body_len, msg))
        return MBPF_RT_ERR_SIGNATURE;
    *is_signed = 1;
    return MBPF_RT_OK;
}

int rt_trust_release(const mbpf_runtime *rt, const mbpf_prog *p, int aot, int is_signed,
                     int flag_signed, uint32_t hook, uint32_t version, const char **msg)
{
    if (flag_signed && !is_signed) {
        *msg = MSG_TRUST_BLOCK_MISSING;
        return MBPF_RT_ERR_SIGNATURE;
    }
    if (is_signed && !flag_signed) {
        *msg = MSG_TRUST_NOT_MARKED;
        return MBPF_RT_ERR_SIGNATURE;
    }
    if (aot && !is_signed && !(rt->cfg.flags & MBPF_RT_ALLOW_UNSIGNED_AOT)) {
        *msg = MSG_TRUST_AOT_UNSIGNED;
        return MBPF_RT_ERR_SIGNATURE;
    }
    if (hook != p->hook) {
        *msg = MSG_TRUST_OTHER_HOOK;
        return MBPF_RT_ERR_RELEASE;
    }
    const mbpf_rt_release *r = release_of(rt, hook);
    if (r && version < r->version) {
        *msg = MSG_TRUST_ROLLBACK;
        return MBPF_RT_ERR_RELEASE;
    }
    if (!r && rt->trust.n_releases >= MBPF_RT_MAX_HOOKS) {
        *msg = MSG_TRUST_NO_ROOM;
        return MBPF_RT_ERR_NOMEM;
    }
    return MBPF_RT_OK;
}

void rt_trust_commit(mbpf_runtime *rt, uint32_t hook, uint32_t version)
{
    (void)mbpf_rt_set_min_version(rt, hook, version); /* refused, and no change, when older */
}
