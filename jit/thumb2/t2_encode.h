/* Thumb-2 (ARMv7-M) instruction encoders: pure functions, no state. 32-bit encodings are returned
 * as (second halfword << 16) | first halfword, ready for jit_emit32. Register numbers 0-15. */
#ifndef MCUBPF_T2_ENCODE_H
#define MCUBPF_T2_ENCODE_H

#include <stdint.h>

enum { T2_R0, T2_R1, T2_R2, T2_R3, T2_R4, T2_R5, T2_R6, T2_R7, T2_R8, T2_R9, T2_R10, T2_R11,
       T2_R12, T2_SP, T2_LR, T2_PC };

/* Data-processing opcodes (shared by the register and immediate forms). */
enum { T2_AND = 0, T2_BIC = 1, T2_ORR = 2, T2_ORN = 3, T2_EOR = 4, T2_ADD = 8, T2_ADC = 10,
       T2_SBC = 11, T2_SUB = 13, T2_RSB = 14 };
enum { T2_LSL = 0, T2_LSR = 1, T2_ASR = 2, T2_ROR = 3 };
enum { T2_EQ = 0, T2_NE, T2_CS, T2_CC, T2_MI, T2_PL, T2_VS, T2_VC, T2_HI, T2_LS, T2_GE, T2_LT,
       T2_GT, T2_LE };

/* Loads and stores: the size/sign selector used by t2_ldst_*. */
enum { T2_STR, T2_STRH, T2_STRB, T2_LDR, T2_LDRH, T2_LDRB, T2_LDRSH, T2_LDRSB };

#define T2_WIDE(hw1, hw2) (((uint32_t)(uint16_t)(hw2) << 16) | (uint16_t)(hw1))

uint32_t t2_dp_reg(int op, int s, int rd, int rn, int rm, int shift_type, int amount);
uint32_t t2_dp_imm8(int op, int s, int rd, int rn, uint32_t imm8); /* imm8 in 0..255 */
/* Thumb-2 modified immediate: the 12-bit i:imm3:imm8 field that expands to v, or -1. */
int t2_modimm(uint32_t v);
uint32_t t2_dp_modimm(int op, int s, int rd, int rn, int enc12); /* enc12 from t2_modimm */
uint32_t t2_mov_reg(int rd, int rm);
uint32_t t2_movw(int rd, uint32_t imm16);
uint32_t t2_movt(int rd, uint32_t imm16);
uint32_t t2_addw(int rd, int rn, uint32_t imm12);
uint32_t t2_subw(int rd, int rn, uint32_t imm12);
uint32_t t2_shift_reg(int type, int rd, int rn, int rm);
uint32_t t2_mul(int rd, int rn, int rm);
uint32_t t2_mla(int rd, int rn, int rm, int ra);
uint32_t t2_mls(int rd, int rn, int rm, int ra);
uint32_t t2_umull(int rdlo, int rdhi, int rn, int rm);
uint32_t t2_udiv(int rd, int rn, int rm);
uint32_t t2_sdiv(int rd, int rn, int rm);
uint32_t t2_ldst_imm12(int kind, int rt, int rn, uint32_t imm12);
uint32_t t2_ldst_neg8(int kind, int rt, int rn, uint32_t imm8); /* [rn, #-imm8] */
uint32_t t2_rev(int rd, int rm);
uint32_t t2_rev16(int rd, int rm);
uint32_t t2_uxth(int rd, int rm);
uint32_t t2_uxtb(int rd, int rm);
uint32_t t2_sxth(int rd, int rm);
uint32_t t2_sxtb(int rd, int rm);
uint32_t t2_push(uint16_t reglist); /* PUSH.W, two or more registers */
uint32_t t2_pop(uint16_t reglist);
uint32_t t2_push_one(int rt);       /* STR rt, [sp, #-4]! */
uint32_t t2_pop_one(int rt);        /* LDR rt, [sp], #4 */
uint32_t t2_b_cond(int cond, int32_t offset); /* offset from this instruction's address + 4 */
uint32_t t2_b(int32_t offset);
uint32_t t2_bl(int32_t offset);
uint32_t t2_dsb(void);
uint32_t t2_isb(void);
uint16_t t2_blx16(int rm);
uint16_t t2_bx16(int rm);
uint16_t t2_push_lr16(void);
uint16_t t2_pop_pc16(void);
uint16_t t2_mov_sp16(int rm); /* MOV sp, rm */
int t2_b_cond_fits(int32_t offset);
uint16_t t2_it(int cond); /* IT<cond> over the one instruction that follows */
uint16_t t2_itt(int cond); /* ITT<cond> over the two that follow */

/* The 16-bit form of a 32-bit encoding from the encoders above, outside IT blocks: t2_narrow
 * only where the effect is exactly the same (flags included); t2_narrow_flags_free also where
 * it differs only in setting the flags (for code whose flags nobody reads). 1 if *out is set. */
int t2_narrow(uint32_t wide, uint16_t *out);
int t2_narrow_flags_free(uint32_t wide, uint16_t *out);
int t2_sets_flags(uint32_t wide); /* a data-processing encoding with S set (compares too) */
uint16_t t2_movs16(int rd, uint32_t imm8);       /* MOVS rd, #imm8 (low rd; sets N and Z) */
uint16_t t2_b16(int32_t offset);                 /* B.N, offset from this address + 4 */
uint16_t t2_b_cond16(int cond, int32_t offset);  /* B<c>.N */
int t2_b16_fits(int32_t offset);
int t2_b_cond16_fits(int32_t offset);

#endif
