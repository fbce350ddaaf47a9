/* Loop programs the middle end's loop analysis tests and the RV32 loop code tests both use
 * (pcs of heads and latches in the comments). */
#ifndef MCUBPF_TESTS_UNIT_LOOP_PROGRAMS_H
#define MCUBPF_TESTS_UNIT_LOOP_PROGRAMS_H

#include "bpf_asm.h"

/* for (i = 0; i < len; i++) sum += ctx[i + 1] (the last iteration reads past the end) */
static const mbpf_insn byte_sum[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JEQ, 2, 0, 7),
    MOV64(3, 0),
    MOV64R(5, 1),                  /* 3: head */
    ALU64_REG(MBPF_ADD, 5, 3),
    LDX(MBPF_B, 4, 5, 1),
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -6),   /* 8: latch */
    EXIT(),
};

/* An early exit: guards hoisted, but the budget is charged edge by edge (the loop may stop
 * before its count). */
static const mbpf_insn early_exit[] = {
    MOV64(0, 0),
    JMP_IMM(MBPF_JEQ, 2, 0, 8),
    MOV64(3, 0),
    MOV64R(5, 1),                  /* 3: head */
    ALU64_REG(MBPF_ADD, 5, 3),
    LDX(MBPF_B, 4, 5, 1),
    JMP_IMM(MBPF_JEQ, 4, 0, 3),    /* exit on a zero byte */
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_REG(MBPF_JLT, 3, 2, -7),   /* 9: latch */
    EXIT(),
};

/* Words through a pointer, with the pointer and a falling 64-bit value of unknown upper half read
 * after the loop: both are updated in 32 bits in the fast copy, their upper halves left as they
 * are. */
static const mbpf_insn words_and_value[] = {
    MOV64(0, 0),
    ALU32_IMM(MBPF_MOV, 3, 16),
    MOV64R(4, 1),
    LDX(MBPF_DW, 6, 1, 0),
    LDX(MBPF_W, 5, 4, 0),          /* 4: head */
    ALU64_REG(MBPF_ADD, 0, 5),
    ALU64_IMM(MBPF_ADD, 4, 4),
    ALU64_IMM(MBPF_SUB, 6, 1),
    ALU32_IMM(MBPF_ADD, 3, -1),
    JMP_IMM(MBPF_JNE, 3, 0, -6),   /* 9: latch */
    ALU64_REG(MBPF_ADD, 0, 4),
    ALU64_REG(MBPF_ADD, 0, 6),
    EXIT(),
};

/* A bubble-sort pass over the context's words as clang lays it out: entered at 11, the counter's
 * test at the top (9, leaving through the ja at 10), a compare in the body that jumps back early
 * (13), the swap, and the last back edge a ja (16). */
static const mbpf_insn rotated_pass[] = {
    MOV64(0, 0),
    ALU64_IMM(MBPF_RSH, 2, 2),
    JMP_IMM(MBPF_JLT, 2, 2, 14),
    MOV64(7, 1),
    MOV64R(8, 1),
    ALU64_IMM(MBPF_ADD, 8, 4),
    JA(4),                         /* 6: into the loop at its entry */
    ALU64_IMM(MBPF_ADD, 8, 4),     /* 7: head */
    ALU64_IMM(MBPF_ADD, 7, 1),
    JMP_REG(MBPF_JLT, 7, 2, 1),    /* 9: the counter's test */
    JA(6),                         /* 10: out */
    LDX(MBPF_W, 9, 8, 0),          /* 11: entry */
    LDX(MBPF_W, 3, 8, -4),
    JMP_REG(MBPF_JLE, 3, 9, -7),   /* 13: back edge */
    STX(MBPF_W, 8, 3, 0),
    STX(MBPF_W, 8, 9, -4),
    JA(-10),                       /* 16: latch */
    EXIT(),
};

#endif
