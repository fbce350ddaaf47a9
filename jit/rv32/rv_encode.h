/* RV32IM instruction encoders (RISC-V Unprivileged ISA, chapters 2 and 7): pure functions. */
#ifndef MCUBPF_RV_ENCODE_H
#define MCUBPF_RV_ENCODE_H

#include <stdint.h>

enum { RV_ZERO = 0, RV_RA = 1, RV_SP = 2, RV_T0 = 5, RV_T1 = 6, RV_T2 = 7, RV_S0 = 8, RV_S1 = 9,
       RV_A0 = 10, RV_A1, RV_A2, RV_A3, RV_A4, RV_A5, RV_A6, RV_A7, RV_S2 = 18, RV_S3, RV_S4, RV_S5,
       RV_S6, RV_S7, RV_S8, RV_S9, RV_S10, RV_S11, RV_T3 = 28, RV_T4, RV_T5, RV_T6 };

/* funct3 of OP / OP-IMM */
enum { RV_ADD = 0, RV_SLL = 1, RV_SLT = 2, RV_SLTU = 3, RV_XOR = 4, RV_SRL = 5, RV_OR = 6, RV_AND = 7 };
/* funct3 of the M extension (funct7 = 1) */
enum { RV_MUL = 0, RV_MULH = 1, RV_MULHSU = 2, RV_MULHU = 3, RV_DIV = 4, RV_DIVU = 5, RV_REM = 6, RV_REMU = 7 };
/* loads (funct3) and stores */
enum { RV_LB = 0, RV_LH = 1, RV_LW = 2, RV_LBU = 4, RV_LHU = 5 };
enum { RV_SB = 0, RV_SH = 1, RV_SW = 2 };
enum { RV_BEQ = 0, RV_BNE = 1, RV_BLT = 4, RV_BGE = 5, RV_BLTU = 6, RV_BGEU = 7 };

uint32_t rv_op(int f3, int rd, int rs1, int rs2);      /* add/sll/slt/sltu/xor/srl/or/and */
uint32_t rv_sub(int rd, int rs1, int rs2);
uint32_t rv_sra(int rd, int rs1, int rs2);
uint32_t rv_mop(int f3, int rd, int rs1, int rs2);     /* mul .. remu */
uint32_t rv_opi(int f3, int rd, int rs1, int32_t imm); /* addi/slti/sltiu/xori/ori/andi, imm12 */
uint32_t rv_slli(int rd, int rs1, int sh);
uint32_t rv_srli(int rd, int rs1, int sh);
uint32_t rv_srai(int rd, int rs1, int sh);
uint32_t rv_lui(int rd, uint32_t imm20);
uint32_t rv_load(int f3, int rd, int rs1, int32_t off);
uint32_t rv_store(int f3, int rs2, int rs1, int32_t off);
uint32_t rv_branch(int f3, int rs1, int rs2, int32_t off); /* off from this instruction, +-4 KiB */
uint32_t rv_jal(int rd, int32_t off);                      /* +-1 MiB */
uint32_t rv_jalr(int rd, int rs1, int32_t off);
uint32_t rv_fence_i(void);
int rv_fits12(int32_t v);
/* The 16-bit (C extension) form of a 32-bit instruction when an exact one exists (never for
 * branches or jal, whose size must not depend on offsets). Returns 1 and sets *out, or 0. */
int rv_compress(uint32_t insn, uint16_t *out);

#endif
