/* Load groups (jit/thumb2/t2_groups.h): which guarded loads one check at the first covers, and
 * what ends a group before its last possible member. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "bpf_asm.h"
#include "verified_fixture.h"
#include "jit/thumb2/t2_groups.h"

static t2_group group_at(const mbpf_insn *insns, uint32_t n, uint32_t pc)
{
    mbpf_program p;
    mbpf_fact *facts = verified_facts(&p, insns, n);
    jit_ctx c = {0};
    c.prog = &p;
    c.facts = facts;
    uint8_t mem[256];
    cr_assert(n <= sizeof mem);
    c.mem = mem;
    jit_check_accesses(&c);
    t2_group g;
    t2_group_scan(&c, pc, &g);
    free(facts);
    return g;
}

/* a 32-bit little-endian read from the context, byte by byte, as clang writes it */
#define READ32(d, t, b, o)                                                                        \
    LDX(MBPF_B, d, b, (o) + 1), ALU32_IMM(MBPF_LSH, d, 8), LDX(MBPF_B, t, b, o),                  \
        ALU32_REG(MBPF_OR, d, t), LDX(MBPF_B, t, b, (o) + 2), ALU32_IMM(MBPF_LSH, t, 16),         \
        ALU32_REG(MBPF_OR, d, t), LDX(MBPF_B, t, b, (o) + 3), ALU32_IMM(MBPF_LSH, t, 24),         \
        ALU32_REG(MBPF_OR, d, t)

Test(t2_groups, a_byte_wise_read_is_one_group)
{
    static const mbpf_insn prog[] = {READ32(0, 3, 1, 4), EXIT()};
    t2_group g = group_at(prog, 11, 0);
    cr_expect_eq(g.last, 7);
    cr_expect_eq(g.base, 1);
    cr_expect_eq(g.region, MBPF_RGN_CTX);
    cr_expect_eq(g.min_off, 4);
    cr_expect_eq(g.span, 4);
}

Test(t2_groups, a_store_or_another_guarded_access_ends_the_group)
{
    static const mbpf_insn store[] = {LDX(MBPF_B, 0, 1, 0), ST(MBPF_B, 1, 8, 5), LDX(MBPF_B, 3, 1, 1),
                                      EXIT()};
    cr_expect_eq(group_at(store, 4, 0).last, 0);
    static const mbpf_insn other[] = {MOV64R(2, 1), ALU64_IMM(MBPF_ADD, 2, 2), LDX(MBPF_B, 0, 1, 0),
                                      LDX(MBPF_B, 4, 2, 0), LDX(MBPF_B, 3, 1, 1), EXIT()};
    cr_expect_eq(group_at(other, 6, 2).last, 0);
    /* a stack access is proven: it does not end the group */
    static const mbpf_insn stack[] = {ST(MBPF_DW, 10, -8, 0), LDX(MBPF_B, 0, 1, 0),
                                      LDX(MBPF_DW, 4, 10, -8), LDX(MBPF_B, 3, 1, 1), EXIT()};
    cr_expect_eq(group_at(stack, 5, 1).last, 3);
}

Test(t2_groups, a_join_or_a_written_base_ends_the_group)
{
    /* the jump lands on the second load */
    static const mbpf_insn join[] = {MOV64(3, 0), LDX(MBPF_B, 0, 1, 0), JMP_IMM(MBPF_JEQ, 0, 0, 0),
                                     LDX(MBPF_B, 3, 1, 1), EXIT()};
    cr_expect_eq(group_at(join, 5, 1).last, 0);
    /* a load into the base is the last member */
    static const mbpf_insn base[] = {LDX(MBPF_B, 0, 1, 0), LDX(MBPF_B, 1, 1, 1), EXIT()};
    t2_group g = group_at(base, 3, 0);
    cr_expect_eq(g.last, 1);
    cr_expect_eq(g.span, 2);
    /* the leader loading into its base leads nothing */
    static const mbpf_insn lead[] = {MOV64R(2, 1), LDX(MBPF_B, 1, 1, 0), LDX(MBPF_B, 0, 2, 1), EXIT()};
    cr_expect_eq(group_at(lead, 4, 1).last, 0);
}

Test(t2_groups, members_span_at_most_the_check_immediate)
{
    static const mbpf_insn far[] = {LDX(MBPF_B, 0, 1, 0), LDX(MBPF_W, 3, 1, 200), LDX(MBPF_B, 4, 1, 300),
                                    EXIT()};
    t2_group g = group_at(far, 4, 0);
    cr_expect_eq(g.last, 1);
    cr_expect_eq(g.span, 204);
    /* descending offsets: the lowest is the last load's */
    static const mbpf_insn down[] = {LDX(MBPF_H, 0, 1, 6), LDX(MBPF_H, 3, 1, 4), LDX(MBPF_H, 4, 1, 2),
                                     EXIT()};
    g = group_at(down, 4, 0);
    cr_expect_eq(g.last, 2);
    cr_expect_eq(g.min_off, 2);
    cr_expect_eq(g.span, 6);
}
