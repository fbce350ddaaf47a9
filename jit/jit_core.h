/* The target-independent translator core and its contract with the backends (see jit/README.md).
 * The core owns the output buffer, the passes and the eBPF-pc -> native-offset table; a backend
 * emits the whole program once per pass through jit_emit*, recording offsets as it goes. */
#ifndef MCUBPF_JIT_CORE_H
#define MCUBPF_JIT_CORE_H

#include "mcubpf/jit.h"
#include "jit/mid/mid.h"
#include "jit/mid/mid_loops.h"

#define JIT_MAX_STUBS 16

typedef struct jit_ctx {
    const mbpf_program *prog;
    const mbpf_fact *facts;
    uint8_t *code;     /* output buffer (written in the final pass only) */
    uint32_t cap;
    uint32_t pos;      /* current native offset */
    int final_pass;    /* 0: measuring pass, 1: writing pass */
    int overflow;
    uint32_t *insn_off;            /* n_insns + 1 entries: offsets from the measuring pass */
    uint32_t stub_off[JIT_MAX_STUBS]; /* shared stubs (fault exits, checks), by backend id */
    const mid_info *mid;           /* the middle end's analysis of the program */
    const mid_loops *loops;        /* its versionable loops, or NULL */
    uint32_t loop_slow[ML_MAX_LOOPS]; /* per versioned loop: native offset of its original copy
                                       * (from the measuring pass) */
    uint32_t loop_fast[ML_MAX_LOOPS][ML_MAX_TARGETS]; /* per rotated loop: native offsets of its
                                       * landing points (ml_loop.target) in the fast copy */
    uint32_t *cold;                /* cold_cap pairs of words for a backend's out-of-line paths */
    uint32_t cold_cap;
    uint8_t *forms;                /* after them, one byte per instruction: the branch forms a
                                    * backend chose while measuring, replayed when writing */
    uint8_t *mem;                  /* per instruction: its access check (mid_access_check) */
    uint32_t context;              /* what of the call's context the code needs (below) */
    uint32_t err_pc;
    const char *err;
} jit_ctx;

/* Zero or copy `bytes` (a multiple of 4, both 4-aligned) word by word: for the translator's
 * structures, where the library's byte loops at -Os cost a pass a noticeable share. */
void jit_zero_words(void *to, size_t bytes);
void jit_copy_words(void *to, const void *from, size_t bytes);

/* Append raw bytes (little-endian); never writes past cap, records overflow instead. */
void jit_emit16(jit_ctx *c, uint16_t v);
void jit_emit32(jit_ctx *c, uint32_t v);

/* Record that eBPF instruction pc starts here / stub id starts here. */
void jit_mark_insn(jit_ctx *c, uint32_t pc);
void jit_mark_stub(jit_ctx *c, uint32_t id);

/* Native offset of eBPF instruction pc or of a stub, as measured (exact in the final pass). */
uint32_t jit_insn_offset(const jit_ctx *c, uint32_t pc);
uint32_t jit_stub_offset(const jit_ctx *c, uint32_t id);

/* Fail the translation with a static message. Returns MBPF_JIT_ERR_UNSUPPORTED. */
int jit_fail(jit_ctx *c, uint32_t pc, const char *msg);

/* Block offsets of the bounds of region `rgn` (MBPF_RGN_*) for a read or a write. *end == 0 means
 * the live stack's end, the current frame top, which backends keep in a register. Returns 0 when
 * the region has no inline check (rodata for writes, helper-granted regions). */
int jit_region_bounds(uint8_t rgn, int write, uint32_t *start, uint32_t *end);

/* Target of a jump instruction (JA32 takes its offset from imm). */
uint32_t jit_jump_target(uint32_t pc, const mbpf_insn *in);

/* Does this jump need a budget check (a back edge the verifier did not prove bounded)? */
int jit_needs_budget(const mbpf_fact *f);

/* Once before the passes (c->prog, c->facts and room for c->mem set): every instruction's
 * checked access kind (mid_access_check) into c->mem and what of the call's context the code
 * needs into c->context, which every pass reads. */
void jit_check_accesses(jit_ctx *c);

/* The fact at pc with `mem` replaced by the check native code gives the access (mid_access.h):
 * what jit_emit_body hands the backend, and what any pre-pass of a backend must decide on. */
void jit_checked_fact(const jit_ctx *c, uint32_t pc, mbpf_fact *out);

/* jit_ctx.context, found once before the passes: what of the call's context the code needs in its
 * block, which the prologue then stores from its arguments: JIT_CONTEXT_ARGS, ctx, ctx_len and
 * budget_sync, for the routines it calls (helpers, full checks), which fill the exec from them;
 * JIT_CONTEXT_ENDS, ctx_end_r/w, for its guards and check stubs (any checked access);
 * JIT_CONTEXT_BUDGET, the run's budget (at budget_at), for code that spends it: a back edge
 * (charged at the edge, or before its loop when the loop is bounded), a local call or a routine
 * (which charges helper calls). Code without it never reads the budget. */
#define JIT_CONTEXT_ARGS 1u
#define JIT_CONTEXT_ENDS 2u
#define JIT_CONTEXT_BUDGET 4u

/* What a backend supplies to jit_emit_body. */
typedef struct jit_backend_ops {
    void (*function_entry)(void *b); /* before the first instruction of a local-call target */
    int (*insn)(void *b, uint32_t pc, const mbpf_insn *in, const mbpf_fact *f);
} jit_backend_ops;

/* The instruction loop shared by the backends: marks every instruction's offset (LDDW tails too),
 * emits a function entry before each local-call target, lowers each reachable instruction, and
 * marks the end of the program. */
int jit_emit_body(jit_ctx *c, const jit_backend_ops *ops, void *b);

/* Each backend provides this: emit prologue, every instruction, epilogue and stubs. Returns 0 or
 * an MBPF_JIT_ERR_* code. Must emit exactly the same sizes in both passes. */
int mbpf_t2_emit_program(jit_ctx *c);
int mbpf_rv_emit_program(jit_ctx *c);

#endif
