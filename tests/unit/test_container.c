/* Bytecode containers: round trip (also through the interpreter), every single-bit flip and every
 * truncation rejected, forged headers rejected with the message that names the problem. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aot/container_write.h"
#include "mcubpf/sign.h"
#include "tests/unit/bpf_asm.h"
#include "tests/unit/sign_keys.h"

static const mbpf_insn sample_insns[] = {
    MOV64(0, 7), CALL(5), CALL(3), LDDW(1, 0x1122334455667788ull), CALL(5), EXIT(),
};
static uint8_t sample_rodata[5] = {1, 2, 3, 4, 5};
static uint8_t sample_data[16] = {0, 0, 7, 0, 0, 9}; /* 6 bytes of .data, then zeros */

static const mbpf_program sample = {sample_insns, 7, sample_rodata, sizeof sample_rodata,
                                    sample_data, sizeof sample_data};

static uint8_t *sample_container(size_t *len)
{
    uint8_t *c = mbpf_container_build(&sample, mbpf_container_data_init_len(&sample), len);
    cr_assert_not_null(c);
    return c;
}

static int parse(const uint8_t *buf, size_t len, const char **err)
{
    mbpf_container_view v;
    return mbpf_container_parse(buf, len, &v, err);
}

Test(container, round_trip)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    mbpf_container_view v;
    const char *err = NULL;
    cr_assert_eq(mbpf_container_parse(c, len, &v, &err), 0, "%s", err);
    cr_expect_eq(v.n_insns, 7);
    cr_expect_eq(memcmp(v.insns, sample_insns, sizeof sample_insns), 0);
    cr_expect_eq(v.rodata_len, 5);
    cr_expect_eq(memcmp(v.rodata, sample_rodata, 5), 0);
    cr_expect_eq(v.data_init_len, 6, "the zero tail is not stored");
    cr_expect_eq(v.data_len, 16);
    cr_expect_eq(memcmp(v.data_init, sample_data, 6), 0);
    cr_assert_eq(v.n_helpers, 2);
    cr_expect_eq(v.helpers[0], 3);
    cr_expect_eq(v.helpers[1], 5);
    mbpf_container_header h;
    memcpy(&h, c, sizeof h);
    cr_expect_eq(h.total_len, len);
    cr_expect_eq(h.insns_off % 8, 0);
    cr_expect_eq(h.rodata_off % 8, 0);
    cr_expect_eq(h.data_off % 8, 0);
    cr_expect_eq(h.helpers_off % 8, 0);
    size_t len2;
    uint8_t *again = sample_container(&len2);
    cr_expect(len == len2 && !memcmp(c, again, len), "the writer must be deterministic");
    free(c);
    free(again);
}

Test(container, all_data_stored_and_empty_sections)
{
    static const mbpf_insn one[] = {EXIT()};
    const mbpf_program p = {one, 1, NULL, 0, sample_data, sizeof sample_data};
    size_t len;
    uint8_t *c = mbpf_container_build(&p, sizeof sample_data, &len);
    cr_assert_not_null(c);
    mbpf_container_view v;
    const char *err = NULL;
    cr_assert_eq(mbpf_container_parse(c, len, &v, &err), 0, "%s", err);
    cr_expect_eq(v.data_init_len, 16);
    cr_expect_null(v.rodata);
    cr_expect_null(v.helpers);
    free(c);
}

Test(container, writer_refuses_what_it_cannot_describe)
{
    size_t len;
    cr_expect_null(mbpf_container_build(&sample, sizeof sample_data + 1, &len));
    const mbpf_program empty = {sample_insns, 0, NULL, 0, NULL, 0};
    cr_expect_null(mbpf_container_build(&empty, 0, &len));
    /* 129 distinct helper ids */
    mbpf_insn *many = calloc(130, sizeof *many);
    for (int i = 0; i < 129; i++)
        many[i] = CALL(i);
    many[129] = EXIT();
    const mbpf_program p = {many, 130, NULL, 0, NULL, 0};
    cr_expect_null(mbpf_container_build(&p, 0, &len));
    free(many);
}

/* The container's program runs in the interpreter like the original: rodata, stored data and
 * the zeroed tail of the data region are where the program expects them. */
Test(container, runs_from_the_view)
{
    static const mbpf_insn prog[] = {
        LDDW_REGION(1, MBPF_REGION_ID_RODATA, 4), LDX(MBPF_B, 0, 1, 0),        /* r0 = 5 */
        LDDW_REGION(2, MBPF_REGION_ID_DATA, 0), LDX(MBPF_B, 3, 2, 5),         /* r3 = 9 */
        ALU64_IMM(MBPF_LSH, 3, 8), ALU64_REG(MBPF_OR, 0, 3),
        LDX(MBPF_DW, 3, 2, 8), ALU64_REG(MBPF_OR, 0, 3),                      /* zero tail */
        EXIT(),
    };
    uint8_t data[16] = {0, 0, 7, 0, 0, 9};
    const mbpf_program src = {prog, 11, sample_rodata, 5, data, 16};
    size_t len;
    uint8_t *c = mbpf_container_build(&src, mbpf_container_data_init_len(&src), &len);
    mbpf_container_view v;
    const char *err = NULL;
    cr_assert_eq(mbpf_container_parse(c, len, &v, &err), 0, "%s", err);
    uint8_t ram[16];
    memset(ram, 0xee, sizeof ram);
    memcpy(ram, v.data_init, v.data_init_len);
    memset(ram + v.data_init_len, 0, v.data_len - v.data_init_len);
    const mbpf_program p = {v.insns, v.n_insns, v.rodata, v.rodata_len, ram, v.data_len};
    static uint8_t stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH];
    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = &p;
    x.stack = stack;
    x.stack_len = sizeof stack;
    mbpf_exec_reset(&x);
    cr_assert_eq(mbpf_interp_run(&x), MBPF_OK);
    cr_expect_eq(x.r0, 0x905);
    free(c);
}

Test(container, every_bit_flip_is_rejected)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    const char *err;
    for (size_t bit = 0; bit < len * 8; bit++) {
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        cr_expect_neq(parse(c, len, &err), 0, "bit %zu", bit);
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_expect_eq(parse(c, len, &err), 0);
    free(c);
}

Test(container, every_truncation_is_rejected)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    const char *err;
    for (size_t n = 0; n < len; n++)
        cr_expect_neq(parse(c, n, &err), 0, "length %zu", n);
    cr_expect_eq(parse(NULL, 0, &err), -1);
    cr_expect_str_eq(err, "container: shorter than its header");
    /* and one byte too many */
    uint8_t *longer = calloc(1, len + 8);
    memcpy(longer, c, len);
    cr_expect_neq(parse(longer, len + 1, &err), 0);
    cr_expect_str_eq(err, "container: length does not match its header");
    free(longer);
    free(c);
}

/* Each forgery changes one header field; the structural checks come before the hash, so the
 * message names the field's problem. */
Test(container, forged_headers)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    mbpf_container_header h;
    memcpy(&h, c, sizeof h);
    struct {
        mbpf_container_header h;
        const char *msg;
    } f[16];
    int n = 0;
    for (int k = 0; k < 16; k++)
        f[k].h = h;
    f[n].h.magic ^= 1u << 24;
    f[n++].msg = "container: bad magic (not an MBPC container)";
    f[n].h.version = 1; /* the format before signatures */
    f[n++].msg = "container: unsupported version";
    f[n].h.header_size = sizeof h + 8;
    f[n++].msg = "container: unexpected header size";
    f[n].h.flags = 2;
    f[n++].msg = "container: unknown flags";
    f[n].h.total_len = (uint32_t)len + 8;
    f[n++].msg = "container: length does not match its header";
    f[n].h.n_insns = 0x20000000u; /* times 8 wraps to 0 in 32 bits */
    f[n++].msg = "container: instruction count out of range";
    f[n].h.n_insns = 0;
    f[n++].msg = "container: instruction count out of range";
    f[n].h.insns_off = h.insns_off + 4;
    f[n++].msg = "container: instructions not 8-byte aligned";
    f[n].h.insns_off = h.total_len + 8; /* past the end */
    f[n++].msg = "container: a section lies outside the container";
    f[n].h.insns_off = 0; /* over the header */
    f[n++].msg = "container: a section lies outside the container";
    f[n].h.rodata_off = 0xfffffff8u;
    f[n++].msg = "container: a section lies outside the container";
    f[n].h.rodata_len = 0xfffffff0u;
    f[n++].msg = "container: a section lies outside the container";
    f[n].h.data_init_len = h.data_len + 1;
    f[n++].msg = "container: initial data longer than the data region";
    f[n].h.data_len = f[n].h.data_init_len = 0x40000000u;
    f[n++].msg = "container: data region too large";
    f[n].h.n_helpers = 1u << 30; /* times 4 wraps to 0 in 32 bits */
    f[n++].msg = "container: too many helpers";
    f[n].h.helpers_off = h.total_len - 4; /* 2 ids, room for 1 (and unaligned) */
    f[n++].msg = "container: a section lies outside the container";
    cr_assert_eq(n, 16);
    const char *err;
    for (int k = 0; k < n; k++) {
        memcpy(c, &f[k].h, sizeof h);
        cr_expect_neq(parse(c, len, &err), 0, "forgery %d", k);
        cr_expect_str_eq(err, f[k].msg, "forgery %d", k);
    }
    memcpy(c, &h, sizeof h);
    cr_expect_eq(parse(c, len, &err), 0);
    free(c);
}

Test(container, descending_or_repeated_helper_ids)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    mbpf_container_header h;
    memcpy(&h, c, sizeof h);
    uint32_t ids[2];
    const char *err;
    memcpy(ids, c + h.helpers_off, sizeof ids);
    uint32_t swapped[2] = {ids[1], ids[0]}, same[2] = {ids[0], ids[0]};
    memcpy(c + h.helpers_off, swapped, sizeof swapped);
    cr_expect_neq(parse(c, len, &err), 0);
    cr_expect_str_eq(err, "container: helper ids not in ascending order");
    memcpy(c + h.helpers_off, same, sizeof same);
    cr_expect_neq(parse(c, len, &err), 0);
    cr_expect_str_eq(err, "container: helper ids not in ascending order");
    free(c);
}

Test(container, buffer_alignment)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    uint8_t *room = malloc(len + 8); /* malloc: 8-aligned at least */
    const char *err;
    for (size_t shift = 1; shift < 8; shift++) {
        memcpy(room + shift, c, len);
        int rc = parse(room + shift, len, &err);
        if (shift == 4) {
            cr_expect_eq(rc, 0, "4-byte alignment is enough for the instruction structs");
        } else {
            cr_expect_neq(rc, 0, "shift %zu", shift);
            cr_expect_str_eq(err, "container: buffer not 4-byte aligned (load it at an 8-byte "
                                  "aligned address)");
        }
    }
    free(room);
    free(c);
}

Test(container, hash_mismatch_message)
{
    size_t len;
    uint8_t *c = sample_container(&len);
    const char *err;
    c[len - 1] ^= 0x80; /* a helper id: still ascending, only the hash notices */
    cr_expect_neq(parse(c, len, &err), 0);
    cr_expect_str_eq(err, "container: SHA-256 mismatch (corrupted or altered)");
    free(c);
}

/* Signed containers (include/mcubpf/sign.h): accepted with the signer's key, refused with
 * another, when any bit of the signed bytes or of the signature changes, and when the signature
 * block is removed from a container marked signed. */
static int sig_check(const uint8_t *buf, size_t len, const test_key *k, size_t *body,
                     const char **err)
{
    const uint8_t *keys[1] = {k->pk};
    return mbpf_sig_check(buf, len, keys, 1, mbpf_ed25519_verify, NULL, body, err);
}

Test(container, signed_round_trip_hook_and_version)
{
    test_key k;
    test_key_make(&k);
    size_t len, body;
    uint8_t *c = sample_container(&len);
    size_t unsigned_len = len;
    test_release(&c, &len, 42, 7, &k);
    cr_assert_eq(len, unsigned_len + sizeof(mbpf_sig_block));
    const char *err = NULL;
    cr_assert_eq(sig_check(c, len, &k, &body, &err), 0, "%s", err);
    cr_expect_eq(body, unsigned_len);
    mbpf_container_view v;
    cr_assert_eq(mbpf_container_parse(c, body, &v, &err), 0, "%s", err);
    cr_expect_eq(v.hook, 42);
    cr_expect_eq(v.prog_version, 7);
    cr_expect_eq(v.flags, MBPF_CONTAINER_FLAG_SIGNED);
    cr_expect_eq(v.n_insns, 7);
    /* the whole container, signature block included, is refused by the parser alone */
    cr_expect_neq(mbpf_container_parse(c, len, &v, &err), 0);
    free(c);
    test_key_drop(&k);
}

Test(container, signature_refusals)
{
    test_key k, other;
    test_key_make(&k);
    test_key_make(&other);
    size_t len, body;
    uint8_t *c = sample_container(&len);
    const char *err = NULL;
    cr_expect_neq(sig_check(c, len, &k, &body, &err), 0);
    cr_expect_str_eq(err, "signature: not signed");
    test_release(&c, &len, 1, 1, &k);
    cr_expect_neq(sig_check(c, len, &other, &body, &err), 0);
    cr_expect_str_eq(err, "signature: signed by a key that is not registered");
    const uint8_t *keys[1] = {k.pk};
    cr_expect_neq(mbpf_sig_check(c, len, keys, 1, NULL, NULL, &body, &err), 0);
    cr_expect_str_eq(err, "signature: no signature check registered");
    for (size_t bit = 0; bit < len * 8; bit++) {
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        err = NULL;
        cr_expect_neq(sig_check(c, len, &k, &body, &err), 0, "bit %zu", bit);
        c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    cr_expect_eq(sig_check(c, len, &k, &body, &err), 0, "%s", err);
    /* a flip in the signed bytes is named as such */
    c[100] ^= 1;
    cr_expect_neq(sig_check(c, len, &k, &body, &err), 0);
    cr_expect_str_eq(err, "signature: does not verify (altered after signing, or forged)");
    c[100] ^= 1;
    for (size_t n = len - sizeof(mbpf_sig_block) + 1; n < len; n++)
        cr_expect_neq(sig_check(c, n, &k, &body, &err), 0, "length %zu", n);
    free(c);
    test_key_drop(&k);
    test_key_drop(&other);
}
