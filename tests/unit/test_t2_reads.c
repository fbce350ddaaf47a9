/* Fused reads (jit/thumb2/t2_reads.h): which windows of loads, shifts and ors are one load of
 * the bytes they assemble, and which are not. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "bpf_asm.h"
#include "mid_fixture.h"
#include "jit/thumb2/t2_reads.h"

static int read_at(const mbpf_insn *insns, uint32_t n, uint32_t pc, t2_read *r)
{
    mid_fixture a;
    mid_fixture_analyse(&a, insns, n);
    jit_ctx c = {0};
    c.prog = &a.p;
    c.facts = a.facts;
    uint8_t mem[256];
    cr_assert(n <= sizeof mem);
    c.mem = mem;
    jit_check_accesses(&c);
    int got = t2_match_read(&c, &a.m, pc, r);
    mid_fixture_release(&a);
    return got;
}

/* w0 = the 32-bit little-endian value at r1 + 4, as clang writes it (w3 a temporary) */
#define READ32                                                                                    \
    LDX(MBPF_B, 0, 1, 5), ALU32_IMM(MBPF_LSH, 0, 8), LDX(MBPF_B, 3, 1, 4),                        \
        ALU32_REG(MBPF_OR, 0, 3), LDX(MBPF_B, 3, 1, 6), ALU32_IMM(MBPF_LSH, 3, 16),               \
        ALU32_REG(MBPF_OR, 0, 3), LDX(MBPF_B, 3, 1, 7), ALU32_IMM(MBPF_LSH, 3, 24),               \
        ALU32_REG(MBPF_OR, 0, 3)

Test(t2_reads, a_byte_wise_word_read_is_one_load)
{
    static const mbpf_insn prog[] = {READ32, EXIT()};
    t2_read r;
    cr_assert(read_at(prog, 11, 0, &r));
    cr_expect_eq(r.last, 9);
    cr_expect_eq(r.dst, 0);
    cr_expect_eq(r.base, 1);
    cr_expect_eq(r.off, 4);
    cr_expect_eq(r.width, 4);
    cr_expect_eq(r.n_loads, 4);
    cr_expect_eq(r.load[3], 7);
    cr_expect_eq(r.emit, 7);
    cr_expect_eq(r.own, 0x3ffu);
    cr_expect_not(r.big);
}

Test(t2_reads, other_work_may_interleave)
{
    /* r3 = the halfword at r1 + 0, with r5 computed in between; the load goes where r3 starts */
    static const mbpf_insn prog[] = {LDX(MBPF_B, 2, 1, 0), MOV64(5, 7), LDX(MBPF_B, 3, 1, 1),
                                     ALU64_IMM(MBPF_ADD, 5, 1), ALU64_IMM(MBPF_LSH, 3, 8),
                                     ALU64_REG(MBPF_OR, 3, 2), MOV64R(0, 3), ALU64_REG(MBPF_ADD, 0, 5),
                                     EXIT()};
    t2_read r;
    cr_assert(read_at(prog, 9, 0, &r));
    cr_expect_eq(r.last, 5);
    cr_expect_eq(r.emit, 2);
    cr_expect_eq(r.own, 0x35u);
    cr_expect_eq(r.dst, 3);
    cr_expect_eq(r.width, 2);
    /* other work reading a byte of the read */
    static const mbpf_insn peek[] = {LDX(MBPF_B, 2, 1, 0), MOV64R(5, 2), LDX(MBPF_B, 3, 1, 1),
                                     ALU64_IMM(MBPF_LSH, 3, 8), ALU64_REG(MBPF_OR, 3, 2), MOV64R(0, 3),
                                     ALU64_REG(MBPF_ADD, 0, 5), EXIT()};
    cr_expect_not(read_at(peek, 8, 0, &r));
    /* other work moving the base */
    static const mbpf_insn move[] = {LDX(MBPF_B, 2, 1, 0), ALU64_IMM(MBPF_ADD, 1, 1), LDX(MBPF_B, 3, 1, 0),
                                     ALU64_IMM(MBPF_LSH, 3, 8), ALU64_REG(MBPF_OR, 3, 2), MOV64R(0, 3),
                                     EXIT()};
    cr_expect_not(read_at(move, 7, 0, &r));
}

Test(t2_reads, a_sixty_four_bit_read_of_two_words)
{
    static const mbpf_insn prog[] = {LDX(MBPF_W, 0, 1, 0), LDX(MBPF_W, 2, 1, 4),
                                     ALU64_IMM(MBPF_LSH, 2, 32), ALU64_REG(MBPF_OR, 0, 2), EXIT()};
    t2_read r;
    cr_assert(read_at(prog, 5, 0, &r));
    cr_expect_eq(r.last, 3);
    cr_expect_eq(r.width, 8);
}

Test(t2_reads, a_big_endian_halfword)
{
    /* w4 = buf[0] << 8 | buf[1] */
    static const mbpf_insn prog[] = {LDX(MBPF_B, 4, 1, 0), ALU32_IMM(MBPF_LSH, 4, 8), LDX(MBPF_B, 0, 1, 1),
                                     ALU32_REG(MBPF_OR, 4, 0), MOV64R(0, 4), EXIT()};
    t2_read r;
    cr_assert(read_at(prog, 6, 0, &r));
    cr_expect_eq(r.last, 3);
    cr_expect_eq(r.off, 0);
    cr_expect_eq(r.width, 2);
    cr_expect(r.big);
    /* bytes in neither order */
    static const mbpf_insn mixed[] = {LDX(MBPF_B, 4, 1, 0), ALU32_IMM(MBPF_LSH, 4, 8), LDX(MBPF_B, 0, 1, 1),
                                      ALU32_REG(MBPF_OR, 4, 0), ALU32_IMM(MBPF_LSH, 4, 8), LDX(MBPF_B, 0, 1, 2),
                                      ALU32_REG(MBPF_OR, 4, 0), ALU32_IMM(MBPF_LSH, 4, 8), LDX(MBPF_B, 0, 1, 4),
                                      ALU32_REG(MBPF_OR, 4, 0), LDX(MBPF_B, 2, 1, 3), MOV64R(0, 4),
                                      ALU64_REG(MBPF_ADD, 0, 2), EXIT()};
    cr_expect(read_at(mixed, 14, 0, &r));
    cr_expect_eq(r.width, 2); /* only the first two bytes */
}

Test(t2_reads, near_misses_are_not_reads)
{
    t2_read r;
    /* the temporary is read afterwards: only the first two bytes, before it is reloaded */
    static const mbpf_insn live[] = {READ32, ALU64_REG(MBPF_ADD, 0, 3), EXIT()};
    cr_assert(read_at(live, 12, 0, &r));
    cr_expect_eq(r.last, 3);
    cr_expect_eq(r.width, 2);
    /* a byte loaded and then overwritten: its access would not be checked */
    static const mbpf_insn lost[] = {LDX(MBPF_B, 0, 1, 0), LDX(MBPF_B, 3, 1, 9), LDX(MBPF_B, 3, 1, 1),
                                     ALU64_IMM(MBPF_LSH, 3, 8), ALU64_REG(MBPF_OR, 0, 3), EXIT()};
    cr_expect_not(read_at(lost, 6, 0, &r));
    /* lanes that do not meet (a shift by 16 leaves a hole) */
    static const mbpf_insn hole[] = {LDX(MBPF_B, 0, 1, 0), LDX(MBPF_B, 3, 1, 1), ALU64_IMM(MBPF_LSH, 3, 16),
                                     ALU64_REG(MBPF_OR, 0, 3), EXIT()};
    cr_expect_not(read_at(hole, 5, 0, &r));
    /* a 32-bit shift that pushes a byte out of the word */
    static const mbpf_insn out[] = {LDX(MBPF_W, 0, 1, 0), LDX(MBPF_W, 3, 1, 4), ALU32_IMM(MBPF_LSH, 3, 8),
                                    ALU64_REG(MBPF_OR, 0, 3), EXIT()};
    cr_expect_not(read_at(out, 5, 0, &r));
    /* another operation inside the window */
    static const mbpf_insn other[] = {LDX(MBPF_B, 0, 1, 0), LDX(MBPF_B, 3, 1, 1), ALU64_IMM(MBPF_ADD, 3, 1),
                                      ALU64_IMM(MBPF_LSH, 3, 8), ALU64_REG(MBPF_OR, 0, 3), EXIT()};
    cr_expect_not(read_at(other, 6, 0, &r));
}
