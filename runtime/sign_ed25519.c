/* The default signature check: libsodium's Ed25519 verification. On the host it links the
 * system libsodium; on a device it links the freestanding build of libsodium's own sources that
 * mk/48-signing.mk makes (libmcubpf-ed25519.a: this file, the Ed25519 ref10 group arithmetic,
 * SHA-512 and the constant-time compare, nothing else). */
#include "sodium/crypto_sign_ed25519.h"
#ifndef MBPF_ED25519_FREESTANDING
#include "sodium/core.h"
#endif

#include "mcubpf/sign.h"

int mbpf_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                        const uint8_t pk[32], void *user)
{
    (void)user;
#ifndef MBPF_ED25519_FREESTANDING
    if (sodium_init() < 0) /* the host library wants it once; idempotent */
        return -1;
#endif
    return crypto_sign_ed25519_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}
