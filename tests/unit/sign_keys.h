/* Test keys: a fresh Ed25519 key pair whose secret half sits in a temporary file, as bpfkey
 * writes it, for mbpf_release_finish. */
#ifndef MCUBPF_TESTS_SIGN_KEYS_H
#define MCUBPF_TESTS_SIGN_KEYS_H

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "aot/sign_write.h"

typedef struct test_key {
    uint8_t pk[32];
    char path[64];
} test_key;

static inline void test_key_make(test_key *k)
{
    uint8_t sk[64];
    cr_assert_geq(sodium_init(), 0);
    crypto_sign_ed25519_keypair(k->pk, sk);
    snprintf(k->path, sizeof k->path, "/tmp/mcubpf-test-key-XXXXXX");
    int fd = mkstemp(k->path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, sk, sizeof sk), (ssize_t)sizeof sk);
    close(fd);
}

static inline void test_key_drop(test_key *k)
{
    unlink(k->path);
}

/* Give the artefact at *buf a hook, a version and, with k, a signature. */
static inline void test_release(uint8_t **buf, size_t *len, uint32_t hook, uint32_t version,
                                const test_key *k)
{
    mbpf_release_opts o = {hook, version, k ? k->path : NULL};
    const char *err = NULL;
    cr_assert_eq(mbpf_release_finish(buf, len, &o, &err), 0, "%s", err);
}

#endif
