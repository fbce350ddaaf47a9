/* SHA-256 against FIPS 180-4 example vectors and libsodium; AOT images: round trip, every
 * single-bit flip rejected, truncation and forged headers rejected. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/image_write.h"
#include "mcubpf/sign.h"
#include "mcubpf/sha256.h"
#include "tests/unit/bpf_asm.h"
#include "tests/unit/sign_keys.h"

static void hex(const uint8_t d[32], char out[65])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

Test(sha256, nist_vectors)
{
    uint8_t d[32];
    char h[65];
    mbpf_sha256("abc", 3, d);
    hex(d, h);
    cr_expect_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    mbpf_sha256("", 0, d);
    hex(d, h);
    cr_expect_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mbpf_sha256(two, strlen(two), d);
    hex(d, h);
    cr_expect_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a' fed in uneven pieces */
    mbpf_sha256_ctx s;
    static char a[1001];
    memset(a, 'a', sizeof a);
    mbpf_sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        mbpf_sha256_update(&s, a, i % 2 ? 999 : 1001);
    mbpf_sha256_final(&s, d);
    hex(d, h);
    cr_expect_str_eq(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* every length over two blocks and more, against libsodium's SHA-256 */
Test(sha256, matches_libsodium)
{
    static uint8_t buf[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t len = 0; len <= sizeof buf; len++) {
        uint8_t ours[32], ref[32];
        mbpf_sha256(buf, len, ours);
        crypto_hash_sha256(ref, buf, len);
        cr_expect(!memcmp(ours, ref, 32), "length %zu", len);
    }
}

static uint8_t *sample_image(size_t *len)
{
    static const mbpf_insn insns[] = {MOV64(0, 7), CALL(3), EXIT()};
    static uint8_t rodata[5] = {1, 2, 3, 4, 5};
    static uint8_t data[12];
    static const mbpf_program p = {insns, 3, rodata, sizeof rodata, data, sizeof data};
    static const uint8_t code[] = {0x00, 0xbf, 0x70, 0x47, 0x11, 0x22, 0x33, 0x44};
    return mbpf_image_build(MBPF_TARGET_THUMB2, &p, code, sizeof code, 0, len);
}

Test(image, round_trip)
{
    size_t len;
    uint8_t *img = sample_image(&len);
    mbpf_image_view v;
    const char *err = NULL;
    cr_assert_eq(mbpf_image_parse(img, len, MBPF_TARGET_THUMB2, &v, &err), 0, "%s", err);
    cr_expect_eq(v.code_len, 8);
    cr_expect_eq(v.code[3], 0x47);
    cr_expect_eq(v.rodata_len, 5);
    cr_expect_eq(v.rodata[4], 5);
    cr_expect_eq(v.data_len, 12);
    cr_expect_eq(v.n_helpers, 1);
    cr_expect_eq(v.helpers[0], 3);
    cr_expect_neq(mbpf_image_parse(img, len, MBPF_TARGET_RV32IMC, &v, &err), 0);
    cr_expect_str_eq(err, "image: built for another target");
    size_t len2;
    uint8_t *again = sample_image(&len2);
    cr_expect(len == len2 && !memcmp(img, again, len), "the writer must be deterministic");
    free(img);
    free(again);
}

Test(image, every_bit_flip_is_rejected)
{
    size_t len;
    uint8_t *img = sample_image(&len);
    mbpf_image_view v;
    const char *err;
    for (size_t bit = 0; bit < len * 8; bit++) {
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_expect_neq(mbpf_image_parse(img, len, MBPF_TARGET_NONE, &v, &err), 0, "bit %zu", bit);
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_expect_eq(mbpf_image_parse(img, len, MBPF_TARGET_NONE, &v, &err), 0);
    free(img);
}

Test(image, truncated_and_forged_headers)
{
    size_t len;
    uint8_t *img = sample_image(&len);
    mbpf_image_view v;
    const char *err;
    for (size_t n = 0; n < len; n += 3)
        cr_expect_neq(mbpf_image_parse(img, n, MBPF_TARGET_NONE, &v, &err), 0, "length %zu", n);
    mbpf_image_header h;
    memcpy(&h, img, sizeof h);
    mbpf_image_header forged[4] = {h, h, h, h};
    forged[0].code_len = 0xfffffff0u;
    forged[1].rodata_off = 0xfffffff8u;
    forged[2].entry = h.code_len;
    forged[3].n_helpers = 1u << 30;
    for (int k = 0; k < 4; k++) {
        memcpy(img, &forged[k], sizeof h);
        cr_expect_neq(mbpf_image_parse(img, len, MBPF_TARGET_NONE, &v, &err), 0, "forgery %d", k);
    }
    free(img);
}

/* Signed images: the signature covers the whole image; hook and version are in its header. */
Test(image, signed_image_checks_and_refusals)
{
    test_key k, other;
    test_key_make(&k);
    test_key_make(&other);
    size_t len, body;
    uint8_t *img = sample_image(&len);
    size_t unsigned_len = len;
    test_release(&img, &len, 9, 3, &k);
    const uint8_t *keys[2] = {other.pk, k.pk};
    const char *err = NULL;
    cr_assert_eq(mbpf_sig_check(img, len, keys, 2, mbpf_ed25519_verify, NULL, &body, &err), 0,
                 "%s", err);
    cr_expect_eq(body, unsigned_len);
    mbpf_image_view v;
    cr_assert_eq(mbpf_image_parse(img, body, MBPF_TARGET_THUMB2, &v, &err), 0, "%s", err);
    cr_expect_eq(v.hook, 9);
    cr_expect_eq(v.prog_version, 3);
    cr_expect_eq(v.flags, MBPF_IMAGE_FLAG_SIGNED);
    cr_expect_neq(mbpf_sig_check(img, len, keys, 1, mbpf_ed25519_verify, NULL, &body, &err), 0);
    cr_expect_str_eq(err, "signature: signed by a key that is not registered");
    for (size_t bit = 0; bit < len * 8; bit += 7) {
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_expect_neq(mbpf_sig_check(img, len, keys, 2, mbpf_ed25519_verify, NULL, &body, &err), 0,
                      "bit %zu", bit);
        img[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    free(img);
    test_key_drop(&k);
    test_key_drop(&other);
}
