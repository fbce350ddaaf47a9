/* Interpreter semantics: every instruction class, edge cases, faults, hostile bytecode. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "mcubpf/interp.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"
#include "tests/exec_setup.h"
#include "tests/unit/bpf_asm.h"

static uint8_t stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH] __attribute__((aligned(8)));
static uint8_t ctxmem[64];
static uint8_t rodata[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static uint8_t data[16];
static mbpf_exec x;
static mbpf_program prog;
static uint8_t decoded[4096] __attribute__((aligned(8)));

/* Every run starts from the same memory. */
static void setup(const mbpf_insn *insns, uint32_t n, uint64_t budget, const mbpf_fact *facts)
{
    memset(stack, 0, sizeof stack);
    memset(ctxmem, 0, sizeof ctxmem);
    memset(data, 0, sizeof data);
    prog = (mbpf_program){insns, n, rodata, sizeof rodata, data, sizeof data};
    test_exec_init(&x, &prog, ctxmem, sizeof ctxmem, stack, sizeof stack, budget, facts);
}

/* Run step by step with `facts`, or (decode) pre-decoded with them. */
static mbpf_status run_with(const mbpf_insn *insns, uint32_t n, uint64_t budget, const mbpf_fact *facts,
                            int decode)
{
    setup(insns, n, budget, facts);
    if (!decode)
        return mbpf_interp_run(&x);
    cr_assert_eq(mbpf_interp_prepare(&prog, facts, decoded, sizeof decoded), 0, "not pre-decoded");
    return mbpf_interp_exec(&x, decoded);
}

/* Step by step without facts; when the verifier accepts the program, its pre-decoded form must
 * end exactly the same way (status, r0, fault, memory). */
static mbpf_status run_prog(const mbpf_insn *insns, uint32_t n, uint64_t budget)
{
    static mbpf_fact facts[64];
    static uint8_t arena[1 << 16];
    mbpf_verify_opts o = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    mbpf_program p = {insns, n, rodata, sizeof rodata, data, sizeof data};
    int verified = n <= 64 && mbpf_verify(&p, &o, facts, arena, sizeof arena, &vr) == 0;
    if (verified) {
        run_with(insns, n, budget, facts, 1);
        mbpf_exec y = x;
        uint8_t ystack[sizeof stack], yctx[sizeof ctxmem];
        memcpy(ystack, stack, sizeof stack);
        memcpy(yctx, ctxmem, sizeof ctxmem);
        run_with(insns, n, budget, NULL, 0);
        cr_assert_eq(y.status, x.status, "pre-decoded: %s, step by step: %s", mbpf_status_name(y.status),
                     mbpf_status_name(x.status));
        cr_assert_eq(y.r0, x.r0);
        cr_assert(memcmp(&y.fault, &x.fault, sizeof x.fault) == 0, "faults differ");
        cr_assert(memcmp(ystack, stack, sizeof stack) == 0 && memcmp(yctx, ctxmem, sizeof ctxmem) == 0);
        return x.status;
    }
    return run_with(insns, n, budget, NULL, 0);
}

#define RUN(...)                                                                                  \
    do {                                                                                          \
        static const mbpf_insn prog_[] = {__VA_ARGS__};                                           \
        run_prog(prog_, sizeof prog_ / sizeof prog_[0], 1000);                                    \
    } while (0)

#define EXPECT_R0(v, ...)                                                                         \
    do {                                                                                          \
        RUN(__VA_ARGS__);                                                                         \
        cr_assert_eq(x.status, MBPF_OK, "status %s", mbpf_status_name(x.status));                \
        cr_assert_eq(x.r0, (uint64_t)(v), "r0 = 0x%llx, expected 0x%llx",                        \
                     (unsigned long long)x.r0, (unsigned long long)(v));                          \
    } while (0)

#define EXPECT_FAULT(st, at, ...)                                                                 \
    do {                                                                                          \
        RUN(__VA_ARGS__);                                                                         \
        cr_assert_eq(x.status, st, "status %s", mbpf_status_name(x.status));                     \
        cr_assert_eq(x.fault.pc, (uint32_t)(at), "fault pc %u", x.fault.pc);                      \
    } while (0)

Test(interp_alu, add_sub_mul_64_and_32)
{
    EXPECT_R0(0x100000002ull, LDDW(0, 0xffffffffull), ALU64_IMM(MBPF_ADD, 0, 3), EXIT());
    EXPECT_R0(2, LDDW(0, 0xffffffffull), ALU32_IMM(MBPF_ADD, 0, 3), EXIT());
    EXPECT_R0((uint64_t)-5, MOV64(0, 5), ALU64_IMM(MBPF_NEG, 0, 0), EXIT());
    EXPECT_R0(0xfffffffbull, MOV64(0, 5), ALU32_IMM(MBPF_NEG, 0, 0), EXIT());
    EXPECT_R0(42, MOV64(0, 6), MOV64(1, 7), ALU64_REG(MBPF_MUL, 0, 1), EXIT());
    EXPECT_R0(0xfffffffeull, MOV64(0, 1), ALU32_IMM(MBPF_SUB, 0, 3), EXIT());
}

Test(interp_alu, division_and_modulo_by_zero)
{
    EXPECT_R0(0, MOV64(0, 7), MOV64(1, 0), ALU64_REG(MBPF_DIV, 0, 1), EXIT());
    EXPECT_R0(7, MOV64(0, 7), MOV64(1, 0), ALU64_REG(MBPF_MOD, 0, 1), EXIT());
    EXPECT_R0(0xffffffffull, MOV64(0, -1), MOV64(1, 0), ALU32_REG(MBPF_MOD, 0, 1), EXIT());
    EXPECT_R0(0, MOV64(0, -1), MOV64(1, 0), ALU32_REG(MBPF_DIV, 0, 1), EXIT());
}

Test(interp_alu, signed_division_overflow_and_signs)
{
    /* INT64_MIN / -1 wraps to INT64_MIN, INT64_MIN % -1 is 0: no trap */
    EXPECT_R0(0x8000000000000000ull, LDDW(0, 0x8000000000000000ull), MOV64(1, -1),
              INSN(MBPF_ALU64 | MBPF_DIV | MBPF_X, 0, 1, 1, 0), EXIT());
    EXPECT_R0(0, LDDW(0, 0x8000000000000000ull), MOV64(1, -1),
              INSN(MBPF_ALU64 | MBPF_MOD | MBPF_X, 0, 1, 1, 0), EXIT());
    EXPECT_R0((uint64_t)-3, MOV64(0, -7), INSN(MBPF_ALU64 | MBPF_DIV | MBPF_K, 0, 0, 1, 2), EXIT());
    EXPECT_R0((uint64_t)-1, MOV64(0, -7), INSN(MBPF_ALU64 | MBPF_MOD | MBPF_K, 0, 0, 1, 2), EXIT());
    EXPECT_R0(0x80000000ull, MOV64(0, 0x80000000), MOV64(1, -1),
              INSN(MBPF_ALU | MBPF_DIV | MBPF_X, 0, 1, 1, 0), EXIT());
}

Test(interp_alu, shifts_mask_their_amount)
{
    EXPECT_R0(2, MOV64(0, 1), ALU64_IMM(MBPF_LSH, 0, 65), EXIT());
    EXPECT_R0(2, MOV64(0, 1), ALU32_IMM(MBPF_LSH, 0, 33), EXIT());
    EXPECT_R0(0xffffffffull, MOV64(0, -1), ALU32_IMM(MBPF_ARSH, 0, 4), EXIT());
    EXPECT_R0(0xf8000000ull, MOV64(0, 0x80000000), ALU32_IMM(MBPF_ARSH, 0, 4), EXIT());
    EXPECT_R0((uint64_t)-1, MOV64(0, -16), ALU64_IMM(MBPF_ARSH, 0, 8), EXIT());
    EXPECT_R0(0x0fffffffffffffffull, MOV64(0, -1), ALU64_IMM(MBPF_RSH, 0, 4), EXIT());
}

Test(interp_alu, movsx_and_byte_swaps)
{
    EXPECT_R0((uint64_t)-128, MOV64(1, 0x80), INSN(MBPF_ALU64 | MBPF_MOV | MBPF_X, 0, 1, 8, 0), EXIT());
    EXPECT_R0(0xffff8000ull, MOV64(1, 0x8000), INSN(MBPF_ALU | MBPF_MOV | MBPF_X, 0, 1, 16, 0), EXIT());
    EXPECT_R0(0x3412, MOV64(0, 0xab1234), INSN(MBPF_ALU | MBPF_END | MBPF_TO_BE, 0, 0, 0, 16), EXIT());
    EXPECT_R0(0x1234, MOV64(0, 0x121234), INSN(MBPF_ALU | MBPF_END | MBPF_TO_LE, 0, 0, 0, 16), EXIT());
    EXPECT_R0(0x0807060504030201ull, LDDW(0, 0x0102030405060708ull),
              INSN(MBPF_ALU64 | MBPF_END, 0, 0, 0, 64), EXIT());
}

Test(interp_jmp, conditions_signed_unsigned_32_64)
{
    EXPECT_R0(1, MOV64(1, -1), MOV64(0, 0), JMP_IMM(MBPF_JGT, 1, 5, 1), EXIT(), MOV64(0, 1), EXIT());
    EXPECT_R0(0, MOV64(1, -1), MOV64(0, 0), JMP_IMM(MBPF_JSGT, 1, 5, 1), EXIT(), MOV64(0, 1), EXIT());
    EXPECT_R0(1, LDDW(1, 0x100000000ull), MOV64(0, 0), JMP32_IMM(MBPF_JEQ, 1, 0, 1), EXIT(),
              MOV64(0, 1), EXIT());
    EXPECT_R0(1, MOV64(1, 6), MOV64(0, 0), JMP_IMM(MBPF_JSET, 1, 2, 1), EXIT(), MOV64(0, 1), EXIT());
    EXPECT_R0(1, MOV64(1, -2), MOV64(0, 0), JMP32_IMM(MBPF_JSLT, 1, -1, 1), EXIT(), MOV64(0, 1), EXIT());
    EXPECT_R0(1, MOV64(1, 3), MOV64(0, 0), JMP_IMM(MBPF_JLE, 1, 3, 1), EXIT(), MOV64(0, 1), EXIT());
    EXPECT_R0(7, MOV64(0, 7), INSN(MBPF_JMP32 | MBPF_JA, 0, 0, 0, 1), MOV64(0, 1), EXIT());
}

Test(interp_mem, loads_stores_all_sizes_and_sign_extension)
{
    EXPECT_R0(0xffffffffffffff80ull, ST(MBPF_B, 10, -8, 0x80), LDXSX(MBPF_B, 0, 10, -8), EXIT());
    EXPECT_R0(0x80, ST(MBPF_B, 10, -8, 0x80), LDX(MBPF_B, 0, 10, -8), EXIT());
    EXPECT_R0(0x1122334455667788ull, LDDW(1, 0x1122334455667788ull), STX(MBPF_DW, 10, 1, -16),
              LDX(MBPF_DW, 0, 10, -16), EXIT());
    EXPECT_R0(0x5566, LDDW(1, 0x1122334455667788ull), STX(MBPF_DW, 10, 1, -16),
              LDX(MBPF_H, 0, 10, -14), EXIT());
    EXPECT_R0(0x04030201, LDDW_REGION(1, MBPF_REGION_ID_RODATA, 0), LDX(MBPF_W, 0, 1, 0), EXIT());
    EXPECT_R0(9, LDDW_REGION(1, MBPF_REGION_ID_DATA, 4), ST(MBPF_W, 1, 0, 9), LDX(MBPF_W, 0, 1, 0), EXIT());
}

Test(interp_mem, atomics)
{
    EXPECT_R0(15, ST(MBPF_DW, 10, -8, 10), MOV64(1, 5), ATOMIC(MBPF_DW, 10, 1, -8, MBPF_ADD),
              LDX(MBPF_DW, 0, 10, -8), EXIT());
    EXPECT_R0(10, ST(MBPF_DW, 10, -8, 10), MOV64(0, 5), ATOMIC(MBPF_DW, 10, 0, -8, MBPF_ADD | MBPF_FETCH),
              EXIT());
    /* cmpxchg success: r0 == mem, mem := src, r0 := old */
    EXPECT_R0(99, ST(MBPF_W, 10, -8, 3), MOV64(0, 3), MOV64(1, 99), ATOMIC(MBPF_W, 10, 1, -8, MBPF_CMPXCHG),
              LDX(MBPF_W, 0, 10, -8), EXIT());
    /* cmpxchg failure leaves memory */
    EXPECT_R0(3, ST(MBPF_W, 10, -8, 3), MOV64(0, 4), MOV64(1, 99), ATOMIC(MBPF_W, 10, 1, -8, MBPF_CMPXCHG),
              LDX(MBPF_W, 0, 10, -8), EXIT());
    EXPECT_R0(7, ST(MBPF_DW, 10, -8, 7), MOV64(0, 1), ATOMIC(MBPF_DW, 10, 0, -8, MBPF_XCHG), EXIT());
}

Test(interp_calls, helpers_and_stop)
{
    EXPECT_R0(12, MOV64(1, 144), CALL(3), EXIT());
    EXPECT_R0(0, MOV64(1, 0), CALL(5), MOV64(0, 9), EXIT()); /* unwind(0) stops the run */
    EXPECT_R0(9, MOV64(1, 1), CALL(5), MOV64(0, 9), EXIT());
    EXPECT_FAULT(MBPF_FAULT_HELPER, 1, MOV64(1, 1), CALL(77), EXIT());
    cr_assert_eq(x.fault.addr, 77);
    /* memfrob on an address outside every region is refused */
    EXPECT_FAULT(MBPF_FAULT_HELPER_ARG, 2, MOV64(1, 16), MOV64(2, 4), CALL(1), EXIT());
}

Test(interp_calls, local_calls_preserve_r6_r9_and_have_own_frames)
{
    EXPECT_R0(0x2a,
              MOV64(6, 40), ST(MBPF_DW, 10, -8, 2), CALL_LOCAL(3), LDX(MBPF_DW, 1, 10, -8),
              ALU64_REG(MBPF_ADD, 6, 1), MOV64R(0, 6), EXIT(),
              /* callee: clobbers r6 and its own frame slot */
              MOV64(6, 1000), ST(MBPF_DW, 10, -8, 1000), EXIT());
}

Test(interp_faults, call_depth_and_budget)
{
    EXPECT_FAULT(MBPF_FAULT_CALL_DEPTH, 0, CALL_LOCAL(-1), EXIT());
    EXPECT_FAULT(MBPF_FAULT_BUDGET, 1, MOV64(0, 0), JA(-1), EXIT());
}

Test(interp_faults, memory_faults_name_pc_address_and_size)
{
    EXPECT_FAULT(MBPF_FAULT_MEM_WRITE, 0, ST(MBPF_B, 10, 0, 1), EXIT()); /* just above the frame */
    EXPECT_FAULT(MBPF_FAULT_MEM_READ, 0, LDX(MBPF_W, 0, 1, 61), EXIT()); /* ctx end off by one */
    cr_assert_eq(x.fault.size, 4);
    cr_assert_eq(x.fault.addr, (uint64_t)(uintptr_t)ctxmem + 61);
    EXPECT_R0(0, LDX(MBPF_W, 0, 1, 60), ALU64_IMM(MBPF_AND, 0, 0), EXIT()); /* last word is fine */
    EXPECT_FAULT(MBPF_FAULT_MEM_WRITE, 2, LDDW_REGION(1, MBPF_REGION_ID_RODATA, 0), ST(MBPF_B, 1, 0, 1), EXIT());
    EXPECT_FAULT(MBPF_FAULT_MEM_READ, 1, MOV64(1, -8), LDX(MBPF_DW, 0, 1, 4), EXIT()); /* wraps */
    EXPECT_FAULT(MBPF_FAULT_MEM_READ, 2, LDDW(1, 0xffffffffffffffffull), LDX(MBPF_B, 0, 1, 0), EXIT());
}

Test(interp_hostile, bad_bytecode_faults_cleanly)
{
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 0, INSN(0xff, 0, 0, 0, 0), EXIT());
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 0, JA(5), EXIT());
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 1, MOV64(0, 1), INSN(MBPF_OPC_LDDW, 0, 0, 0, 0)); /* lddw in last slot */
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 1, MOV64(0, 1)); /* falls off the end */
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 0, INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 10, 0, 0, 0), EXIT());
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 0, INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 11, 0, 0, 0), EXIT());
    /* jump into the second slot of an lddw lands on an invalid opcode (0x00) */
    EXPECT_FAULT(MBPF_FAULT_BAD_INSN, 2, JA(1), LDDW(0, 5), EXIT());
}

/* ---- pre-decoded form ---- */

Test(interp_predecode, size_and_refusals)
{
    static const mbpf_insn ok[] = {MOV64(0, 1), JA(-2), EXIT()};
    static const mbpf_insn bad[] = {INSN(0xff, 0, 0, 0, 0), EXIT()};
    static const mbpf_insn badjump[] = {JMP_IMM(MBPF_JEQ, 0, 0, 7), EXIT()};
    static const mbpf_fact facts[3];
    mbpf_program p = {ok, 3, NULL, 0, NULL, 0};
    /* header (20 bytes) and end guard, 12 bytes per instruction and per back edge charged */
    cr_assert_eq(mbpf_interp_size(&p, facts), 32u + 3 * 12u + 12u);
    cr_assert_eq(mbpf_interp_prepare(&p, facts, decoded, 20), -2);
    cr_assert_eq(mbpf_interp_prepare(&p, facts, decoded + 1, sizeof decoded - 1), -2);
    cr_assert_eq(mbpf_interp_prepare(&p, NULL, decoded, sizeof decoded), -1);
    p.insns = bad;
    p.n_insns = 2;
    cr_assert_eq(mbpf_interp_size(&p, facts), 0);
    cr_assert_eq(mbpf_interp_prepare(&p, facts, decoded, sizeof decoded), -1);
    p.insns = badjump;
    cr_assert_eq(mbpf_interp_prepare(&p, facts, decoded, sizeof decoded), -1);
    /* a form prepared for another program is refused, not run */
    p.insns = ok;
    p.n_insns = 3;
    cr_assert_eq(mbpf_interp_prepare(&p, facts, decoded, sizeof decoded), 0);
    setup(badjump, 2, 0, NULL);
    cr_assert_eq(mbpf_interp_exec(&x, decoded), MBPF_FAULT_BAD_INSN);
}

/* ---- budget rules (vm.h) ---- */

Test(interp_budget, helper_calls_cost_one_unit_at_the_call)
{
    static const mbpf_insn p[] = {CALL(2), CALL(2), CALL(2), EXIT()};
    cr_assert_eq(run_prog(p, 4, 3), MBPF_OK);
    cr_assert_eq(run_prog(p, 4, 2), MBPF_FAULT_BUDGET);
    cr_assert_eq(x.fault.pc, 2);
}

static uint64_t seen_left[4];
static uint32_t n_seen;
static uint64_t charging_helper(mbpf_exec *e, const uint64_t a[5])
{
    seen_left[n_seen++ & 3] = e->budget_left;
    return mbpf_exec_charge(e, a[0]) ? 1 : 0;
}
static const mbpf_helper_fn charging_helpers[1] = {charging_helper};

Test(interp_budget, budget_left_is_current_while_a_helper_runs)
{
    static const mbpf_insn p[] = {MOV64(1, 3), CALL(0), MOV64(1, 3), CALL(0), EXIT()};
    static const mbpf_fact facts[5];
    for (int decode = 0; decode < 2; decode++) {
        n_seen = 0;
        setup(p, 5, 10, facts);
        x.helpers = charging_helpers;
        x.n_helpers = 1;
        mbpf_status st;
        if (decode) {
            cr_assert_eq(mbpf_interp_prepare(&prog, facts, decoded, sizeof decoded), 0);
            st = mbpf_interp_exec(&x, decoded);
        } else {
            st = mbpf_interp_run(&x);
        }
        cr_assert_eq(st, MBPF_OK);
        cr_assert_eq(seen_left[0], 9);  /* 10 - the call */
        cr_assert_eq(seen_left[1], 5);  /* - 3 charged by the helper - the second call */
        cr_assert_eq(x.budget_left, 2);
        /* a helper charge beyond what is left stops the run at the call */
        setup(p, 5, 6, facts);
        x.helpers = charging_helpers;
        x.n_helpers = 1;
        st = decode ? mbpf_interp_exec(&x, decoded) : mbpf_interp_run(&x);
        cr_assert_eq(st, MBPF_FAULT_BUDGET);
        cr_assert_eq(x.fault.pc, 3);
    }
}

/* r6 counts two entries into an inner loop of 4 trips (head at 2, bounded back edge at 3); the
 * outer back edge at 5 is not bounded. */
static const mbpf_insn nested[] = {
    MOV64(6, 0), MOV64(0, 0), ALU64_IMM(MBPF_ADD, 0, 1), JMP_IMM(MBPF_JLT, 0, 4, -2),
    ALU64_IMM(MBPF_ADD, 6, 1), JMP_IMM(MBPF_JLT, 6, 2, -5), EXIT(),
};
static mbpf_fact nested_facts[7];
static void nested_setup(uint8_t trips_minus_1)
{
    memset(nested_facts, 0, sizeof nested_facts);
    nested_facts[2].flags = MBPF_FACT_LOOP_HEAD;
    nested_facts[2].aux = trips_minus_1;
    nested_facts[3].flags = MBPF_FACT_BACKEDGE | MBPF_FACT_BOUNDED;
    nested_facts[5].flags = MBPF_FACT_BACKEDGE;
}

Test(interp_budget, loop_head_charges_its_trip_bound_on_every_entry)
{
    nested_setup(3);
    for (int decode = 0; decode < 2; decode++) {
        /* 4 + 1 (outer back edge) + 4 */
        cr_assert_eq(run_with(nested, 7, 10, nested_facts, decode), MBPF_OK);
        cr_assert_eq(x.r0, 4);
        cr_assert_eq(x.budget_left, 1);
        cr_assert_eq(run_with(nested, 7, 9, nested_facts, decode), MBPF_OK);
        cr_assert_eq(run_with(nested, 7, 8, nested_facts, decode), MBPF_FAULT_BUDGET);
        cr_assert_eq(x.fault.pc, 2, "charged at the loop's first instruction");
        cr_assert_eq(run_with(nested, 7, 3, nested_facts, decode), MBPF_FAULT_BUDGET);
        cr_assert_eq(x.fault.pc, 2);
        /* without facts: 3 + 1 + 3 inner back edges */
        cr_assert_eq(run_with(nested, 7, 7, NULL, 0), MBPF_OK);
        cr_assert_eq(run_with(nested, 7, 6, NULL, 0), MBPF_FAULT_BUDGET);
        cr_assert_eq(x.fault.pc, 3);
    }
}

/* ---- fact checks (MBPF_INTERP_CHECK_FACTS, as in this build) ---- */

static void run_lying(const mbpf_insn *p, uint32_t n, const mbpf_fact *facts, int decode)
{
    run_with(p, n, 1000, facts, decode);
}

/* A proven access outside every region must trap before the ordinary guard could fault. */
Test(interp_facts, wrong_proof_traps_before_the_guard, .signal = SIGABRT)
{
    static const mbpf_insn p[] = {LDX(MBPF_DW, 0, 10, 8), EXIT()};
    static mbpf_fact f[2];
    f[0].mem = MBPF_MEM_PROVEN;
    f[0].region = MBPF_RGN_STACK;
    run_lying(p, 2, f, 0);
}

Test(interp_facts, wrong_proof_traps_pre_decoded, .signal = SIGABRT)
{
    static const mbpf_insn p[] = {MOV64(1, 0), ST(MBPF_W, 1, 0, 7), EXIT()};
    static mbpf_fact f[3];
    f[1].mem = MBPF_MEM_PROVEN;
    f[1].region = MBPF_RGN_CTX;
    run_lying(p, 3, f, 1);
}

Test(interp_facts, wrong_hi_zero_traps, .signal = SIGABRT)
{
    static const mbpf_insn p[] = {LDDW(0, 1ull << 40), ALU64_IMM(MBPF_ADD, 0, 1), EXIT()};
    static mbpf_fact f[4];
    f[2].flags = MBPF_FACT_HI_ZERO;
    run_lying(p, 4, f, 1);
}

Test(interp_facts, wrong_alignment_traps, .signal = SIGABRT)
{
    static const mbpf_insn p[] = {LDX(MBPF_W, 0, 10, -6), EXIT()};
    static mbpf_fact f[2];
    f[0].mem = MBPF_MEM_PROVEN;
    f[0].region = MBPF_RGN_STACK;
    f[0].flags = MBPF_FACT_ALIGNED;
    run_lying(p, 2, f, 1);
}

Test(interp_facts, loop_past_its_trip_bound_traps, .signal = SIGABRT)
{
    nested_setup(1); /* the inner loop runs 4 trips, its head claims 2 */
    run_lying(nested, 7, nested_facts, 1);
}

Test(interp_facts, true_facts_pass)
{
    static const mbpf_insn p[] = {LDX(MBPF_W, 0, 10, -8), EXIT()};
    static mbpf_fact f[2];
    f[0].mem = MBPF_MEM_PROVEN;
    f[0].region = MBPF_RGN_STACK;
    f[0].flags = MBPF_FACT_ALIGNED;
    for (int decode = 0; decode < 2; decode++) {
        cr_assert_eq(run_with(p, 2, 0, f, decode), MBPF_OK);
        nested_setup(3);
        cr_assert_eq(run_with(nested, 7, 0, nested_facts, decode), MBPF_OK);
        cr_assert_eq(x.r0, 4);
    }
}
