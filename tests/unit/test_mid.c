/* The translator's middle end on small programs: demanded halves, known-zero upper halves, the
 * narrowing decisions, loop depth, and what the Thumb-2 lowering makes of dead results. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_asm.h"
#include "mid_fixture.h"
#include "jit/mid/mid.h"
#include "jit/mid/mid_access.h"
#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"

static void use_def(const mid_fixture *a, uint32_t pc, uint32_t *use, uint32_t *def)
{
    mid_use_def(&a->p.insns[pc], &a->facts[pc], a->m.live_out[pc], a->m.hz_in[pc], use, def);
}

Test(mid, upper_half_nobody_reads_is_not_demanded)
{
    /* r2 = r1; r2 += 5 (64-bit); w0 = w2; exit: only the lower halves matter */
    static const mbpf_insn prog[] = {MOV64R(2, 1), ALU64_IMM(MBPF_ADD, 2, 5), ALU32_REG(MBPF_MOV, 0, 2),
                                     EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 4);
    cr_expect(a.m.live_out[1] & MID_LO(2));
    cr_expect_eq(a.m.live_out[1] & MID_HI(2), 0u, "r2's upper half is dead after the add");
    use_def(&a, 1, &use, &def);
    cr_expect_eq(use, MID_LO(2), "the add reads the lower half only");
    use_def(&a, 0, &use, &def);
    cr_expect_eq(use, MID_LO(1), "so the move copies the lower half only");
    cr_expect_eq(a.m.live_out[3], 0u);
    mid_fixture_release(&a);
}

Test(mid, upper_half_demanded_on_one_path_only)
{
    /* r3 = r1 + 1 (64-bit); if w2 == 0 goto L; r0 = r3 (64-bit) exit; L: w0 = w3; exit */
    static const mbpf_insn prog[] = {
        MOV64R(3, 1), ALU64_IMM(MBPF_ADD, 3, 1), JMP32_IMM(MBPF_JEQ, 2, 0, 2), MOV64R(0, 3), EXIT(),
        ALU32_REG(MBPF_MOV, 0, 3), EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 7);
    cr_expect(a.m.live_out[2] & MID_HI(3), "the fall-through path reads r3's upper half");
    use_def(&a, 1, &use, &def);
    cr_expect_eq(use, MID_BOTH(3), "so the add computes both halves");
    use_def(&a, 5, &use, &def);
    cr_expect_eq(use, MID_LO(3));
    mid_fixture_release(&a);
}

Test(mid, known_zero_upper_halves_narrow_compares_and_divisions)
{
    /* w3 = w1; r4 = 10; r3 /= r4; r0 = 0; if r3 s> r4 goto +1; r0 = 1; exit */
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 3, 1), MOV64(4, 10), ALU64_REG(MBPF_DIV, 3, 4),
                                     MOV64(0, 0), JMP_REG(MBPF_JSGT, 3, 4, 1), MOV64(0, 1), EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 7);
    cr_expect(a.m.hz_in[2] & (1u << 3));
    cr_expect(a.m.hz_in[2] & (1u << 4));
    cr_expect(mid_divmod_narrow(&prog[2], a.m.hz_in[2]));
    cr_expect(a.m.hz_in[3] & (1u << 3), "an unsigned quotient is no larger than the dividend");
    cr_expect(mid_jump_narrow(&prog[4], a.m.hz_in[4]));
    use_def(&a, 4, &use, &def);
    cr_expect_eq(use, MID_LO(3) | MID_LO(4), "the narrowed compare reads lower halves only");
    mid_fixture_release(&a);
}

Test(mid, unknown_upper_half_is_not_narrowed)
{
    /* r3 = r1 - 1 may have any upper half: the 64-bit compare stays */
    static const mbpf_insn prog[] = {MOV64R(3, 2), ALU64_IMM(MBPF_SUB, 3, 1), MOV64(0, 0),
                                     JMP_IMM(MBPF_JGT, 3, 7, 1), MOV64(0, 1), EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 6);
    cr_expect_eq(mid_jump_narrow(&prog[3], a.m.hz_in[3]), 0);
    use_def(&a, 3, &use, &def);
    cr_expect_eq(use, MID_BOTH(3));
    mid_fixture_release(&a);
}

Test(mid, dead_results_cost_nothing)
{
    static const mbpf_insn prog[] = {MOV64(5, 7), MOV64(0, 0), EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 3);
    use_def(&a, 0, &use, &def);
    cr_expect_eq(use, 0u);
    cr_expect_eq(def, 0u);
    mid_fixture_release(&a);
}

Test(mid, helper_calls_read_all_argument_halves)
{
    static const mbpf_insn prog[] = {MOV64(1, 1), MOV64(2, 2), MOV64(3, 3), MOV64(4, 4), MOV64(5, 5),
                                     CALL(1), EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 7);
    use_def(&a, 5, &use, &def);
    cr_expect_eq(use, 0x003e003eu, "r1..r5, both halves");
    cr_expect_eq(def & MID_BOTH(0), MID_BOTH(0));
    cr_expect(a.m.live_out[0] & MID_HI(1));
    mid_fixture_release(&a);
}

Test(mid, loop_depth_and_weights)
{
    /* r0 = 0; w2 = 8; loop: r0 += 3; w2 -= 1; if w2 != 0 goto loop; exit */
    static const mbpf_insn prog[] = {MOV64(0, 0), ALU32_IMM(MBPF_MOV, 2, 8), ALU64_IMM(MBPF_ADD, 0, 3),
                                     ALU32_IMM(MBPF_SUB, 2, 1), JMP32_IMM(MBPF_JNE, 2, 0, -3), EXIT()};
    mid_fixture a;
    mid_fixture_analyse(&a, prog, 6);
    cr_expect_eq(a.m.depth[0], 0);
    cr_expect_eq(a.m.depth[1], 0);
    cr_expect_eq(a.m.depth[2], 1);
    cr_expect_eq(a.m.depth[4], 1);
    cr_expect_eq(a.m.depth[5], 0);
    cr_expect_gt(a.m.weight[2], a.m.weight[16 + 2], "r2's lower half is used in the loop, "
                 "its upper half never read");
    cr_expect_eq(a.m.weight[16 + 2], 0u);
    mid_fixture_release(&a);
}

/* The Thumb-2 lowering emits nothing for a dead result: the same code as without it. */
static uint32_t thumb2_bytes(const mbpf_insn *insns, uint32_t n)
{
    mid_fixture a;
    mid_fixture_analyse(&a, insns, n);
    static uint8_t code[4096];
    size_t wsz = mbpf_jit_work_size(n);
    void *work = malloc(wsz);
    cr_assert(work);
    mbpf_jit_result r;
    cr_assert_eq(mbpf_jit_translate(MBPF_TARGET_THUMB2, &a.p, a.facts, NULL, code, sizeof code, work, wsz,
                                    &r), MBPF_JIT_OK, "%s", r.err ? r.err : "");
    free(work);
    mid_fixture_release(&a);
    return r.code_len;
}

Test(t2_emit, dead_result_emits_nothing)
{
    static const mbpf_insn live[] = {MOV64(0, 0), EXIT()};
    static const mbpf_insn dead[] = {MOV64(5, 7), ALU64_IMM(MBPF_MUL, 5, 3), MOV64(0, 0), EXIT()};
    cr_expect_eq(thumb2_bytes(dead, 4), thumb2_bytes(live, 2));
}

Test(t2_emit, thirty_two_bit_results_skip_the_upper_half)
{
    /* w0 = w1 + 1 then exit (r0's upper half is zero and must be written) against the same with a
     * 64-bit add whose upper half is then dropped by a 32-bit move: no more code */
    static const mbpf_insn a32[] = {ALU32_REG(MBPF_MOV, 0, 2), ALU32_IMM(MBPF_ADD, 0, 1), EXIT()};
    static const mbpf_insn a64[] = {MOV64R(3, 2), ALU64_IMM(MBPF_ADD, 3, 1), ALU32_REG(MBPF_MOV, 0, 3),
                                    EXIT()};
    cr_expect_leq(thumb2_bytes(a64, 4), thumb2_bytes(a32, 3) + 4);
}

Test(mid, counting_loop_keeps_a_zero_upper_half)
{
    /* r3 = r2 >> 2 (below 2^31); r4 = 0; loop: r4 += 1; if r4 < r3 goto loop; r0 = r4; exit.
     * On the back edge r4 < r3 < 2^31, so r4 += 1 cannot carry and the compare is 32-bit. */
    static const mbpf_insn prog[] = {MOV64R(3, 2), ALU64_IMM(MBPF_RSH, 3, 2), MOV64(4, 0),
                                     ALU64_IMM(MBPF_ADD, 4, 1), JMP_REG(MBPF_JLT, 4, 3, -2), MOV64R(0, 4),
                                     EXIT()};
    mid_fixture a;
    uint32_t use, def;
    mid_fixture_analyse(&a, prog, 7);
    cr_expect(a.m.hz_in[3] & (1u << (16 + 4)), "r4 is below 2^31 at the loop head");
    cr_expect(a.m.hz_in[4] & (1u << 4), "r4 += 1 keeps its upper half zero");
    cr_expect(mid_jump_narrow(&prog[4], a.m.hz_in[4]));
    use_def(&a, 4, &use, &def);
    cr_expect_eq(use, MID_LO(3) | MID_LO(4));
    mid_fixture_release(&a);
}

Test(mid, compare_with_an_unknown_bound_teaches_nothing)
{
    /* the same loop against r3 = r2 - 1 (any 64-bit value): r4 may reach 2^32 */
    static const mbpf_insn prog[] = {MOV64R(3, 2), ALU64_IMM(MBPF_SUB, 3, 1), MOV64(4, 0),
                                     ALU64_IMM(MBPF_ADD, 4, 1), JMP_REG(MBPF_JLT, 4, 3, -2), MOV64R(0, 4),
                                     EXIT()};
    mid_fixture a;
    mid_fixture_analyse(&a, prog, 7);
    cr_expect_eq(a.m.hz_in[4] & (1u << 4), 0u);
    cr_expect_eq(mid_jump_narrow(&prog[4], a.m.hz_in[4]), 0);
    mid_fixture_release(&a);
}

/* Defence in depth (mid_access.h): only accesses at a constant offset from r10 inside the frame
 * keep a proof; every other proven access is guarded against the region the proof names. */
Test(mid, access_check_trusts_only_frame_constants)
{
    const mbpf_fact proven_stack = {MBPF_MEM_PROVEN, MBPF_RGN_STACK, 0, 0};
    const mbpf_fact proven_ctx = {MBPF_MEM_PROVEN, MBPF_RGN_CTX, 0, 0};
    const mbpf_fact guarded = {MBPF_MEM_GUARD_REGION, MBPF_RGN_CTX, 0, 0};
    const mbpf_fact any = {MBPF_MEM_GUARD_ANY, 0, 0, 0};
    const mbpf_insn in_frame[] = {STX(MBPF_DW, 10, 1, -512), LDX(MBPF_W, 2, 10, -4),
                                  ST(MBPF_B, 10, -1, 7), LDXSX(MBPF_H, 3, 10, -2),
                                  ATOMIC(MBPF_DW, 10, 1, -8, MBPF_ADD)};
    for (unsigned i = 0; i < sizeof in_frame / sizeof in_frame[0]; i++) {
        cr_expect(mid_access_in_frame(&in_frame[i]), "insn %u", i);
        cr_expect_eq(mid_access_check(&in_frame[i], &proven_stack), MBPF_MEM_PROVEN, "insn %u", i);
    }
    /* a "proof" for bytes outside the frame, through another register, or of another form */
    const mbpf_insn outside[] = {STX(MBPF_DW, 10, 1, -516), LDX(MBPF_W, 2, 10, -2),
                                 LDX(MBPF_B, 2, 10, 0), STX(MBPF_W, 10, 1, 100),
                                 LDX(MBPF_B, 2, 1, 0), LDXSX(MBPF_W, 2, 6, 4),
                                 ST(MBPF_W, 2, -8, 1), ATOMIC(MBPF_W, 3, 1, 0, MBPF_ADD)};
    for (unsigned i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        cr_expect_not(mid_access_in_frame(&outside[i]), "insn %u", i);
        cr_expect_eq(mid_access_check(&outside[i], &proven_stack), MBPF_MEM_GUARD_REGION, "insn %u", i);
        cr_expect_eq(mid_access_check(&outside[i], &proven_ctx), MBPF_MEM_GUARD_REGION, "insn %u", i);
    }
    /* guards stay what the verifier said; instructions that are not accesses are not */
    cr_expect_eq(mid_access_check(&outside[4], &guarded), MBPF_MEM_GUARD_REGION);
    cr_expect_eq(mid_access_check(&outside[4], &any), MBPF_MEM_GUARD_ANY);
    const mbpf_insn alu = MOV64(1, 0), lddw[] = {LDDW(1, 5)};
    cr_expect_eq(mid_access_check(&alu, &proven_ctx), MBPF_MEM_NONE);
    cr_expect_eq(mid_access_check(&lddw[0], &proven_ctx), MBPF_MEM_NONE);
}

Test(mid, a_known_zero_upper_half_is_not_a_use)
{
    /* r3 = w2 (upper half zero), r4 = r2 - 1 (may wrap): the 64-bit compare reads r4 whole and
     * takes r3's upper half as the constant 0 */
    static const mbpf_insn prog[] = {ALU32_REG(MBPF_MOV, 3, 2), MOV64R(4, 2), ALU64_IMM(MBPF_SUB, 4, 1),
                                     JMP_REG(MBPF_JLT, 4, 3, 1), MOV64(0, 0), MOV64(0, 1), EXIT()};
    mid_fixture a;
    mid_fixture_analyse(&a, prog, 7);
    uint32_t use, def;
    use_def(&a, 3, &use, &def);
    cr_expect(use & MID_BOTH(4));
    cr_expect(use & MID_LO(3));
    cr_expect_not(use & MID_HI(3));
    cr_expect_not(a.m.live_out[0] & MID_HI(3), "nobody demands r3's upper half");
    mid_fixture_release(&a);
}

Test(mid, a_copy_learns_the_bound_its_original_is_compared_with)
{
    /* r3 = r2; if r2 < 359 goto keep; r3 = 359; keep: r0 = r3 -- on both paths r3 < 2^31 */
    static const mbpf_insn prog[] = {MOV64R(3, 2), JMP_IMM(MBPF_JLT, 2, 359, 1), MOV64(3, 359),
                                     MOV64R(0, 3), EXIT()};
    mid_fixture a;
    mid_fixture_analyse(&a, prog, 5);
    cr_expect((a.m.hz_in[3] >> 3) & 1u, "upper half of r3 known zero");
    cr_expect((a.m.hz_in[3] >> (16 + 3)) & 1u, "r3 known below 2^31");
    mid_fixture_release(&a);
}
