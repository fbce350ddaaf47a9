/* Program, memory regions, execution state and faults: the contract every engine (interpreter,
 * JIT-compiled code, AOT image) shares with the runtime. Freestanding C99. */
#ifndef MCUBPF_VM_H
#define MCUBPF_VM_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/isa.h"

/* A loaded program: bytecode plus its global data. LDDW with src=MBPF_LDDW_REGION refers to
 * rodata (read-only) or data (.data followed by zeroed .bss, writable). */
typedef struct mbpf_program {
    const mbpf_insn *insns;
    uint32_t n_insns;
    const uint8_t *rodata;
    uint32_t rodata_len;
    uint8_t *data;
    uint32_t data_len;
} mbpf_program;

/* Why a run stopped. MBPF_OK means the program reached its final exit. */
typedef enum mbpf_status {
    MBPF_OK = 0,
    MBPF_FAULT_MEM_READ,   /* load outside every readable region */
    MBPF_FAULT_MEM_WRITE,  /* store outside every writable region (or into rodata) */
    MBPF_FAULT_BUDGET,     /* back-edge budget exhausted */
    MBPF_FAULT_HELPER,     /* unknown helper id or helper not permitted */
    MBPF_FAULT_HELPER_ARG, /* a helper refused an argument (bad pointer, size) */
    MBPF_FAULT_CALL_DEPTH, /* local calls nested deeper than MBPF_MAX_CALL_DEPTH */
    MBPF_FAULT_BAD_INSN,   /* invalid instruction or jump reached (unverified code only) */
    MBPF_FAULT_STOPPED,    /* request from a helper to end the run early; engines then report
                            * MBPF_OK with r0 = the value given to mbpf_exec_stop */
    MBPF_STATUS_COUNT
} mbpf_status;

/* Static, human-readable name of a status ("ok", "memory read fault", ...). */
const char *mbpf_status_name(mbpf_status s);

typedef struct mbpf_fault {
    uint32_t pc;   /* eBPF instruction index of the faulting instruction */
    uint32_t size; /* access size in bytes, 0 when not a memory fault */
    uint64_t addr; /* faulting address (memory faults) or helper id (helper faults) */
} mbpf_fault;

#define MBPF_REGION_R 1u
#define MBPF_REGION_W 2u

typedef struct mbpf_region {
    uintptr_t start;
    uint32_t len;
    uint32_t flags; /* MBPF_REGION_R | MBPF_REGION_W */
} mbpf_region;

#define MBPF_MAX_EXTRA_REGIONS 4

struct mbpf_exec;

/* Helper calling convention: args[0..4] are eBPF r1..r5, the return value becomes r0. A helper
 * checks every pointer argument with mbpf_exec_check(); on a bad argument it calls
 * mbpf_exec_stop(x, MBPF_FAULT_HELPER_ARG) and returns 0. The engine checks x->status after the
 * call returns and ends the run when it is not MBPF_OK. */
typedef uint64_t (*mbpf_helper_fn)(struct mbpf_exec *x, const uint64_t args[5]);

/* State of one run. The embedder fills the inputs; the engine fills the outputs. */
typedef struct mbpf_exec {
    /* inputs */
    const mbpf_program *prog;
    void *ctx;            /* r1 at entry; NULL allowed */
    uint32_t ctx_len;     /* r2 at entry */
    uint32_t ctx_flags;   /* MBPF_REGION_R | MBPF_REGION_W */
    uint8_t *stack;       /* MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH bytes, any alignment of 8 */
    uint32_t stack_len;
    const mbpf_helper_fn *helpers; /* indexed by helper id; NULL entries are unknown helpers */
    uint32_t n_helpers;
    uint32_t helpers_denied; /* bit n: helper id n is unknown to this run whatever the table holds
                              * (a tenant's mask over a table shared by tenants); 0: the table
                              * alone decides */
    uint64_t budget;      /* budget units allowed per run (rules below); 0 = unlimited */
    uintptr_t stack_top;  /* maintained by the engine: top of the current frame. The live stack,
                           * the current frame and its callers', is [stack, stack_top); 0 = whole
                           * buffer */
    void *user;           /* embedder's pointer, for helpers */
    const struct mbpf_fact *facts; /* optional, the verifier's facts for prog: a loop proven
                                    * bounded is then charged its trip bound at entry and its back
                                    * edges nothing, as in translated code */
    mbpf_region extra[MBPF_MAX_EXTRA_REGIONS]; /* regions granted by helpers during the run */
    uint32_t n_extra;
    /* outputs */
    uint64_t r0;
    mbpf_status status;
    mbpf_fault fault;
    uint64_t insns_executed; /* interpreter, counting builds only (MBPF_INTERP_COUNT, host
                              * tools): eBPF instructions executed */
    uint64_t budget_left;    /* budget units left; kept current by the engine whenever a helper
                              * runs (helpers charge through mbpf_exec_charge); meaningless when
                              * budget == 0 */
} mbpf_exec;

/* Budget rules, the same in every engine (interpreter, JIT, AOT), so that a run stops at the same
 * instruction everywhere. With budget B != 0 a run may spend B units:
 *   - a taken back edge not proven bounded: 1 unit, charged at the jump;
 *   - a local call: 1 unit, charged at the call;
 *   - a helper call: 1 unit, charged at the call, plus what the helper charges for its own work
 *     (mbpf_exec_charge, e.g. per 16 bytes copied);
 *   - entering a loop proven bounded (MBPF_FACT_LOOP_HEAD): its trip bound, charged at the loop's
 *     first instruction; its back edges are then free.
 * A charge of n units when fewer than n are left ends the run with MBPF_FAULT_BUDGET at the
 * instruction that charges. Without facts (x->facts == NULL) the interpreter treats every loop as
 * unbounded. Every unit pays for a bounded amount of work, so B bounds the work of a run
 * (docs/runtime.md gives the constant). */

/* The helper that id names for x's run, NULL when it is unknown to the run (every engine looks
 * helpers up through this). */
static inline mbpf_helper_fn mbpf_exec_helper(const mbpf_exec *x, uint64_t id)
{
    if (id >= x->n_helpers)
        return NULL;
    const uint32_t i = (uint32_t)id; /* below n_helpers */
    if (i < 32 && (x->helpers_denied >> i & 1u))
        return NULL;
    return x->helpers[i];
}

/* Called by helpers: charge n budget units for the helper's own work. Returns 1 when they were
 * available (or the run has no budget); otherwise ends the run with MBPF_FAULT_BUDGET and returns
 * 0 (the helper then returns without doing the work). */
int mbpf_exec_charge(mbpf_exec *x, uint64_t n);

/* Prepare x for a run of prog: zero outputs and the extra regions, keep the inputs. */
void mbpf_exec_reset(mbpf_exec *x);

/* Nonzero when [addr, addr+size) lies inside one region of x that has all of the flags `need`
 * (stack, ctx, rodata, data, extra regions). */
int mbpf_exec_check(const mbpf_exec *x, uint64_t addr, uint64_t size, uint32_t need);

/* Called by helpers: end the run with status s. With MBPF_FAULT_STOPPED the run ends normally
 * (status MBPF_OK) and r0 becomes `r0`; any other status is a fault. */
void mbpf_exec_stop(mbpf_exec *x, mbpf_status s, uint64_t r0);

/* Run prog in the interpreter, decoding each instruction when it is reached. Safe on any
 * bytecode, verified or not: invalid instructions and jumps fault with MBPF_FAULT_BAD_INSN and
 * every access is checked; x->facts (optional) only decide the budget (loop bounds). A verified
 * program runs faster pre-decoded: mbpf_interp_prepare and mbpf_interp_exec (interp.h). Returns
 * x->status. */
mbpf_status mbpf_interp_run(mbpf_exec *x);

#endif
