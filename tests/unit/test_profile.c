/* Device profiles (runtime/device_profile.c): the call depth of a program, the load-time check
 * against a profile (helpers, stack, strict), and the profile of a runtime's tenant; the host
 * parser of profile settings (aot/profile_args.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "aot/profile_args.h"
#include "mcubpf/helpers.h"
#include "mcubpf/profile.h"
#include "tests/unit/bpf_asm.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t arena[64 * 1024] __attribute__((aligned(8)));
static mbpf_fact facts[64];

/* entry -> f -> g: three frames */
static const mbpf_insn chain3[] = {
    CALL_LOCAL(2), /* 0: f at 3 */
    MOV64(0, 0),
    EXIT(),
    CALL_LOCAL(1), /* 3: f calls g at 5 */
    EXIT(),
    MOV64(0, 7), /* 5: g */
    EXIT(),
};

static mbpf_profile default_profile(void)
{
    mbpf_profile pr;
    memset(&pr, 0, sizeof pr);
    pr.helpers_lo = 0x3feull; /* ids 1..9 */
    pr.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    pr.stack_len = MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH;
    return pr;
}

static int check(const mbpf_insn *insns, uint32_t n, const mbpf_profile *pr, mbpf_verify_result *r)
{
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    return mbpf_profile_check(&p, pr, facts, arena, sizeof arena, r);
}

Test(profile, call_depth_counts_frames)
{
    mbpf_program p = {chain3, ARRAY_LEN(chain3), NULL, 0, NULL, 0};
    cr_assert_eq(mbpf_call_depth(&p, arena), 3);
    const mbpf_insn flat[] = {MOV64(0, 1), EXIT()};
    mbpf_program q = {flat, ARRAY_LEN(flat), NULL, 0, NULL, 0};
    cr_assert_eq(mbpf_call_depth(&q, arena), 1);
}

Test(profile, stack_bounds_the_call_depth)
{
    mbpf_profile pr = default_profile();
    mbpf_verify_result r;
    pr.stack_len = 3 * MBPF_STACK_SIZE;
    cr_assert_eq(check(chain3, ARRAY_LEN(chain3), &pr, &r), 0, "%s", r.msg);
    pr.stack_len = 2 * MBPF_STACK_SIZE;
    cr_assert_eq(check(chain3, ARRAY_LEN(chain3), &pr, &r), -1);
    cr_assert_eq(r.pc, 0);
    cr_assert(strstr(r.msg, "local calls nest 3 frames deep; the stack given holds 2"), "%s", r.msg);
}

Test(profile, helpers_outside_the_profile_are_refused)
{
    const mbpf_insn prog[] = {CALL(MBPF_HELPER_NOW_MS), EXIT()};
    mbpf_profile pr = default_profile();
    mbpf_verify_result r;
    cr_assert_eq(check(prog, ARRAY_LEN(prog), &pr, &r), 0, "%s", r.msg);
    pr.helpers_lo &= ~(1ull << MBPF_HELPER_NOW_MS);
    cr_assert_eq(check(prog, ARRAY_LEN(prog), &pr, &r), -1);
    const mbpf_insn unknown[] = {CALL(99), EXIT()};
    cr_assert_eq(check(unknown, ARRAY_LEN(unknown), &pr, &r), -1);
}

Test(profile, strict_refuses_unproven_accesses)
{
    /* r0 = ctx[0] without a length check: guarded, not proven */
    const mbpf_insn prog[] = {LDX(MBPF_B, 0, 1, 0), EXIT()};
    mbpf_profile pr = default_profile();
    mbpf_verify_result r;
    cr_assert_eq(check(prog, ARRAY_LEN(prog), &pr, &r), 0, "%s", r.msg);
    pr.flags = MBPF_PROFILE_STRICT;
    cr_assert_eq(check(prog, ARRAY_LEN(prog), &pr, &r), -1);
    cr_assert(strstr(r.msg, "not proven in bounds"), "%s", r.msg);
    pr.ctx_min_len = 1; /* a promised length proves it */
    cr_assert_eq(check(prog, ARRAY_LEN(prog), &pr, &r), 0, "%s", r.msg);
}

Test(profile, tenant_profile_masks_registered_helpers)
{
    static mbpf_runtime rt;
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cr_assert_eq(mbpf_rt_init(&rt, &cfg), MBPF_RT_OK);
    mbpf_rt_register_default_helpers(&rt);
    static uint8_t stack[1024];
    mbpf_tenant t = {7, (1u << MBPF_HELPER_LOG) | (1u << 14), MBPF_REGION_R, stack, sizeof stack, 0};
    mbpf_profile pr;
    mbpf_rt_tenant_profile(&rt, &t, &pr);
    cr_assert_eq(pr.helpers_lo, 1ull << MBPF_HELPER_LOG); /* 14 is not registered */
    cr_assert_eq(pr.ctx_flags, MBPF_REGION_R);
    cr_assert_eq(mbpf_profile_max_depth(&pr), 2);
}

Test(profile_args, strict_parsing_names_the_bad_word)
{
    static mbpf_tool_profile tp;
    char err[512];
    mbpf_tool_profile_default(&tp);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "helpers", "log,kv_fetch", err, sizeof err), 0, "%s", err);
    cr_assert_eq(tp.p.helpers_lo, (1ull << MBPF_HELPER_LOG) | (1ull << MBPF_HELPER_KV_FETCH));
    cr_assert_eq(mbpf_tool_profile_set(&tp, "helpers", "banana", err, sizeof err), -1);
    cr_assert(strstr(err, "'banana'"), "%s", err);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "helpers", "0x6", err, sizeof err), -1);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "helpers", "99", err, sizeof err), -1);
    cr_assert(strstr(err, "99"), "%s", err);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "helper", "12 read_adc", err, sizeof err), 0, "%s", err);
    cr_assert_eq(mbpf_tool_helper_id(&tp, "read_adc"), 12);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "ctx-min", "8x", err, sizeof err), -1);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "stack", "100", err, sizeof err), -1);
    cr_assert_eq(mbpf_tool_profile_set(&tp, "ctx", "rx", err, sizeof err), -1);
    cr_assert(strstr(err, "'rx'"), "%s", err);
}
