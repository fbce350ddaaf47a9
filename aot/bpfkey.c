/* bpfkey: Ed25519 keys for signed containers and AOT images (libsodium), and checks of signed
 * files against a public key, as a device would check them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "aot/loader.h"
#include "aot/sign_write.h"
#include "aot/version.h"
#include "mcubpf/sign.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s generate NAME        write NAME.key (secret, mode 0600) and NAME.pub\n"
            "       %s show FILE.pub|FILE.key  print the public key and its key id\n"
            "       %s c-array FILE.pub NAME   print the public key as a C array for a firmware\n"
            "       %s check FILE.pub FILE     check the signature of a signed container/image\n"
            "Keys are raw bytes: 64 (libsodium's Ed25519 secret key) or 32 (public key).\n"
            "bpfpack/bpf2thumb/bpf2rv32 --sign NAME.key sign what they write.\n"
            "  -h, --help  this text;  --version  the version\n"
            "Exit status: 0 ok, 1 usage or I/O error, 2 signature refused.\n",
            prog, prog, prog, prog);
}

static int write_key(const char *path, const uint8_t *key, size_t len, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int bad = fwrite(key, 1, len, f) != len;
    bad |= fclose(f) != 0;
    bad |= chmod(path, mode) != 0;
    return bad ? -1 : 0;
}

static int generate(const char *self, const char *name)
{
    uint8_t pk[MBPF_PUBLIC_KEY_LEN], sk[MBPF_SECRET_KEY_LEN];
    size_t n = strlen(name) + 5;
    char *sec = malloc(n), *pub = malloc(n);
    if (!sec || !pub) {
        fprintf(stderr, "%s: out of memory\n", self);
        return 1;
    }
    snprintf(sec, n, "%s.key", name);
    snprintf(pub, n, "%s.pub", name);
    crypto_sign_ed25519_keypair(pk, sk);
    int rc = 0;
    /* the secret key is created private, never world-readable even for a moment */
    umask(077);
    if (write_key(sec, sk, sizeof sk, 0600) || write_key(pub, pk, sizeof pk, 0644)) {
        fprintf(stderr, "%s: cannot write %s / %s\n", self, sec, pub);
        rc = 1;
    } else {
        uint8_t id[MBPF_SIG_KEY_ID_LEN];
        mbpf_sig_key_id(pk, id);
        printf("%s: wrote %s and %s, key id ", self, sec, pub);
        for (unsigned i = 0; i < sizeof id; i++)
            printf("%02x", id[i]);
        printf("\n");
    }
    sodium_memzero(sk, sizeof sk);
    free(sec);
    free(pub);
    return rc;
}

/* A public key from a .pub file, or the one inside a .key file. */
static int public_key(const char *self, const char *path, uint8_t pk[MBPF_PUBLIC_KEY_LEN])
{
    const char *err;
    uint8_t sk[MBPF_SECRET_KEY_LEN];
    if (!mbpf_key_read(path, pk, MBPF_PUBLIC_KEY_LEN, &err))
        return 0;
    if (!mbpf_key_read(path, sk, sizeof sk, &err)) {
        memcpy(pk, sk + 32, MBPF_PUBLIC_KEY_LEN);
        sodium_memzero(sk, sizeof sk);
        return 0;
    }
    fprintf(stderr, "%s: %s: not a key file (32 or 64 bytes, bpfkey generate)\n", self, path);
    return -1;
}

static int show(const char *self, const char *path)
{
    uint8_t pk[MBPF_PUBLIC_KEY_LEN], id[MBPF_SIG_KEY_ID_LEN];
    if (public_key(self, path, pk))
        return 1;
    mbpf_sig_key_id(pk, id);
    printf("ed25519 public key ");
    for (unsigned i = 0; i < sizeof pk; i++)
        printf("%02x", pk[i]);
    printf("\nkey id ");
    for (unsigned i = 0; i < sizeof id; i++)
        printf("%02x", id[i]);
    printf("\n");
    return 0;
}

static int c_array(const char *self, const char *path, const char *name)
{
    uint8_t pk[MBPF_PUBLIC_KEY_LEN];
    if (public_key(self, path, pk))
        return 1;
    printf("/* Ed25519 public key for mbpf_rt_register_key (bpfkey c-array %s) */\n", path);
    printf("static const uint8_t %s[32] = {", name);
    for (unsigned i = 0; i < sizeof pk; i++)
        printf("%s0x%02x", i % 8 ? ", " : (i ? ",\n    " : "\n    "), pk[i]);
    printf("\n};\n");
    return 0;
}

static int check(const char *self, const char *key_path, const char *path)
{
    uint8_t pk[MBPF_PUBLIC_KEY_LEN];
    if (public_key(self, key_path, pk))
        return 1;
    char msg[256];
    size_t len, body;
    uint8_t *buf = mbpf_read_file(path, &len, msg, sizeof msg);
    if (!buf) {
        fprintf(stderr, "%s: %s\n", self, msg);
        return 1;
    }
    const uint8_t *keys[1] = {pk};
    const char *err;
    int rc = mbpf_sig_check(buf, len, keys, 1, mbpf_ed25519_verify, NULL, &body, &err);
    mbpf_sig_block blk;
    const char *ferr;
    if (rc && !strcmp(err, "signature: signed by a key that is not registered") &&
        mbpf_sig_find(buf, len, &blk, &ferr) == 1) {
        fprintf(stderr, "%s: %s: signed by another key (key id ", self, path);
        for (unsigned i = 0; i < sizeof blk.key_id; i++)
            fprintf(stderr, "%02x", blk.key_id[i]);
        fprintf(stderr, ")\n");
    } else if (rc)
        fprintf(stderr, "%s: %s: %s\n", self, path, err);
    else
        printf("%s: %s: signature ok (%zu bytes signed)\n", self, path, body);
    free(buf);
    return rc ? 2 : 0;
}

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout, self);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "--version")) {
        printf("%s (mcubpf) %s\n", self, MBPF_TOOLS_VERSION);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: libsodium failed to start\n", self);
        return 1;
    }
    if (argc == 3 && !strcmp(argv[1], "generate"))
        return generate(self, argv[2]);
    if (argc == 3 && !strcmp(argv[1], "show"))
        return show(self, argv[2]);
    if (argc == 4 && !strcmp(argv[1], "c-array"))
        return c_array(self, argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "check"))
        return check(self, argv[2], argv[3]);
    usage(stderr, self);
    return 1;
}
