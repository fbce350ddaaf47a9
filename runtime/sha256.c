/* SHA-256 as specified in FIPS 180-4, section 6.2. */
#include <string.h>

#include "mcubpf/sha256.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* One 64-byte block. The message schedule is kept as a ring of 16 words and the working
 * variables a..h as an array that shifts by one per round: the small form of section 6.2.2. */
static void block(mbpf_sha256_ctx *s, const uint8_t *p)
{
    uint32_t w[16], v[8];
    memcpy(v, s->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t x = 0;
        if (i < 16) {
            for (int k = 0; k < 4; k++)
                x = x << 8 | p[4 * i + k];
        } else {
            uint32_t a = w[(i - 15) & 15], b = w[(i - 2) & 15];
            x = w[i & 15] + (ror(a, 7) ^ ror(a, 18) ^ (a >> 3)) + w[(i - 7) & 15] +
                (ror(b, 17) ^ ror(b, 19) ^ (b >> 10));
        }
        w[i & 15] = x;
        uint32_t a = v[0], e = v[4];
        uint32_t t1 = v[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & v[5]) ^ (~e & v[6])) +
                      K[i] + x;
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        for (int k = 7; k > 0; k--)
            v[k] = v[k - 1];
        v[4] += t1; /* e = d + t1 */
        v[0] = t1 + t2;
    }
    for (int k = 0; k < 8; k++)
        s->h[k] += v[k];
}

void mbpf_sha256_init(mbpf_sha256_ctx *s)
{
    static const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, init, sizeof init);
    s->len = 0;
    s->used = 0;
}

void mbpf_sha256_update(mbpf_sha256_ctx *s, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    s->len += len;
    while (len) {
        uint32_t take = 64 - s->used;
        if (take > len)
            take = (uint32_t)len;
        memcpy(s->buf + s->used, p, take);
        s->used += take;
        p += take;
        len -= take;
        if (s->used == 64) {
            block(s, s->buf);
            s->used = 0;
        }
    }
}

void mbpf_sha256_final(mbpf_sha256_ctx *s, uint8_t out[32])
{
    const uint32_t bits[2] = {(uint32_t)(s->len >> 29), (uint32_t)s->len << 3}; /* length in bits */
    uint8_t pad = 0x80;
    mbpf_sha256_update(s, &pad, 1);
    pad = 0;
    while (s->used != 56)
        mbpf_sha256_update(s, &pad, 1);
    uint8_t lenbuf[8];
    for (int i = 0; i < 8; i++)
        lenbuf[i] = (uint8_t)(bits[i >> 2] >> (24 - 8 * (i & 3)));
    mbpf_sha256_update(s, lenbuf, 8);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(s->h[i >> 2] >> (24 - 8 * (i & 3)));
}

void mbpf_sha256(const void *data, size_t len, uint8_t out[32])
{
    mbpf_sha256_ctx s;
    mbpf_sha256_init(&s);
    mbpf_sha256_update(&s, data, len);
    mbpf_sha256_final(&s, out);
}

void mbpf_sha256_skipping(const uint8_t *buf, size_t len, size_t at, uint8_t out[32])
{
    const uint8_t zero = 0;
    mbpf_sha256_ctx s;
    mbpf_sha256_init(&s);
    mbpf_sha256_update(&s, buf, at);
    for (int i = 0; i < 32; i++)
        mbpf_sha256_update(&s, &zero, 1);
    mbpf_sha256_update(&s, buf + at + 32, len - at - 32);
    mbpf_sha256_final(&s, out);
}
