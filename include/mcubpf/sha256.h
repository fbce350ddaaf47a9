/* SHA-256 (FIPS 180-4), freestanding, for image and container integrity. */
#ifndef MCUBPF_SHA256_H
#define MCUBPF_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct mbpf_sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    uint32_t used;
} mbpf_sha256_ctx;

void mbpf_sha256_init(mbpf_sha256_ctx *s);
void mbpf_sha256_update(mbpf_sha256_ctx *s, const void *data, size_t len);
void mbpf_sha256_final(mbpf_sha256_ctx *s, uint8_t out[32]);
void mbpf_sha256(const void *data, size_t len, uint8_t out[32]);
/* SHA-256 of buf[0..len) with the 32 bytes at `at` read as zeros: the digest of a file that
 * carries its own digest there (containers, images). at + 32 <= len. */
void mbpf_sha256_skipping(const uint8_t *buf, size_t len, size_t at, uint8_t out[32]);

#endif
