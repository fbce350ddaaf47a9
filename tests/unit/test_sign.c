/* The runtime's signature and release policy on the host (interpreter engine): signed containers
 * accepted with a registered key; tampered, unsigned (when required), wrong-key and stripped
 * ones refused with their messages; programs for another hook and rollbacks refused. AOT images
 * take the same path on the boards (tests/signing). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "aot/container_write.h"
#include "mcubpf/runtime.h"
#include "mcubpf/sign.h"
#include "tests/unit/bpf_asm.h"
#include "tests/unit/sign_keys.h"

static uint8_t work[64 * 1024] __attribute__((aligned(8)));
static uint8_t stack[MBPF_STACK_SIZE] __attribute__((aligned(8)));
static mbpf_runtime rt;
static mbpf_tenant tenant;
static test_key key, other;

static void setup(void)
{
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_TARGET_NONE;
    cfg.work = work;
    cfg.work_len = sizeof work;
    cr_assert_eq(mbpf_rt_init(&rt, &cfg), MBPF_RT_OK);
    memset(&tenant, 0, sizeof tenant);
    tenant.stack = stack;
    tenant.stack_len = sizeof stack;
    test_key_make(&key);
    test_key_make(&other);
    cr_assert_eq(mbpf_rt_register_key(&rt, key.pk), MBPF_RT_OK);
    mbpf_rt_set_verify(&rt, mbpf_ed25519_verify, NULL);
}

static void teardown(void)
{
    test_key_drop(&key);
    test_key_drop(&other);
}

TestSuite(sign, .init = setup, .fini = teardown);

/* A container returning r0 = value, for hook and version, signed with k (NULL: unsigned). */
static uint8_t *release(uint64_t value, uint32_t hook, uint32_t version, const test_key *k,
                        size_t *len)
{
    const mbpf_insn prog[] = {MOV64(0, (int32_t)value), EXIT()};
    const mbpf_program p = {prog, 2, NULL, 0, NULL, 0};
    uint8_t *c = mbpf_container_build(&p, 0, len);
    cr_assert_not_null(c);
    test_release(&c, len, hook, version, k);
    return c;
}

static int load(mbpf_prog *slot, uint32_t hook, const uint8_t *buf, size_t len, const char *msg)
{
    mbpf_rt_error err;
    memset(slot, 0, sizeof *slot);
    slot->hook = hook;
    int rc = mbpf_rt_load(&rt, slot, &tenant, buf, len, &err);
    if (msg)
        cr_expect_str_eq(mbpf_rt_last_message(&rt), msg);
    return rc;
}

Test(sign, signed_container_accepted_and_runs)
{
    size_t len;
    uint8_t *c = release(5, 0, 1, &key, &len);
    mbpf_prog slot;
    cr_assert_eq(load(&slot, 0, c, len, ""), MBPF_RT_OK);
    uint64_t r0 = 0;
    cr_expect_eq(mbpf_rt_run(&rt, &slot, NULL, 0, &r0, NULL), MBPF_OK);
    cr_expect_eq(r0, 5);
    free(c);
}

Test(sign, tampered_wrong_key_and_stripped_are_refused)
{
    size_t len;
    uint8_t *c = release(5, 0, 1, &key, &len);
    mbpf_prog slot;
    c[100] ^= 0x10; /* an instruction byte */
    cr_expect_eq(load(&slot, 0, c, len, "signature: does not verify (altered after signing, or forged)"),
                 MBPF_RT_ERR_SIGNATURE);
    c[100] ^= 0x10;
    c[len - 1] ^= 1; /* the signature itself */
    cr_expect_eq(load(&slot, 0, c, len, "signature: does not verify (altered after signing, or forged)"),
                 MBPF_RT_ERR_SIGNATURE);
    c[len - 1] ^= 1;
    cr_expect_eq(load(&slot, 0, c, len - sizeof(mbpf_sig_block),
                      "signature: marked signed but its signature block is missing"),
                 MBPF_RT_ERR_SIGNATURE);
    free(c);
    c = release(5, 0, 1, &other, &len);
    cr_expect_eq(load(&slot, 0, c, len, "signature: signed by a key that is not registered"),
                 MBPF_RT_ERR_SIGNATURE);
    cr_expect(!slot.loaded);
    free(c);
}

Test(sign, unsigned_containers_follow_the_policy)
{
    size_t len;
    uint8_t *c = release(6, 0, 1, NULL, &len);
    mbpf_prog slot;
    cr_expect_eq(load(&slot, 0, c, len, ""), MBPF_RT_OK, "bytecode is verified: unsigned is fine");
    rt.cfg.flags |= MBPF_RT_REQUIRE_SIGNED;
    cr_expect_eq(load(&slot, 0, c, len,
                      "signature: not signed (the policy requires a signature by a registered key)"),
                 MBPF_RT_ERR_SIGNATURE);
    free(c);
}

Test(sign, no_verify_routine_refuses_signed)
{
    mbpf_rt_set_verify(&rt, NULL, NULL);
    size_t len;
    uint8_t *c = release(5, 0, 1, &key, &len);
    mbpf_prog slot;
    cr_expect_eq(load(&slot, 0, c, len, "signature: no signature check registered"),
                 MBPF_RT_ERR_SIGNATURE);
    free(c);
}

Test(sign, other_hook_and_rollback_are_refused)
{
    size_t len;
    mbpf_prog slot;
    uint8_t *v5 = release(5, 3, 5, &key, &len);
    cr_expect_eq(load(&slot, 4, v5, len, "runtime: program built for another hook"),
                 MBPF_RT_ERR_RELEASE);
    cr_expect_eq(load(&slot, 3, v5, len, ""), MBPF_RT_OK);
    cr_expect_eq(mbpf_rt_min_version(&rt, 3), 5);
    size_t len4;
    uint8_t *v4 = release(4, 3, 4, &key, &len4);
    cr_expect_eq(load(&slot, 3, v4, len4,
                      "runtime: older version than the one loaded for this hook (rollback)"),
                 MBPF_RT_ERR_RELEASE);
    /* the same version again, and a hot swap to a newer one, are fine */
    cr_expect_eq(load(&slot, 3, v5, len, ""), MBPF_RT_OK);
    size_t len6;
    uint8_t *v6 = release(6, 3, 6, &key, &len6);
    mbpf_rt_error err;
    cr_expect_eq(mbpf_rt_replace(&rt, &slot, v6, len6, &err), MBPF_RT_OK, "%s", err.msg);
    cr_expect_eq(mbpf_rt_replace(&rt, &slot, v5, len, &err), MBPF_RT_ERR_RELEASE);
    uint64_t r0 = 0;
    cr_expect_eq(mbpf_rt_run(&rt, &slot, NULL, 0, &r0, NULL), MBPF_OK);
    cr_expect_eq(r0, 6, "the failed swap leaves version 6 running");
    /* another hook has its own record; a restored record (after a reboot) counts likewise */
    cr_expect_eq(mbpf_rt_min_version(&rt, 7), 0);
    cr_expect_eq(mbpf_rt_set_min_version(&rt, 7, 9), MBPF_RT_OK);
    cr_expect_eq(mbpf_rt_set_min_version(&rt, 7, 8), MBPF_RT_ERR_ARG);
    size_t len7;
    uint8_t *h7 = release(1, 7, 8, &key, &len7);
    cr_expect_eq(load(&slot, 7, h7, len7, "runtime: older version than the one loaded for this hook (rollback)"),
                 MBPF_RT_ERR_RELEASE);
    free(v4);
    free(v5);
    free(v6);
    free(h7);
}

Test(sign, key_and_hook_tables_are_bounded)
{
    for (int i = 1; i < MBPF_RT_MAX_KEYS; i++)
        cr_expect_eq(mbpf_rt_register_key(&rt, other.pk), MBPF_RT_OK);
    cr_expect_eq(mbpf_rt_register_key(&rt, other.pk), MBPF_RT_ERR_ARG);
    cr_expect_eq(mbpf_rt_register_key(&rt, NULL), MBPF_RT_ERR_ARG);
    for (uint32_t h = 0; h < MBPF_RT_MAX_HOOKS; h++)
        cr_expect_eq(mbpf_rt_set_min_version(&rt, 100 + h, 1), MBPF_RT_OK);
    cr_expect_eq(mbpf_rt_set_min_version(&rt, 999, 1), MBPF_RT_ERR_NOMEM);
    size_t len;
    uint8_t *c = release(5, 0, 1, &key, &len);
    mbpf_prog slot;
    cr_expect_eq(load(&slot, 0, c, len, "runtime: no room to record the version of another hook"),
                 MBPF_RT_ERR_NOMEM);
    free(c);
}
