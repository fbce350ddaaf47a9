/* The interpreter's internal instruction form, shared by the decoder (interp_decode.c) and the
 * loop (interp.c). One slot per eBPF instruction, 12 bytes: the handler is chosen once from the
 * opcode and the verifier's facts, operands and jump targets are resolved. */
#ifndef MCUBPF_INTERP_CODE_H
#define MCUBPF_INTERP_CODE_H

#include <stdint.h>

#include "mcubpf/interp.h"
#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

typedef struct interp_slot {
    uint8_t h;    /* handler */
    uint8_t dst;  /* register byte offsets: 8 * register number (0..10) */
    uint8_t src;
    uint8_t aux;  /* jumps and calls: handler to run at the target; memory: region hint */
    int32_t imm;  /* immediate; LDDW: low word; trampolines: pc of the jump */
    int32_t x;    /* jumps and calls: target pc from interp_decode, then (pre-decoded) the byte
                   * offset of the target slot; memory: offset; LDDW: high word */
} interp_slot;

/* Pre-decoded program: this header, n_heads loop-head records (pc << 16 | handler << 8 | trip
 * bound - 1, sorted by pc), then n_insns + 1 + n_tramps slots: slot pc for instruction pc, slot
 * n_insns a fall-off-the-end guard, then one trampoline per back edge that is charged. */
typedef struct interp_code {
    uint32_t magic;
    uint32_t n_insns;
    uint32_t n_tramps;
    uint32_t n_heads;
    uint32_t quick; /* the quick-check tables the checked accesses use: bit r, reads with region
                     * hint r; bit INTERP_QUICK_W + r, writes (a run sets up only these); above
                     * INTERP_QUICK_MASK, the INTERP_USES_* of the entry state the program needs */
} interp_code;

#define INTERP_QUICK_W 8u
#define INTERP_QUICK_MASK 0xffffu
/* What a run sets up only for a program that needs it (decided at pre-decode). */
#define INTERP_USES_STACK (1u << 17)   /* r10, or the live stack (helpers, full access checks) */
#define INTERP_USES_BUDGET (1u << 18)  /* something charges budget units */
#define INTERP_USES_HELPERS (1u << 19) /* helpers run: they find status MBPF_OK */
/* r1 or r2 may be read: the context words at entry. The top bit: the entry tests it, and whether
 * anything else is needed, by a sign and a shift (no mask to build). */
#define INTERP_USES_CTX (1u << 31)

#define INTERP_MAGIC 0x70646531u
#define INTERP_NO_REGION 4u /* region hint: none, full check only */
/* Source "register" of an ALU or jump K form decoded as its X form (the size-optimised loop has
 * no K handlers): the operand is the slot's immediate. */
#define INTERP_SRC_IMM 0xffu

/* Every handler; I() marks combinations the decoder never selects (they run BAD). The order of
 * the ALU and jump rows is what interp_decode.c computes indices from. */
#define INTERP_ALU_ROW(V, I, op) V(op##64X) V(op##64K) V(op##32X) V(op##32K)
#define INTERP_HANDLERS(V, I)                                                                     \
    V(BAD) V(HEAD) V(BACK_CHARGE) V(SAFE_STEP) V(SAFE_JUMP)                                       \
    INTERP_ALU_ROW(V, I, ADD) INTERP_ALU_ROW(V, I, SUB) INTERP_ALU_ROW(V, I, MUL)                 \
    INTERP_ALU_ROW(V, I, DIV) INTERP_ALU_ROW(V, I, OR) INTERP_ALU_ROW(V, I, AND)                  \
    INTERP_ALU_ROW(V, I, LSH) INTERP_ALU_ROW(V, I, RSH)                                           \
    I(NEG64X) V(NEG64K) I(NEG32X) V(NEG32K)                                                       \
    INTERP_ALU_ROW(V, I, MOD) INTERP_ALU_ROW(V, I, XOR) INTERP_ALU_ROW(V, I, MOV)                 \
    INTERP_ALU_ROW(V, I, ARSH) INTERP_ALU_ROW(V, I, SDIV) INTERP_ALU_ROW(V, I, SMOD)              \
    V(MOVSX8_64X) I(MOVSX8_64K) V(MOVSX8_32X) I(MOVSX8_32K)                                       \
    V(MOVSX16_64X) I(MOVSX16_64K) V(MOVSX16_32X) I(MOVSX16_32K)                                   \
    V(MOVSX32_64X) I(MOVSX32_64K) I(MOVSX32_32X) I(MOVSX32_32K)                                   \
    V(LE16) V(LE32) V(LE64) V(BSWAP16) V(BSWAP32) V(BSWAP64)                                      \
    V(JA)                                                                                         \
    INTERP_ALU_ROW(V, I, JEQ) INTERP_ALU_ROW(V, I, JGT) INTERP_ALU_ROW(V, I, JGE)                 \
    INTERP_ALU_ROW(V, I, JSET) INTERP_ALU_ROW(V, I, JNE) INTERP_ALU_ROW(V, I, JSGT)               \
    INTERP_ALU_ROW(V, I, JSGE) INTERP_ALU_ROW(V, I, JLT) INTERP_ALU_ROW(V, I, JLE)                \
    INTERP_ALU_ROW(V, I, JSLT) INTERP_ALU_ROW(V, I, JSLE)                                         \
    V(CALL_LOCAL)                                                                                 \
    V(CALL_HELPER) V(CALLX) V(EXIT) V(LDDW) V(LDDW_RODATA) V(LDDW_DATA)                           \
    V(LDXB) V(LDXH) V(LDXW) V(LDXDW) V(LDXSB) V(LDXSH) V(LDXSW)                                   \
    V(LDXBP) V(LDXHP) V(LDXWP) V(LDXDWP) V(LDXSBP) V(LDXSHP) V(LDXSWP)                            \
    V(STXB) V(STXH) V(STXW) V(STXDW) V(STB) V(STH) V(STW) V(STDW)                                 \
    V(STXBP) V(STXHP) V(STXWP) V(STXDWP) V(STBP) V(STHP) V(STWP) V(STDWP)                         \
    V(ATOMIC32) V(ATOMIC64)

#define INTERP_ENUM(name) H_##name,
enum interp_handler { INTERP_HANDLERS(INTERP_ENUM, INTERP_ENUM) H_COUNT };
#undef INTERP_ENUM

/* Number of handlers per ALU/jump row and the rows' first handlers. */
#define H_ALU_FIRST H_ADD64X
#define H_JCC_FIRST H_JEQ64X
#define INTERP_IS_JUMP(h) ((h) >= H_JA && (h) <= H_CALL_LOCAL)

/* How a decoded jump or call reaches its target. */
enum interp_edge {
    EDGE_NONE,    /* not a jump */
    EDGE_FWD,     /* forward jump or call: an entry into whatever is there */
    EDGE_BACK,    /* back edge not proven bounded: 1 budget unit when taken */
    EDGE_FREE,    /* back edge of a loop proven bounded: free, and no loop-entry charge */
    EDGE_BAD      /* target outside the program (unverified code): faults when taken */
};

/* The loop-head record of slot pc (records sorted by pc); NULL when there is none. */
static inline const uint32_t *interp_head_find(const uint32_t *heads, uint32_t n_heads, uint32_t pc)
{
    uint32_t lo = 0, hi = n_heads;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, at = heads[mid] >> 16;
        if (at == pc)
            return &heads[mid];
        if (at < pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Decode instruction pc of p into *s. facts may be NULL; with `trust` (a verified program) memory
 * facts select unchecked handlers. A jump's target pc goes to s->x; *edge says how it is reached.
 * Invalid encodings give H_BAD. Returns the instruction's length in slots (2 for LDDW). */
uint32_t interp_decode(const mbpf_program *p, const mbpf_fact *facts, int trust, uint32_t pc,
                       interp_slot *s, uint8_t *edge);

#endif
