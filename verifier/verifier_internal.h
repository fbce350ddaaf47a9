/* Private state shared by the verifier's passes. */
#ifndef MCUBPF_VERIFIER_INTERNAL_H
#define MCUBPF_VERIFIER_INTERNAL_H

#include "mcubpf/verifier.h"

/* A one-line predicate the passes ask once per instruction: inlined even at -Os, where the call
 * costs more than the test and the code is no larger. */
#define V_INLINE static inline __attribute__((always_inline))

/* Per-instruction marks built by the CFG pass (vstate.marks). */
#define VM_LDDW_TAIL 0x01 /* second slot of an LDDW: not an instruction */
#define VM_TARGET 0x02    /* some jump lands here */
#define VM_SUBPROG 0x04   /* first instruction of a function */
#define VM_REACHED 0x08
#define VM_QUEUED 0x10
#define VM_AFTER_LOOP 0x20 /* falls out of a conditional back edge: the abstract interpreter keeps a
                            * state here (a loop is iterated to its fixpoint before the code after it) */
#define VM_IV_HEAD 0x40    /* the loop pass, while it fills the loop table: an entry with an */
#define VM_IV_UPDATE 0x80  /* induction variable has its head / the variable's update here */

struct astate;

typedef struct vstate {
    const mbpf_program *prog;
    const mbpf_insn *insns;
    uint32_t n;
    const mbpf_verify_opts *opts;
    mbpf_loop *loops;          /* the loop table to fill (NULL: none), loops_cap entries */
    uint32_t loops_cap;
    mbpf_verify_result *res;
    /* arena-backed arrays, n entries each unless noted */
    uint8_t *marks;
    uint32_t *sub;   /* function index of each instruction */
    uint32_t *work;  /* worklist */
    uint32_t *dfs;   /* 2n: call-graph walk stack (function, resume pc) */
    uint8_t *depth;  /* per function: deepest call chain below it, 0 = not computed */
    uint8_t *color;  /* per function: 0 new, 1 on the walk stack, 2 done */
    uint32_t n_subs;
    void *states;    /* abstract states, one per join point (verifier/absint.c) */
    uint8_t addr_in_data;      /* loads from the program's data may give addresses */
    uint8_t addr_stored_data;  /* an address was stored into the program's data */
    uint32_t once_h, once_e;   /* the loop pass: the loop [once_h, once_e] whose "runs once per
                                * iteration" marks are in dfs (once_ok) */
    uint8_t once_ok;
    uint32_t first_callee;     /* first instruction of a local function other than the entry
                                * (functions are contiguous, the entry first); n if none */
    /* what an edge does (verifier/absint.c: the join; verifier/check.c: the inclusion check;
     * back_edge: to <= from, widening allowed) and the state kept at pc (NULL: the
     * verifier's own) */
    int (*edge)(struct vstate *st, uint32_t from, uint32_t to, const struct astate *s, int back_edge);
    const struct astate *(*state_of)(const struct vstate *st, uint32_t pc);
} vstate;

/* Zero `bytes` (a multiple of 4) at p (4-aligned) a word at a time: the memset of a
 * size-optimised libc may go one byte at a time, and the checker clears states and results
 * on every call. */
void vzero_words(void *p, size_t bytes);

/* Record the error for insn pc ("verify: insn PC (DISASM): reason") and return -1. */
int vreject(vstate *st, uint32_t pc, const char *reason);
int vreject_num(vstate *st, uint32_t pc, const char *reason, int64_t num);

/* mbpf_verify, leaving its passes' state in *st (the certificate writer reads the states); *st comes
 * zeroed but for its loop table (loops, loops_cap). */
int vverify(vstate *st, const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
            void *arena, size_t arena_size, mbpf_verify_result *res);
int vpreflight(vstate *st);
int vcfg(vstate *st);
/* Abstract interpretation: rejects unsafe programs, fills mem and HI_ZERO facts. */
int vabsint(vstate *st, mbpf_fact *facts);
/* Back edges and which of them are bounded (after vabsint). */
void vloops(vstate *st, mbpf_fact *facts);
const struct astate *vabsint_state(const vstate *st, uint32_t pc);
/* Interpret instruction pc on s with the full verifier's transfer functions, filling f's memory
 * and value facts; its edges go through st->edge. Returns -1 on rejection, 0 when execution may
 * fall through, 1 when it cannot. */
int vabsint_step(vstate *st, uint32_t pc, struct astate *s, mbpf_fact *f);
/* Count instruction pc's final facts f into the report figures (res->mem_accesses ...); inline:
 * both passes ask it once per instruction. */
V_INLINE void vabsint_count(vstate *st, uint32_t pc, const mbpf_fact *f)
{
    if (st->marks[pc] & VM_LDDW_TAIL)
        return;
    mbpf_verify_result *res = st->res;
    const mbpf_insn *in = &st->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code);
    const int hz = (f->flags & MBPF_FACT_HI_ZERO) != 0;
    if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) {
        res->mem_accesses++;
        res->mem_proven += f->mem == MBPF_MEM_PROVEN;
    }
    if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LDX ||
        (cls == MBPF_LD && MBPF_SRC(in) != MBPF_LDDW_REGION)) {
        res->alu_results++;
        res->alu_hi_zero += (uint32_t)hz;
    }
    if (cls == MBPF_ALU) {
        res->alu32_results++;
        res->alu32_hi_zero += (uint32_t)hz;
    }
}
/* The state a function starts in (the program's entry: main_entry = 1). */
void vabsint_entry(struct astate *s, uint32_t pc, int main_entry);

#endif
