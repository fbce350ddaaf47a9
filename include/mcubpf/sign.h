/* Signatures on bytecode containers and AOT images, and the runtime's trust store.
 *
 * A signed container or image is the artefact itself (its header flag SIGNED set, its SHA-256
 * computed with that flag) followed by one signature block: Ed25519 over every byte before the
 * block. The device finds the block at the end of the buffer and checks it against the keys the
 * embedder registered before it parses anything else. Formats: docs/formats.md; trust model:
 * docs/trust-model.md. Freestanding C99. */
#ifndef MCUBPF_SIGN_H
#define MCUBPF_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define MBPF_SIG_MAGIC 0x5350424du /* "MBPS" */
#define MBPF_SIG_VERSION 1u
#define MBPF_SIG_ALG_ED25519 1u
#define MBPF_SIG_KEY_ID_LEN 8u /* first bytes of the SHA-256 of the public key */

/* The last sizeof(mbpf_sig_block) bytes of a signed artefact. Little-endian. */
typedef struct mbpf_sig_block {
    uint32_t magic;
    uint16_t version;
    uint16_t alg;        /* MBPF_SIG_ALG_ED25519 */
    uint32_t signed_len; /* bytes before the block: the whole container or image */
    uint32_t reserved;   /* 0 */
    uint8_t key_id[MBPF_SIG_KEY_ID_LEN];
    uint8_t sig[64];     /* Ed25519 signature of the signed_len bytes before the block */
} mbpf_sig_block;

/* A signature check: 0 when sig is a valid signature of msg[0..len) under public key pk.
 * mbpf_ed25519_verify (libsodium's crypto_sign_ed25519_verify_detached, linked from
 * libmcubpf-ed25519) is one; an embedder may register its own (a secure element, a ROM routine). */
typedef int (*mbpf_sig_verify_fn)(const uint8_t sig[64], const uint8_t *msg, size_t len,
                                  const uint8_t pk[32], void *user);

int mbpf_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                        const uint8_t pk[32], void *user);

/* The key id a signature block names for public key pk. */
void mbpf_sig_key_id(const uint8_t pk[32], uint8_t id[MBPF_SIG_KEY_ID_LEN]);

/* Whether buf ends with a signature block. Returns 1 and copies the block into *blk (buf may sit
 * in flash at any alignment) when the last bytes carry the block's magic; 0 when not; -1 with a
 * static message when they carry the magic but the block is malformed. */
int mbpf_sig_find(const uint8_t *buf, size_t len, mbpf_sig_block *blk, const char **err);

/* Check the signature block at the end of buf against keys[0..n_keys) with verify. Returns 0 and
 * the signed length (the artefact without its block) in *body_len, or -1 with a static message
 * "signature: ..." (unsigned, malformed, unknown key, does not verify). */
int mbpf_sig_check(const uint8_t *buf, size_t len, const uint8_t *const *keys, uint32_t n_keys,
                   mbpf_sig_verify_fn verify, void *user, size_t *body_len, const char **err);

/* --- The runtime's trust store (state inside mbpf_runtime, functions in runtime/rt_trust.c) --- */

#ifndef MBPF_RT_MAX_KEYS
#define MBPF_RT_MAX_KEYS 4 /* public keys registered at once */
#endif
#ifndef MBPF_RT_MAX_HOOKS
#define MBPF_RT_MAX_HOOKS 8 /* hooks whose newest loaded version is remembered */
#endif

/* The newest version loaded (or restored) for one hook: older ones are refused as rollbacks. */
typedef struct mbpf_rt_release {
    uint32_t hook, version;
} mbpf_rt_release;

typedef struct mbpf_rt_trust {
    const uint8_t *keys[MBPF_RT_MAX_KEYS]; /* 32 bytes each, embedder storage (flash is fine) */
    uint32_t n_keys;
    mbpf_sig_verify_fn verify;
    void *verify_user;
    mbpf_rt_release releases[MBPF_RT_MAX_HOOKS];
    uint32_t n_releases;
} mbpf_rt_trust;

struct mbpf_runtime;

/* Register an Ed25519 public key (32 bytes, kept by pointer: it must outlive the runtime).
 * Returns 0, or MBPF_RT_ERR_ARG (NULL, already MBPF_RT_MAX_KEYS keys). */
int mbpf_rt_register_key(struct mbpf_runtime *rt, const uint8_t *pk);

/* The routine that checks signatures (e.g. mbpf_ed25519_verify). Without one, every signed
 * artefact is refused. */
void mbpf_rt_set_verify(struct mbpf_runtime *rt, mbpf_sig_verify_fn fn, void *user);

/* Rollback records: the lowest version the runtime still accepts for a hook. A firmware that
 * keeps them across reboots restores them with set after mbpf_rt_init and saves them (read with
 * mbpf_rt_min_version) after each successful load. set returns 0, MBPF_RT_ERR_ARG when the
 * version is lower than the one recorded, MBPF_RT_ERR_NOMEM when MBPF_RT_MAX_HOOKS hooks are
 * recorded already. */
int mbpf_rt_set_min_version(struct mbpf_runtime *rt, uint32_t hook, uint32_t version);
uint32_t mbpf_rt_min_version(const struct mbpf_runtime *rt, uint32_t hook);

#endif
