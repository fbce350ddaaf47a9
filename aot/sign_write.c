/* Releases on the host: hook, version and the Ed25519 signature block (libsodium). */
#include "aot/sign_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mcubpf/container.h"
#include "mcubpf/image.h"
#include "mcubpf/sign.h"

const char mbpf_release_usage[] =
    "  --hook N         the hook (attach point and context ABI) the program is built for\n"
    "  --prog-version N its release number; a device refuses one older than it loaded\n"
    "  --sign KEY       sign with the secret key file KEY (bpfkey generate)\n";

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > 0xffffffffull)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int mbpf_release_option(int argc, char **argv, int *i, mbpf_release_opts *o, const char **err)
{
    const char *a = argv[*i];
    int is_hook = !strcmp(a, "--hook"), is_ver = !strcmp(a, "--prog-version");
    if (!is_hook && !is_ver && strcmp(a, "--sign"))
        return 0;
    if (*i + 1 >= argc) {
        *err = is_hook ? "--hook needs a number" : is_ver ? "--prog-version needs a number"
                                                          : "--sign needs a secret key file";
        return -1;
    }
    const char *v = argv[++*i];
    if (!is_hook && !is_ver) {
        o->key_path = v;
        return 1;
    }
    if (parse_u32(v, is_hook ? &o->hook : &o->version)) {
        *err = is_hook ? "--hook wants a number 0..4294967295"
                       : "--prog-version wants a number 0..4294967295";
        return -1;
    }
    return 1;
}

int mbpf_key_read(const char *path, uint8_t *key, size_t key_len, const char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = "cannot open the key file";
        return -1;
    }
    uint8_t extra;
    size_t n = fread(key, 1, key_len, f);
    int longer = fread(&extra, 1, 1, f) == 1;
    fclose(f);
    if (n != key_len || longer) {
        *err = key_len == MBPF_SECRET_KEY_LEN ? "not a secret key file (64 bytes, bpfkey generate)"
                                              : "not a public key file (32 bytes, bpfkey generate)";
        return -1;
    }
    return 0;
}

/* Write hook, version and flags into the header at buf and recompute its hash. */
static int set_release(uint8_t *buf, size_t len, const mbpf_release_opts *o, int sign,
                       const char **err)
{
    uint32_t magic = 0;
    if (len >= 4)
        memcpy(&magic, buf, 4);
    if (magic == MBPF_CONTAINER_MAGIC && len >= sizeof(mbpf_container_header)) {
        mbpf_container_header h;
        memcpy(&h, buf, sizeof h);
        h.hook = o->hook;
        h.prog_version = o->version;
        if (sign)
            h.flags |= MBPF_CONTAINER_FLAG_SIGNED;
        memcpy(buf, &h, sizeof h);
        mbpf_container_digest(buf, len, h.sha256);
        memcpy(buf, &h, sizeof h);
        return 0;
    }
    if (magic == MBPF_IMAGE_MAGIC && len >= sizeof(mbpf_image_header)) {
        mbpf_image_header h;
        memcpy(&h, buf, sizeof h);
        h.hook = o->hook;
        h.prog_version = o->version;
        if (sign)
            h.flags |= MBPF_IMAGE_FLAG_SIGNED;
        memcpy(buf, &h, sizeof h);
        mbpf_image_digest(buf, len, h.image_sha256);
        memcpy(buf, &h, sizeof h);
        return 0;
    }
    *err = "not a bytecode container or an AOT image";
    return -1;
}

int mbpf_release_finish(uint8_t **buf, size_t *len, const mbpf_release_opts *o, const char **err)
{
    uint8_t sk[MBPF_SECRET_KEY_LEN];
    if (o->key_path && mbpf_key_read(o->key_path, sk, sizeof sk, err))
        return -1;
    if (o->key_path) {
        /* the public half stored in the file must be the seed's: else the key id would name a
         * key the signature does not verify under */
        uint8_t pk[MBPF_PUBLIC_KEY_LEN], sk2[MBPF_SECRET_KEY_LEN];
        int bad = sodium_init() < 0 || crypto_sign_ed25519_seed_keypair(pk, sk2, sk) != 0 ||
                  sodium_memcmp(sk2, sk, sizeof sk) != 0;
        sodium_memzero(sk2, sizeof sk2);
        if (bad) {
            sodium_memzero(sk, sizeof sk);
            *err = "damaged secret key file (its public half does not match its seed)";
            return -1;
        }
    }
    if (set_release(*buf, *len, o, o->key_path != NULL, err))
        return -1;
    if (!o->key_path)
        return 0;
    uint8_t *out = *len <= 0xffffffffu - sizeof(mbpf_sig_block)
                       ? realloc(*buf, *len + sizeof(mbpf_sig_block))
                       : NULL;
    if (!out) {
        sodium_memzero(sk, sizeof sk);
        *err = "artefact too large to sign, or out of memory";
        return -1;
    }
    mbpf_sig_block blk;
    memset(&blk, 0, sizeof blk);
    blk.magic = MBPF_SIG_MAGIC;
    blk.version = MBPF_SIG_VERSION;
    blk.alg = MBPF_SIG_ALG_ED25519;
    blk.signed_len = (uint32_t)*len;
    mbpf_sig_key_id(sk + 32, blk.key_id);
    crypto_sign_ed25519_detached(blk.sig, NULL, out, *len, sk);
    sodium_memzero(sk, sizeof sk);
    memcpy(out + *len, &blk, sizeof blk);
    *buf = out;
    *len += sizeof blk;
    return 0;
}
