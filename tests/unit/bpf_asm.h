/* Tiny macros to write eBPF programs as C arrays in unit tests. */
#ifndef TESTS_BPF_ASM_H
#define TESTS_BPF_ASM_H

#include "mcubpf/isa.h"

#define INSN(c, d, s, o, i) ((mbpf_insn){(uint8_t)(c), MBPF_REGS(d, s), (int16_t)(o), (int32_t)(i)})
#define ALU64_IMM(op, d, i) INSN(MBPF_ALU64 | (op) | MBPF_K, d, 0, 0, i)
#define ALU64_REG(op, d, s) INSN(MBPF_ALU64 | (op) | MBPF_X, d, s, 0, 0)
#define ALU32_IMM(op, d, i) INSN(MBPF_ALU | (op) | MBPF_K, d, 0, 0, i)
#define ALU32_REG(op, d, s) INSN(MBPF_ALU | (op) | MBPF_X, d, s, 0, 0)
#define MOV64(d, i) ALU64_IMM(MBPF_MOV, d, i)
#define MOV64R(d, s) ALU64_REG(MBPF_MOV, d, s)
#define LDDW(d, v) INSN(MBPF_OPC_LDDW, d, 0, 0, (uint32_t)(v)), INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))
#define LDDW_REGION(d, rid, off) INSN(MBPF_OPC_LDDW, d, MBPF_LDDW_REGION, 0, rid), INSN(0, 0, 0, 0, off)
#define LDX(sz, d, s, o) INSN(MBPF_LDX | MBPF_MEM | (sz), d, s, o, 0)
#define LDXSX(sz, d, s, o) INSN(MBPF_LDX | MBPF_MEMSX | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(MBPF_STX | MBPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(MBPF_ST | MBPF_MEM | (sz), d, 0, o, i)
#define ATOMIC(sz, d, s, o, op) INSN(MBPF_STX | MBPF_ATOMIC | (sz), d, s, o, op)
#define JMP_IMM(op, d, i, o) INSN(MBPF_JMP | (op) | MBPF_K, d, 0, o, i)
#define JMP_REG(op, d, s, o) INSN(MBPF_JMP | (op) | MBPF_X, d, s, o, 0)
#define JMP32_IMM(op, d, i, o) INSN(MBPF_JMP32 | (op) | MBPF_K, d, 0, o, i)
#define JA(o) INSN(MBPF_JMP | MBPF_JA, 0, 0, o, 0)
#define CALL(id) INSN(MBPF_OPC_CALL, 0, 0, 0, id)
#define CALL_LOCAL(rel) INSN(MBPF_OPC_CALL, 0, MBPF_CALL_LOCAL, 0, rel)
#define EXIT() INSN(MBPF_OPC_EXIT, 0, 0, 0, 0)

#endif
