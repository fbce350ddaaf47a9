/* Host side of releases: the hook and version of a built container or image, and its signature
 * (include/mcubpf/sign.h) made with libsodium's Ed25519. */
#ifndef MCUBPF_AOT_SIGN_WRITE_H
#define MCUBPF_AOT_SIGN_WRITE_H

#include <stddef.h>
#include <stdint.h>

#define MBPF_SECRET_KEY_LEN 64u /* libsodium's Ed25519 secret key: seed then public key */
#define MBPF_PUBLIC_KEY_LEN 32u

typedef struct mbpf_release_opts {
    uint32_t hook, version;
    const char *key_path; /* secret key file (bpfkey); NULL: unsigned */
} mbpf_release_opts;

/* Parse one release option at argv[*i] (--hook N, --prog-version N, --sign KEY), advancing *i
 * past its value. Returns 1 when consumed, 0 when argv[*i] is not one, -1 with a message in *err
 * when its value is missing or not a 32-bit number. */
int mbpf_release_option(int argc, char **argv, int *i, mbpf_release_opts *o, const char **err);

/* Usage lines of these options, for a tool's --help. */
extern const char mbpf_release_usage[];

/* Set hook and version in the container or image at *buf (malloc'd), re-hash it and, with a key,
 * mark it signed and append the signature block (*buf is reallocated). Returns 0, or -1 with a
 * message in *err (not a container or image, key unreadable, out of memory). */
int mbpf_release_finish(uint8_t **buf, size_t *len, const mbpf_release_opts *o, const char **err);

/* The key files bpfkey writes: raw bytes, 64 (secret) or 32 (public). 0, or -1 with *err. */
int mbpf_key_read(const char *path, uint8_t *key, size_t key_len, const char **err);

#endif
