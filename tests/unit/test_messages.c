/* The runtime's names and messages: every error code and engine has its name, and the short
 * codes of the load and trust messages (MBPF_WITH_MESSAGES=0) are distinct. */
#define MBPF_WITH_MESSAGES 0
#include <criterion/criterion.h>
#include <string.h>

#include "mcubpf/runtime.h"
#include "runtime/messages.h"

Test(names, error_names)
{
    static const char *const want[] = {"ok", "bad argument", "bad format", "rejected by the verifier",
                                       "wrong target", "not permitted", "out of memory",
                                       "signature refused", "wrong hook or rollback",
                                       "not allowed during a run"};
    for (int i = 0; i < 10; i++)
        cr_expect_str_eq(mbpf_rt_error_name(-i), want[i], "code %d", -i);
    cr_expect_str_eq(mbpf_rt_error_name(MBPF_RT_ERR_BUSY - 1), "unknown error");
    cr_expect_str_eq(mbpf_rt_error_name(1), "unknown error");
    cr_expect_str_eq(mbpf_rt_error_name(-1000), "unknown error");
}

Test(names, engine_names)
{
    cr_expect_str_eq(mbpf_rt_engine_name(MBPF_RT_ENGINE_NONE), "none");
    cr_expect_str_eq(mbpf_rt_engine_name(MBPF_RT_ENGINE_INTERP), "interp");
    cr_expect_str_eq(mbpf_rt_engine_name(MBPF_RT_ENGINE_JIT), "jit");
    cr_expect_str_eq(mbpf_rt_engine_name(MBPF_RT_ENGINE_AOT), "aot");
    cr_expect_str_eq(mbpf_rt_engine_name(200), "none");
}

Test(names, message_codes_distinct)
{
    static const char *const codes[] = {
        MSG_IMAGE_SHORT, MSG_IMAGE_MAGIC, MSG_IMAGE_VERSION, MSG_IMAGE_LENGTH,
        MSG_IMAGE_OTHER_TARGET, MSG_IMAGE_UNKNOWN_TARGET, MSG_IMAGE_SECTION, MSG_IMAGE_ENTRY,
        MSG_IMAGE_HASH, MSG_SIG_VERSION, MSG_SIG_ALG, MSG_SIG_RESERVED, MSG_SIG_LENGTH,
        MSG_SIG_UNSIGNED, MSG_SIG_NO_CHECK, MSG_SIG_BAD, MSG_SIG_UNKNOWN_KEY, MSG_TRUST_REQUIRED,
        MSG_TRUST_BLOCK_MISSING, MSG_TRUST_NOT_MARKED, MSG_TRUST_AOT_UNSIGNED, MSG_TRUST_OTHER_HOOK,
        MSG_TRUST_ROLLBACK, MSG_TRUST_NO_ROOM, MSG_RT_DATA_SIZE, MSG_RT_NO_NATIVE, MSG_RT_AOT_POLICY,
        MSG_RT_CODE_ALIGN, MSG_RT_HELPER, MSG_RT_ARGS, MSG_RT_TENANT_ID, MSG_RT_MAGIC,
        MSG_RT_NO_BYTECODE, MSG_RT_BUSY, MSG_RT_REPLACE,
    };
    const size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        cr_expect(strlen(codes[i]) >= 2 && strlen(codes[i]) <= 3, "code %s", codes[i]);
        for (size_t j = 0; j < i; j++)
            cr_expect_str_neq(codes[i], codes[j]);
    }
}
