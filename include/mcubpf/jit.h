/* Translator entry points (on-device JIT and host AOT share them). Freestanding C99, no malloc.
 * The contract between the target-independent core (jit/) and the backends (jit/thumb2, jit/rv32)
 * is written down in jit/README.md. */
#ifndef MCUBPF_JIT_H
#define MCUBPF_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"

typedef enum mbpf_target {
    MBPF_TARGET_NONE = 0,
    MBPF_TARGET_THUMB2 = 1,  /* ARMv7E-M Thumb-2 (Cortex-M3/M4/M7) */
    MBPF_TARGET_RV32IMC = 2, /* RV32IMC */
} mbpf_target;

/* Return codes of mbpf_jit_translate (0 = success). */
#define MBPF_JIT_OK 0
#define MBPF_JIT_ERR_NOSPACE (-1)     /* code buffer too small (runtime falls back to the interpreter) */
#define MBPF_JIT_ERR_WORK (-2)        /* work arena too small */
#define MBPF_JIT_ERR_UNSUPPORTED (-3) /* an instruction this backend cannot translate */
#define MBPF_JIT_ERR_TARGET (-4)      /* target not built in */

typedef struct mbpf_jit_opts {
    uint32_t flags;          /* reserved, 0 */
    uint32_t *insn_offsets;  /* optional, n_insns + 1 entries: native offset of each eBPF insn
                              * (for disassembly listings); NULL when not wanted */
} mbpf_jit_opts;

typedef struct mbpf_jit_result {
    uint32_t code_len;  /* bytes written */
    uint32_t entry_off; /* entry point offset in the code buffer */
    uint32_t err_pc;    /* instruction the error is about */
    const char *err;    /* static message, NULL on success */
    /* for reports: instructions the translated code's fast paths still check at run time */
    uint32_t guards_left;   /* memory accesses with a guard (not proven, not checked before
                             * their loop) */
    uint32_t budget_left;   /* back edges charging one budget unit each (not proven bounded, not
                             * charged before their loop) */
} mbpf_jit_result;

/* The block generated code receives as its first argument (AAPCS r0 / RV32 a0), with the call's
 * context and its length in the next two (mbpf_jit_fn, jit/jit_runtime.h):
 * 32-bit words at fixed offsets, the same on every target and on the host, so that the
 * translator never depends on a host structure layout. Runtime routines are reached through
 * pointers in the block: generated code holds no absolute address and runs anywhere (RAM arena
 * or flash). The run glue fills it for a program and tenant with everything that does not
 * depend on the call (regions, stack, routines, r10's slot): at load, and the runtime again
 * when another of its slots ran meanwhile (one block for all); the code's prologue stores what
 * the call brings where the program needs it: ctx, ctx_len and budget_sync (and 0 in
 * exec_ready) when it calls routines, ctx_end_r/w when it has guards, budget when it keeps no
 * register for it, the slots of r1 and r2 when they have no register. Code that spends budget
 * (charged edges, local calls, routines) computes the run's budget word itself from the 64-bit
 * budget at budget_at (mbpf_jit_budget_word); code that spends none never reads it. Code that
 * reads r2 at entry, calls routines or has guards takes the length as 0 without a context.
 * Every other word is either constant, restored by the glue after a fault (status, depth_left) or written by the
 * code before it is read (fault words, r0, saved_sp, stack_cur, atomic_op; the register slots
 * the verifier proves written first), so a run leaves them as the previous run of the same
 * program left them, or as freshly filled. */
typedef struct mbpf_jit_block {
    uint32_t ctx, ctx_len;             /* 0, 4: r1 and r2 at entry (stored by the prologue) */
    uint32_t stack_base, stack_top0;   /* 8, 12: stack buffer start; r10 at entry */
    uint32_t ctx_end_r, ctx_end_w;     /* 16, 20: ctx region end for reads / writes (= ctx: none) */
    uint32_t rodata, rodata_end;       /* 24, 28 */
    uint32_t data, data_end;           /* 32, 36 */
    uint32_t budget;                   /* 40: back edges and local calls left */
    uint32_t depth_left;               /* 44: local calls that may still nest */
    uint32_t status;                   /* 48: mbpf_status when the run ends */
    uint32_t fault_pc, fault_addr, fault_size; /* 52, 56, 60 */
    uint32_t r0_lo, r0_hi;             /* 64, 68 */
    uint32_t saved_sp;                 /* 72: native stack pointer after the prologue */
    uint32_t exec;                     /* 76: the mbpf_exec (for helpers and extra regions) */
    uint32_t fn_helper;   /* 80: uint64_t (*)(block *, uint32_t id, const uint64_t *args, uint32_t pc) */
    uint32_t fn_check;    /* 84: uint32_t (*)(block *, uint32_t addr, uint32_t size, uint32_t write) */
    uint32_t fn_div64;    /* 88: uint64_t (*)(uint64_t a, uint64_t b, uint32_t op) op: 0 udiv 1 umod
                           *     2 sdiv 3 smod */
    uint32_t fn_shift64;  /* 92: uint64_t (*)(uint64_t a, uint32_t n, uint32_t op) 0 lsh 1 rsh 2 arsh */
    uint32_t fn_atomic;   /* 96: uint64_t (*)(block *, uint32_t addr, uint64_t val): the operation is
                           *     in atomic_op, cmpxchg's expected value in r0_lo/r0_hi; returns the
                           *     old value */
    uint32_t stack_cur;   /* 100: r10 of the current frame, stored before each helper call and
                           *      each slow region check */
    uint32_t regs[2 * MBPF_NREGS]; /* 104: eBPF registers kept in memory (lo, hi) */
    uint32_t atomic_op;   /* 192: imm | size << 16 */
    uint32_t budget_at;   /* 196: address of the run's 64-bit budget (a budget of 0 is
                           * unlimited; the runtime points at the tenant's), read by the prologue
                           * of code that spends budget and by the routines when they fill the
                           * exec */
    uint32_t ctx_mask_r, ctx_mask_w; /* 200, 204: ctx_len & mask = the readable / writable
                                      * length (all ones or 0, from the context's flags); read
                                      * by the prologue of code that needs the context's ends */
    uint32_t budget_sync; /* 208: what budget held when the glue or the prologue last wrote it
                           * (the prologue of code that calls routines stores its start value) */
    uint32_t exec_ready;  /* 212: the exec holds this run's context and budget (the prologue of
                           * code that calls routines stores 0: the routine called first fills
                           * it; the code never reads it) */
} mbpf_jit_block;

#define MBPF_JB_CTX 0
#define MBPF_JB_CTX_LEN 4
#define MBPF_JB_STACK_BASE 8
#define MBPF_JB_STACK_TOP0 12
#define MBPF_JB_CTX_END_R 16
#define MBPF_JB_CTX_END_W 20
#define MBPF_JB_RODATA 24
#define MBPF_JB_RODATA_END 28
#define MBPF_JB_DATA 32
#define MBPF_JB_DATA_END 36
#define MBPF_JB_BUDGET 40
#define MBPF_JB_DEPTH_LEFT 44
#define MBPF_JB_STATUS 48
#define MBPF_JB_FAULT_PC 52
#define MBPF_JB_FAULT_ADDR 56
#define MBPF_JB_FAULT_SIZE 60
#define MBPF_JB_R0_LO 64
#define MBPF_JB_R0_HI 68
#define MBPF_JB_SAVED_SP 72
#define MBPF_JB_EXEC 76
#define MBPF_JB_FN_HELPER 80
#define MBPF_JB_FN_CHECK 84
#define MBPF_JB_FN_DIV64 88
#define MBPF_JB_FN_SHIFT64 92
#define MBPF_JB_FN_ATOMIC 96
#define MBPF_JB_STACK_CUR 100
#define MBPF_JB_REGS 104
#define MBPF_JB_ATOMIC_OP 192
#define MBPF_JB_BUDGET_AT 196
#define MBPF_JB_CTX_MASK_R 200
#define MBPF_JB_CTX_MASK_W 204
#define MBPF_JB_BUDGET_SYNC 208
#define MBPF_JB_EXEC_READY 212
#define MBPF_JB_REG_LO(r) (MBPF_JB_REGS + 8 * (r))
#define MBPF_JB_REG_HI(r) (MBPF_JB_REGS + 8 * (r) + 4)

/* Runtime routines generated code calls through the block (jit/jit_runtime.c). They take 32-bit
 * addresses: they exist only where code runs, on 32-bit targets. */
uint64_t mbpf_jit_rt_div64(uint64_t a, uint64_t b, uint32_t op);
uint64_t mbpf_jit_rt_shift64(uint64_t a, uint32_t n, uint32_t op);

/* Work arena bytes mbpf_jit_translate needs for a program of n_insns instructions. */
size_t mbpf_jit_work_size(uint32_t n_insns);

/* Translate verified program p (facts from mbpf_verify) for target t into code[0..code_cap).
 * Deterministic: same input and options give the same bytes on host and device. */
int mbpf_jit_translate(mbpf_target t, const mbpf_program *p, const mbpf_fact *facts,
                       const mbpf_jit_opts *opts, uint8_t *code, uint32_t code_cap, void *work,
                       size_t work_size, mbpf_jit_result *res);

/* Device side: run translated code at `code` (entry at entry_off) with the inputs of x; fills
 * x->r0, x->status and x->fault like mbpf_interp_run. Only for the target the firmware runs on;
 * the caller has made the code executable (barriers done by mbpf_jit_sync_code). This prepares
 * a block for every call; the runtime (mcubpf/runtime.h) keeps one prepared per program. */
mbpf_status mbpf_jit_run(mbpf_exec *x, const void *code, uint32_t entry_off);

/* Make freshly written code at [code, code+len) visible to instruction fetch (DSB/ISB on ARMv7-M,
 * fence.i on RISC-V). */
void mbpf_jit_sync_code(const void *code, uint32_t len);

#endif
