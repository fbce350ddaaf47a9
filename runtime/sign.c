/* Signature blocks on the device: found at the end of the buffer and checked against the
 * registered keys before the artefact itself is parsed. The cryptography is the embedder's
 * verify routine (libsodium's Ed25519 by default); this file only locates and matches. */
#include <string.h>

#include "mcubpf/sha256.h"
#include "mcubpf/sign.h"
#include "runtime/messages.h"

static int fail(const char **err, const char *msg)
{
    *err = msg;
    return -1;
}

void mbpf_sig_key_id(const uint8_t pk[32], uint8_t id[MBPF_SIG_KEY_ID_LEN])
{
    uint8_t d[32];
    mbpf_sha256(pk, 32, d);
    memcpy(id, d, MBPF_SIG_KEY_ID_LEN);
}

int mbpf_sig_find(const uint8_t *buf, size_t len, mbpf_sig_block *blk, const char **err)
{
    if (!buf || len < sizeof *blk)
        return 0;
    memcpy(blk, buf + len - sizeof *blk, sizeof *blk);
    if (blk->magic != MBPF_SIG_MAGIC)
        return 0;
    if (blk->version != MBPF_SIG_VERSION)
        return fail(err, MSG_SIG_VERSION);
    if (blk->alg != MBPF_SIG_ALG_ED25519)
        return fail(err, MSG_SIG_ALG);
    if (blk->reserved)
        return fail(err, MSG_SIG_RESERVED);
    if (blk->signed_len != len - sizeof *blk)
        return fail(err, MSG_SIG_LENGTH);
    return 1;
}

int mbpf_sig_check(const uint8_t *buf, size_t len, const uint8_t *const *keys, uint32_t n_keys,
                   mbpf_sig_verify_fn verify, void *user, size_t *body_len, const char **err)
{
    mbpf_sig_block blk;
    int found = mbpf_sig_find(buf, len, &blk, err);
    if (found < 0)
        return -1;
    if (!found)
        return fail(err, MSG_SIG_UNSIGNED);
    for (uint32_t k = 0; k < n_keys; k++) {
        uint8_t id[MBPF_SIG_KEY_ID_LEN];
        if (!keys[k])
            continue;
        mbpf_sig_key_id(keys[k], id);
        if (memcmp(id, blk.key_id, sizeof id))
            continue;
        if (!verify)
            return fail(err, MSG_SIG_NO_CHECK);
        if (verify(blk.sig, buf, blk.signed_len, keys[k], user))
            return fail(err, MSG_SIG_BAD);
        *body_len = blk.signed_len;
        return 0;
    }
    return fail(err, MSG_SIG_UNKNOWN_KEY);
}
