/* Runtime side of translated code: filling the block from an mbpf_exec, and the routines the
 * generated code reaches through the block (helpers, slow region checks, 64-bit division and
 * shifts, atomics). Target-independent C; only the call into the code is per target. */
#include <string.h>

#include "jit/jit_runtime.h"
#include "runtime/ebpf_ops.h"

uint64_t mbpf_jit_rt_div64(uint64_t a, uint64_t b, uint32_t op)
{
    switch (op) {
    case 0: return b ? a / b : 0;
    case 1: return b ? a % b : a;
    case 2: return ebpf_sdiv64(a, b);
    default: return ebpf_smod64(a, b);
    }
}

uint64_t mbpf_jit_rt_shift64(uint64_t a, uint32_t n, uint32_t op)
{
    n &= 63;
    if (op == 0)
        return a << n;
    if (op == 1)
        return a >> n;
    return (a >> n) | ((a >> 63) && n ? ~0ull << (64 - n) : 0);
}

/* The block's budget is the low part of x->budget_left: at most 0xffffffff units are visible to
 * generated code at a time (a larger budget cannot be spent in one run on these targets). */
MBPF_JIT_INLINE uint32_t block_budget(const mbpf_exec *x)
{
    if (!x->budget)
        return 0xffffffffu; /* unlimited: the code's decrements never reach 0 in practice */
    return x->budget_left >> 32 ? 0xffffffffu : (uint32_t)x->budget_left;
}

/* The per-run part of the exec, at the start of a run: no regions granted yet, the whole budget,
 * the entry frame's stack. */
static void exec_begin(mbpf_jit_block *b, mbpf_exec *x)
{
    x->n_extra = 0;
    x->budget = *(const uint64_t *)(uintptr_t)b->budget_at; /* the budget of the moment */
    x->budget_left = x->budget;
    x->stack_top = b->stack_top0;
    b->exec_ready = 1;
}

/* The exec of a run, brought up to date with the run's start the first time a routine needs it
 * (mbpf_jit_block_call leaves it; the code reaches it only through these routines, and the
 * prologue of code that calls them stored ctx, ctx_len and budget_sync, and 0 in exec_ready).
 * Only device runs start lazily, where block words are the addresses themselves. */
static mbpf_exec *exec_of(mbpf_jit_block *b)
{
    mbpf_exec *x = (mbpf_exec *)(uintptr_t)b->exec;
    if (!b->exec_ready) {
        x->ctx = (void *)(uintptr_t)b->ctx;
        x->ctx_len = b->ctx_len;
        exec_begin(b, x);
    }
    return x;
}


/* Units generated code spent since the glue last wrote the block's budget (budget_sync):
 * x->budget_left is brought up to date, so helpers charge (mbpf_exec_charge) from the right
 * amount. */
MBPF_JIT_INLINE void budget_to_exec(mbpf_jit_block *b, mbpf_exec *x)
{
    if (x->budget)
        x->budget_left -= b->budget_sync - b->budget;
}

/* After the runtime changed x->budget_left: the block's word again. */
MBPF_JIT_INLINE void budget_to_block(mbpf_jit_block *b, const mbpf_exec *x)
{
    b->budget = b->budget_sync = block_budget(x);
}

/* The id of a callx (pc bit MBPF_JIT_CALLX): the 64-bit value of the eBPF register named in
 * bits 16..19, which the code has written to its block slot. An id with bits above 31 is an
 * unknown helper, exactly as in the interpreter. */
static uint64_t callx_id(const mbpf_jit_block *b, uint32_t id, uint32_t pc)
{
    uint32_t r = (pc >> 16) & 15u;
    return r < MBPF_NREGS ? (uint64_t)b->regs[2 * r + 1] << 32 | b->regs[2 * r] : id;
}

/* Helper trampoline: the call costs 1 budget unit (charged here, at the call's pc, before the
 * id is looked at), the helper then charges its own work through x->budget_left, and what is
 * left goes back into the block. args are the block slots of r1..r5. */
static uint64_t rt_helper(mbpf_jit_block *b, uint32_t id_imm, const uint64_t *args, uint32_t pcw)
{
    mbpf_exec *x = exec_of(b);
    const uint64_t id = pcw & MBPF_JIT_CALLX ? callx_id(b, id_imm, pcw) : id_imm;
    budget_to_exec(b, x);
    if (x->budget) {
        if (!x->budget_left) {
            b->status = MBPF_FAULT_BUDGET;
            b->fault_pc = pcw & 0xffffu;
            budget_to_block(b, x);
            return 0;
        }
        x->budget_left--;
    }
    const mbpf_helper_fn fn = mbpf_exec_helper(x, id);
    if (!fn) {
        b->status = MBPF_FAULT_HELPER;
        b->fault_pc = pcw & 0xffffu;
        x->fault.addr = id; /* the full id (block words are 32-bit); kept by the run's end */
        budget_to_block(b, x);
        return 0;
    }
    x->stack_top = b->stack_cur; /* helpers check stack pointers against the live stack */
    uint64_t r = fn(x, args);
    if (x->budget)
        budget_to_block(b, x);
    if (x->status != MBPF_OK) {
        if (x->status == MBPF_FAULT_STOPPED) {
            b->r0_lo = (uint32_t)x->r0;
            b->r0_hi = (uint32_t)(x->r0 >> 32);
        } else {
            b->fault_pc = pcw & 0xffffu;
        }
        b->status = x->status;
    }
    return r;
}

/* The full check of the check stubs' slow path. The live stack ends at the current frame's top,
 * which the stub stored (the exec's may be a deeper frame's, from a helper called there). */
static uint32_t rt_check(mbpf_jit_block *b, uint32_t addr, uint32_t size, uint32_t write)
{
    mbpf_exec *x = exec_of(b);
    x->stack_top = b->stack_cur;
    return (uint32_t)mbpf_exec_check(x, addr, size, write ? MBPF_REGION_W : MBPF_REGION_R);
}

static uint64_t rt_atomic(mbpf_jit_block *b, uint32_t addr, uint64_t val)
{
    uint32_t op = b->atomic_op & 0xffff, size = b->atomic_op >> 16;
    uint64_t r0 = (uint64_t)b->r0_hi << 32 | b->r0_lo, src = val;
    mbpf_jit_irq_state s = mbpf_jit_irq_save();
    ebpf_atomic((int32_t)op, addr, size, &src, &r0);
    mbpf_jit_irq_restore(s);
    uint64_t mask = size == 8 ? ~0ull : 0xffffffffull;
    return ((int32_t)op == MBPF_CMPXCHG ? r0 : src) & mask;
}

/* Local calls that may nest, and the stack top of the entry frame, for x's stack. */
static uint32_t max_depth_of(const mbpf_exec *x)
{
    uint32_t max_depth = x->stack_len / MBPF_STACK_SIZE;
    return max_depth > MBPF_MAX_CALL_DEPTH ? MBPF_MAX_CALL_DEPTH : max_depth;
}

/* depth_left at the start of a run */
static uint32_t depth0_of(const mbpf_exec *x)
{
    const uint32_t max_depth = max_depth_of(x);
    return max_depth ? max_depth - 1 : 0;
}

void mbpf_jit_block_prepare(mbpf_jit_block *b, mbpf_exec *x)
{
    const mbpf_program *p = x->prog;
    const uint32_t max_depth = max_depth_of(x);
    uint32_t *w = (uint32_t *)(void *)b; /* word loop: the library memset is byte-wise at -Os */
    for (size_t i = 0; i < sizeof *b / sizeof *w; i++)
        w[i] = 0;
    b->stack_base = (uint32_t)(uintptr_t)x->stack;
    b->stack_top0 = b->stack_base + (max_depth ? MBPF_STACK_SIZE : x->stack_len);
    b->rodata = (uint32_t)(uintptr_t)p->rodata;
    b->rodata_end = p->rodata ? b->rodata + p->rodata_len : 0;
    b->data = (uint32_t)(uintptr_t)p->data;
    b->data_end = p->data ? b->data + p->data_len : 0;
    b->depth_left = depth0_of(x);
    b->ctx_mask_r = x->ctx_flags & MBPF_REGION_R ? 0xffffffffu : 0;
    b->ctx_mask_w = x->ctx_flags & MBPF_REGION_W ? 0xffffffffu : 0;
    b->exec = (uint32_t)(uintptr_t)x; /* budget_at: the caller's (the runtime: the tenant's) */
    b->fn_helper = (uint32_t)(uintptr_t)rt_helper;
    b->fn_check = (uint32_t)(uintptr_t)rt_check;
    b->fn_div64 = (uint32_t)(uintptr_t)mbpf_jit_rt_div64;
    b->fn_shift64 = (uint32_t)(uintptr_t)mbpf_jit_rt_shift64;
    b->fn_atomic = (uint32_t)(uintptr_t)rt_atomic;
    b->stack_cur = b->stack_top0;
    b->regs[2 * MBPF_REG_FP] = b->stack_top0;
}

mbpf_status mbpf_jit_block_end(mbpf_jit_block *b, mbpf_exec *x, uint32_t status)
{
    b->status = MBPF_OK;
    b->depth_left = depth0_of(x); /* a fault inside a local call leaves it lower */
    if (status == MBPF_OK || status == MBPF_FAULT_STOPPED) {
        x->status = MBPF_OK;
        x->r0 = (uint64_t)b->r0_hi << 32 | b->r0_lo;
        return MBPF_OK;
    }
    x->status = (mbpf_status)status;
    x->fault.pc = b->fault_pc;
    x->fault.size = 0;
    if (status == MBPF_FAULT_MEM_READ || status == MBPF_FAULT_MEM_WRITE) {
        x->fault.addr = b->fault_addr; /* the only faults whose code writes these words */
        x->fault.size = b->fault_size;
    } else if (status != MBPF_FAULT_HELPER) { /* the trampoline stored the helper's full id */
        x->fault.addr = 0;
    }
    x->r0 = 0;
    return x->status;
}

void mbpf_jit_block_fill(mbpf_jit_block *b, mbpf_exec *x)
{
    x->status = MBPF_OK;
    mbpf_jit_block_prepare(b, x);
    b->budget_at = (uint32_t)(uintptr_t)&x->budget;
    if (!x->ctx) /* no context region, whatever x->ctx_len (r2) says */
        b->ctx_mask_r = b->ctx_mask_w = 0;
    /* finish reads both, whatever the code (code that spends no budget writes neither) */
    b->budget = b->budget_sync = mbpf_jit_budget_word(x->budget);
    exec_begin(b, x); /* the caller's exec: filled now (its addresses may not be the block's) */
}

mbpf_status mbpf_jit_block_finish(mbpf_jit_block *b, mbpf_exec *x, uint32_t status)
{
    const mbpf_status st = mbpf_jit_block_end(b, x, status);
    budget_to_exec(b, x);
    return st;
}

mbpf_status mbpf_jit_run(mbpf_exec *x, const void *code, uint32_t entry_off)
{
    const mbpf_jit_fn fn = mbpf_jit_entry(code, entry_off);
    if (!fn) {
        x->status = MBPF_FAULT_BAD_INSN; /* no code runs on this build */
        return x->status;
    }
    mbpf_jit_block b __attribute__((aligned(8)));
    mbpf_jit_block_fill(&b, x);
    return mbpf_jit_block_finish(&b, x, mbpf_jit_fill_call(fn, &b, x));
}

#if !(defined(__arm__) && defined(__thumb2__)) && !(defined(__riscv) && __riscv_xlen == 32)
/* Builds without a code-executing engine (the host tools): nothing to mask. */
mbpf_jit_irq_state mbpf_jit_irq_save(void)
{
    return 0;
}

void mbpf_jit_irq_restore(mbpf_jit_irq_state s)
{
    (void)s;
}

/* No translated code can run here: the runtime never calls these on the host (it has no native
 * target), but it links them. */
void mbpf_jit_sync_code(const void *code, uint32_t len)
{
    (void)code;
    (void)len;
}

mbpf_jit_fn mbpf_jit_entry(const void *code, uint32_t entry_off)
{
    (void)code;
    (void)entry_off;
    return NULL;
}
#endif
