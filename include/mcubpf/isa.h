/* eBPF instruction set definitions (RFC 9669). Shared by every component. */
#ifndef MCUBPF_ISA_H
#define MCUBPF_ISA_H

#include <stdint.h>

/* One 8-byte instruction slot, little-endian on the wire. The register byte holds dst in the low
 * nibble and src in the high nibble; use the accessors, never bitfields (their order is not portable). */
typedef struct mbpf_insn {
    uint8_t code;
    uint8_t regs;
    int16_t off;
    int32_t imm;
} mbpf_insn;

#define MBPF_DST(i) ((uint8_t)((i)->regs & 0x0f))
#define MBPF_SRC(i) ((uint8_t)((i)->regs >> 4))
#define MBPF_REGS(dst, src) ((uint8_t)(((src) << 4) | ((dst) & 0x0f)))

/* Instruction classes (low 3 bits). */
#define MBPF_CLASS(code) ((code) & 0x07)
#define MBPF_LD 0x00
#define MBPF_LDX 0x01
#define MBPF_ST 0x02
#define MBPF_STX 0x03
#define MBPF_ALU 0x04
#define MBPF_JMP 0x05
#define MBPF_JMP32 0x06
#define MBPF_ALU64 0x07

/* ALU / JMP: source bit and operation (high 4 bits). */
#define MBPF_SRCBIT(code) ((code) & 0x08)
#define MBPF_K 0x00
#define MBPF_X 0x08
#define MBPF_OP(code) ((code) & 0xf0)

#define MBPF_ADD 0x00
#define MBPF_SUB 0x10
#define MBPF_MUL 0x20
#define MBPF_DIV 0x30
#define MBPF_OR 0x40
#define MBPF_AND 0x50
#define MBPF_LSH 0x60
#define MBPF_RSH 0x70
#define MBPF_NEG 0x80
#define MBPF_MOD 0x90
#define MBPF_XOR 0xa0
#define MBPF_MOV 0xb0
#define MBPF_ARSH 0xc0
#define MBPF_END 0xd0
/* END: in class ALU the source bit selects TO_LE (0) / TO_BE (8); in ALU64 with source 0 it is an
 * unconditional byte swap (BSWAP). */
#define MBPF_TO_LE 0x00
#define MBPF_TO_BE 0x08

#define MBPF_JA 0x00
#define MBPF_JEQ 0x10
#define MBPF_JGT 0x20
#define MBPF_JGE 0x30
#define MBPF_JSET 0x40
#define MBPF_JNE 0x50
#define MBPF_JSGT 0x60
#define MBPF_JSGE 0x70
#define MBPF_CALL 0x80
#define MBPF_EXIT 0x90
#define MBPF_JLT 0xa0
#define MBPF_JLE 0xb0
#define MBPF_JSLT 0xc0
#define MBPF_JSLE 0xd0

/* CALL source field. */
#define MBPF_CALL_HELPER 0 /* imm = helper id */
#define MBPF_CALL_LOCAL 1  /* target = pc + imm + 1 */

/* Load / store: mode (high 3 bits) and size. */
#define MBPF_MODE(code) ((code) & 0xe0)
#define MBPF_IMM 0x00
#define MBPF_ABS 0x20
#define MBPF_IND 0x40
#define MBPF_MEM 0x60
#define MBPF_MEMSX 0x80
#define MBPF_ATOMIC 0xc0
#define MBPF_SIZE(code) ((code) & 0x18)
#define MBPF_W 0x00
#define MBPF_H 0x08
#define MBPF_B 0x10
#define MBPF_DW 0x18

/* Atomic operations (imm field of STX|ATOMIC). */
#define MBPF_FETCH 0x01
#define MBPF_XCHG (0xe0 | MBPF_FETCH)
#define MBPF_CMPXCHG (0xf0 | MBPF_FETCH)

/* LDDW (LD|IMM|DW) source field. 0 is a plain 64-bit constant. MBPF_LDDW_REGION is what the loader
 * turns a relocated reference to .rodata/.data/.bss into (the same shape libbpf gives global data,
 * BPF_PSEUDO_MAP_VALUE): imm = region id below, imm of the second slot = byte offset in the region.
 * Engines resolve it to the region's run-time address, so bytecode stays position independent. */
#define MBPF_LDDW_IMM64 0
#define MBPF_LDDW_REGION 2
#define MBPF_REGION_ID_RODATA 0
#define MBPF_REGION_ID_DATA 1 /* .data followed by .bss, writable */

#define MBPF_OPC_LDDW (MBPF_LD | MBPF_IMM | MBPF_DW) /* 0x18 */
#define MBPF_OPC_EXIT (MBPF_JMP | MBPF_EXIT)         /* 0x95 */
#define MBPF_OPC_CALL (MBPF_JMP | MBPF_CALL)         /* 0x85 */

/* Bytes moved by a load or store of this opcode. */
static inline uint32_t mbpf_size_bytes(uint8_t code)
{
    /* MBPF_W, MBPF_H, MBPF_B, MBPF_DW are 0, 1, 2, 3 << 3: one nibble each of 0x8124 */
    return (0x8124u >> (((uint32_t)code >> 1) & 12u)) & 15u;
}

#define MBPF_NREGS 11      /* r0..r10 */
#define MBPF_REG_FP 10     /* read-only frame pointer */
#define MBPF_STACK_SIZE 512 /* bytes per frame */
#define MBPF_MAX_CALL_DEPTH 8 /* frames including the entry function */
#define MBPF_MAX_INSNS 65536

#endif
