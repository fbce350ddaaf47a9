/* The interpreter loop: one handler per decoded slot, dispatched by computed goto (GCC, clang)
 * or a switch. Two ways in, one loop:
 *   - mbpf_interp_exec: a verified program pre-decoded by mbpf_interp_prepare; nothing the
 *     decoder or the verifier established is checked again;
 *   - mbpf_interp_run: any bytecode; each instruction is decoded (and so checked) when reached,
 *     into a 4-slot window whose pseudo-slots lead back to the decoder, and every access is
 *     checked. */
#include "mcubpf/config.h"
#include "runtime/interp_code.h"
#include "runtime/ebpf_ops.h"
#ifdef MBPF_INTERP_CHECK_FACTS
#include "runtime/interp_facts.h"
#ifndef MBPF_INTERP_COUNT
#define MBPF_INTERP_COUNT 1 /* the host tools report executed instructions */
#endif
#endif

#if defined(__GNUC__) && !defined(MBPF_INTERP_NO_THREADING) && MBPF_WITH_FAST_INTERP
#define INTERP_THREADED 1
#else
#define INTERP_THREADED 0
#endif

typedef struct call_frame {
    uint32_t ret;      /* pc to return to */
    uint64_t saved[5]; /* r6..r10 of the caller */
} call_frame;

/* Quick region check: an access of 2^i bytes at a is inside when a - start < cnt[i]. Sound by
 * construction (cnt is 0 when the region is absent or too small); a miss falls back to
 * mbpf_exec_check. */
typedef struct quick_region {
    uintptr_t start;
    uint32_t cnt[4];
} quick_region;

static void quick_set(quick_region *q, uintptr_t start, uint32_t len)
{
    if (!start)
        len = 0;
    q->start = start;
    q->cnt[0] = len; /* cnt[i] = len - 2^i + 1 when 2^i bytes fit, unrolled: this runs per call */
    q->cnt[1] = len >= 2u ? len - 1u : 0;
    q->cnt[2] = len >= 4u ? len - 3u : 0;
    q->cnt[3] = len >= 8u ? len - 7u : 0;
}

/* Loads and stores of eBPF memory. Where the core may trap on (or the compiler will not emit)
 * misaligned accesses, ebpf_load/ebpf_store work byte by byte; an aligned address, the common
 * case, takes one access instead. */
#if defined(__ARM_FEATURE_UNALIGNED) || defined(__x86_64__) || defined(__i386__)
#define mem_load ebpf_load
#define mem_store ebpf_store
#else
static inline __attribute__((always_inline)) uint64_t mem_load(uint64_t addr, uint32_t size)
{
    const void *p = (const void *)(uintptr_t)addr;
    if (addr & (size - 1u))
        return ebpf_load(addr, size);
    if (size == 1) { uint8_t v; __builtin_memcpy(&v, p, 1); return v; }
    if (size == 2) { uint16_t v; __builtin_memcpy(&v, __builtin_assume_aligned(p, 2), 2); return v; }
    if (size == 4) { uint32_t v; __builtin_memcpy(&v, __builtin_assume_aligned(p, 4), 4); return v; }
    uint64_t v;
    __builtin_memcpy(&v, __builtin_assume_aligned(p, 8), 8);
    return v;
}

static inline __attribute__((always_inline)) void mem_store(uint64_t addr, uint32_t size, uint64_t val)
{
    void *p = (void *)(uintptr_t)addr;
    if (addr & (size - 1u)) {
        ebpf_store(addr, size, val);
    } else if (size == 1) {
        uint8_t v = (uint8_t)val;
        __builtin_memcpy(p, &v, 1);
    } else if (size == 2) {
        uint16_t v = (uint16_t)val;
        __builtin_memcpy(__builtin_assume_aligned(p, 2), &v, 2);
    } else if (size == 4) {
        uint32_t v = (uint32_t)val;
        __builtin_memcpy(__builtin_assume_aligned(p, 4), &v, 4);
    } else {
        __builtin_memcpy(__builtin_assume_aligned(p, 8), &val, 8);
    }
}
#endif

static uint64_t sext(uint64_t v, uint32_t bits)
{
    uint64_t m = 1ull << (bits - 1);
    v &= (m << 1) - 1;
    return (v ^ m) - m;
}

static uint64_t bswap(uint64_t v, uint32_t width)
{
    uint64_t r = 0;
    for (uint32_t i = 0; i < width; i += 8)
        r = (r << 8) | ((v >> i) & 0xff);
    return r;
}

/* Where the budget units left are kept during a run. Thumb-2's loop spills a local of 64 bits
 * anyway: reaching x->budget_left costs a charge the same and spares copying it in and out
 * around helpers and at the end; the loop built for size keeps it there too (smaller). Elsewhere
 * (RV32: 31 registers) a local stays in registers. */
#if defined(__thumb__) || !MBPF_WITH_FAST_INTERP
#define INTERP_LEFT_IN_EXEC 1
#else
#define INTERP_LEFT_IN_EXEC 0
#endif

/* The loop-head record of pc in code; NULL when there is none. */
static const uint32_t *heads_of(const interp_code *code, uint32_t pc)
{
    return interp_head_find((const uint32_t *)(const void *)(code + 1), code->n_heads, pc);
}

/* Optimised for speed even in size-optimised builds: only then does GCC give each handler its own
 * dispatch jump instead of one shared one (a branch more per instruction). MBPF_WITH_FAST_INTERP=0
 * keeps the build's own optimisation and dispatches through a switch: the smallest code. */
#if defined(__GNUC__) && !defined(__clang__) && MBPF_WITH_FAST_INTERP
__attribute__((optimize("O2")))
#endif
/* The loop itself is mbpf_interp_exec_ready, the lane's call (no call in between); a NULL code
 * decodes as it runs (mbpf_interp_run). */
mbpf_status mbpf_interp_exec_ready(mbpf_exec *x, const void *code_)
{
    const interp_code *const code = code_;
#define P (x->prog) /* read where needed: few handlers do */
    const int safe = code == NULL;
    /* in memory, not a register taken from the loop: only a loop head's entry reads it again */
    const interp_code *volatile const code_kept = code;
    interp_slot buf[4]; /* safe path: current slot, 2 slots that step on, the jump's target */
    const interp_slot *base = buf, *d = buf;
    uint32_t bias = 0, depth = 0, tpc = 0, fpc = 0, asz = 0;
    int free_entry = 0;
    uint64_t reg[11], hid = 0;
    uint64_t *rp = reg;
    call_frame frames[MBPF_MAX_CALL_DEPTH];
    quick_region qr[INTERP_NO_REGION + 1], qw[INTERP_NO_REGION + 1];
    /* what a pre-decoded program needs of the entry state (all of it when decoding as it runs) */
#ifdef MBPF_INTERP_CHECK_FACTS
    const uint32_t uses = ~0u; /* the fact checks read r10 */
#else
    const uint32_t uses = safe ? ~0u : code->quick;
#endif
    /* budget units left; an unlimited budget (0) keeps 0 */
#if INTERP_LEFT_IN_EXEC
#define LEFT (x->budget_left)
#define LEFT_TO_EXEC() ((void)0)
#define LEFT_FROM_EXEC() ((void)0)
    x->budget_left = x->budget;
#else
    uint64_t left = x->budget;
#define LEFT left
#define LEFT_TO_EXEC() ((void)(x->budget_left = left))
#define LEFT_FROM_EXEC() ((void)(left = x->budget_left))
#endif
#if MBPF_INTERP_COUNT
    uint64_t count = 0;
#define COUNT() (count++)
#else
#define COUNT() ((void)0)
#endif
#ifdef MBPF_INTERP_CHECK_FACTS
    const mbpf_fact *const cf = x->facts;
#endif

/* Registers by byte offset (slots hold 8 * register number); rp is pinned in a register. */
#define REG(off) (*(uint64_t *)(void *)((uint8_t *)rp + (off)))
#define RD REG(d->dst)
#define RS REG(d->src)
#if MBPF_WITH_FAST_INTERP
#define RSK RS /* the source of an ALU or jump X form */
#else
#define RSK (d->src == INTERP_SRC_IMM ? (uint64_t)(int64_t)d->imm : RS) /* K forms decoded as X */
#endif
#define R(i) rp[i]
#define DECODING() (base == buf) /* the safe path, in handlers: the same as `safe` */
#define PC() ((uint32_t)(d - base) + bias)
/* A charge that does not fit stops the run, unless the budget is unlimited: its 0 units left
 * never fit, and never change. */
#define CHARGE(units, at)                                                                         \
    do {                                                                                          \
        if (LEFT >= (uint64_t)(units))                                                            \
            LEFT -= (uint64_t)(units);                                                            \
        else if (x->budget) {                                                                     \
            fpc = (at);                                                                           \
            goto budget_fault;                                                                    \
        }                                                                                         \
    } while (0)
#ifdef MBPF_INTERP_CHECK_FACTS
#define FACT_MEM(a, sz) do { if (cf) interp_fact_mem(x, PC(), a, sz, R(10)); } while (0)
#define FACT_AFTER() do { if (cf) interp_fact_after(x, PC(), RD); } while (0)
#define FACT_TAKEN() \
    do { if (cf && !DECODING()) interp_fact_taken(x, PC(), (uint32_t)d->x / (uint32_t)sizeof(interp_slot)); } while (0)
#define FACT_ENTRY(at) do { if (cf) interp_fact_entry(x, at); } while (0)
#define FACT_BACK(at, t) do { if (cf) interp_fact_taken(x, at, t); } while (0)
#else
#define FACT_MEM(a, sz) ((void)0)
#define FACT_AFTER() ((void)0)
#define FACT_TAKEN() ((void)0)
#define FACT_ENTRY(at) ((void)0)
#define FACT_BACK(at, t) ((void)0)
#endif

/* Handlers only the loop built for speed has (the decoder selects them only there): the K forms
 * of ALU ops and jumps, and unchecked accesses the verifier proved. */
#if MBPF_WITH_FAST_INTERP
#define IF_FAST(...) __VA_ARGS__
#else
#define IF_FAST(...)
#endif

#if INTERP_THREADED
#define LABEL_OF(name) &&L_##name,
#define LABEL_BAD(name) &&L_BAD,
    static const void *const labels[H_COUNT] = {INTERP_HANDLERS(LABEL_OF, LABEL_BAD)};
    const void *const *lt = labels;
    __asm__("" : "+r"(lt)); /* the table's address stays in a register */
#define DISPATCH(hh) goto *lt[(hh)]
#define OP(name) L_##name : COUNT();
#define PSEUDO(name) L_##name:
#else
    uint8_t h;
#define DISPATCH(hh) do { h = (hh); goto dispatch; } while (0)
#define OP(name) case H_##name: COUNT();
#define PSEUDO(name) case H_##name:
#endif
#define NEXT do { FACT_AFTER(); d++; DISPATCH(d->h); } while (0)
#define AT(off) ((const interp_slot *)(const void *)((const uint8_t *)base + (off)))
#define TAKE do { FACT_TAKEN(); uint8_t h_ = d->aux; d = AT(d->x); DISPATCH(h_); } while (0)

    __asm__("" : "+r"(rp)); /* keep the register file's address in a register */
    /* The entry state: only what the program uses. Most hooks read no more than the context
     * words; the rest (budget, stack, helpers' status, quick-check tables, decoding as it runs)
     * is set up after the loop, out of the way of the common entry. */
#define ENTRY_CTX()                                                                               \
    do {                                                                                          \
        if (uses & INTERP_USES_CTX) {                                                             \
            reg[1] = (uint64_t)(uintptr_t)x->ctx;                                                 \
            reg[2] = x->ctx_len;                                                                  \
        }                                                                                         \
    } while (0)
    ENTRY_CTX();
    if (uses & ~INTERP_USES_CTX)
        goto setup;
entered:
    base = (const interp_slot *)(const void *)((const uint32_t *)(const void *)(code + 1) + code->n_heads);
    d = base;
    DISPATCH(d->h);

#if !INTERP_THREADED
dispatch:
    switch (h) {
    default:
#endif
    OP(BAD) fpc = PC(); goto bad_insn;

    PSEUDO(HEAD) {
        /* first instruction of a bounded loop, entered: charge the trip bound, then run it */
        const uint32_t at = PC(),
                       *r = heads_of(code_kept, at);
        if (!r) {
            fpc = at;
            goto bad_insn;
        }
        CHARGE((*r & 0xffu) + 1u, at);
        FACT_ENTRY(at);
        DISPATCH((uint8_t)(*r >> 8));
    }
    PSEUDO(BACK_CHARGE) {
        /* trampoline of a back edge not proven bounded: 1 unit, charged at the jump */
        CHARGE(1, (uint32_t)d->imm);
        uint8_t h_ = d->aux;
        d = AT(d->x);
        DISPATCH(h_);
    }
    PSEUDO(SAFE_STEP) {
        tpc = bias + (uint32_t)(d - buf);
        free_entry = 0;
        goto safe_goto;
    }
    PSEUDO(SAFE_JUMP) {
        const uint8_t edge = d->aux;
        if (edge == EDGE_BAD) {
            fpc = bias;
            goto bad_insn;
        }
        if (edge == EDGE_BACK)
            CHARGE(1, bias);
        tpc = (uint32_t)d->x;
        if (edge == EDGE_FREE)
            FACT_BACK(bias, tpc);
        free_entry = edge == EDGE_FREE;
        goto safe_goto;
    }

#define ALU64(name, expr)                                                                         \
    OP(name##64X) { const uint64_t a = RD, b = RSK; (void)a; RD = (expr); } NEXT; \
    IF_FAST(OP(name##64K) { const uint64_t a = RD, b = (uint64_t)(int64_t)d->imm; (void)a; RD = (expr); } NEXT;)
#define ALU32(name, expr)                                                                         \
    OP(name##32X) { const uint32_t a = (uint32_t)RD, b = (uint32_t)RSK; (void)a; RD = (uint32_t)(expr); } NEXT; \
    IF_FAST(OP(name##32K) { const uint32_t a = (uint32_t)RD, b = (uint32_t)d->imm; (void)a; RD = (uint32_t)(expr); } NEXT;)
#define ALU(name, expr64, expr32) ALU64(name, expr64) ALU32(name, expr32)
    ALU(ADD, a + b, a + b)
    ALU(SUB, a - b, a - b)
    ALU(MUL, a * b, a * b)
    ALU(DIV, b ? a / b : 0, b ? a / b : 0)
    ALU(OR, a | b, a | b)
    ALU(AND, a & b, a & b)
    ALU(LSH, a << (b & 63), a << (b & 31))
    ALU(RSH, a >> (b & 63), a >> (b & 31))
    ALU(MOD, b ? a % b : a, b ? a % b : a)
    ALU(XOR, a ^ b, a ^ b)
    ALU(MOV, b, b)
    ALU(ARSH, (uint64_t)((int64_t)a >> (b & 63)), sext(a >> (b & 31), 32 - (b & 31)))
    ALU(SDIV, ebpf_sdiv64(a, b), ebpf_sdiv64(sext(a, 32), sext(b, 32)))
    ALU(SMOD, ebpf_smod64(a, b), ebpf_smod64(sext(a, 32), sext(b, 32)))
    OP(NEG64K) RD = 0 - RD; NEXT;
    OP(NEG32K) RD = (uint32_t)(0 - (uint32_t)RD); NEXT;
    OP(MOVSX8_64X) RD = sext(RS, 8); NEXT;
    OP(MOVSX16_64X) RD = sext(RS, 16); NEXT;
    OP(MOVSX32_64X) RD = sext(RS, 32); NEXT;
    OP(MOVSX8_32X) RD = (uint32_t)sext(RS, 8); NEXT;
    OP(MOVSX16_32X) RD = (uint32_t)sext(RS, 16); NEXT;
    OP(LE16) RD = (uint16_t)RD; NEXT;
    OP(LE32) RD = (uint32_t)RD; NEXT;
    OP(LE64) NEXT;
    OP(BSWAP16) RD = bswap(RD, 16); NEXT;
    OP(BSWAP32) RD = bswap(RD, 32); NEXT;
    OP(BSWAP64) RD = bswap(RD, 64); NEXT;

    OP(JA) TAKE;
#define JCC(name, t64, t32, cmp)                                                                  \
    OP(name##64X) if ((t64)RD cmp (t64)RSK) TAKE; NEXT;                              \
    IF_FAST(OP(name##64K) if ((t64)RD cmp (t64)(int64_t)d->imm) TAKE; NEXT;)               \
    OP(name##32X) if ((t32)(uint32_t)RD cmp (t32)(uint32_t)RSK) TAKE; NEXT;          \
    IF_FAST(OP(name##32K) if ((t32)(uint32_t)RD cmp (t32)(uint32_t)d->imm) TAKE; NEXT;)
    JCC(JEQ, uint64_t, uint32_t, ==)
    JCC(JNE, uint64_t, uint32_t, !=)
    JCC(JGT, uint64_t, uint32_t, >)
    JCC(JGE, uint64_t, uint32_t, >=)
    JCC(JLT, uint64_t, uint32_t, <)
    JCC(JLE, uint64_t, uint32_t, <=)
    JCC(JSGT, int64_t, int32_t, >)
    JCC(JSGE, int64_t, int32_t, >=)
    JCC(JSLT, int64_t, int32_t, <)
    JCC(JSLE, int64_t, int32_t, <=)
    OP(JSET64X) if (RD & RSK) TAKE; NEXT;
    IF_FAST(OP(JSET64K) if (RD & (uint64_t)(int64_t)d->imm) TAKE; NEXT;)
    OP(JSET32X) if ((uint32_t)RD & (uint32_t)RSK) TAKE; NEXT;
    IF_FAST(OP(JSET32K) if ((uint32_t)RD & (uint32_t)d->imm) TAKE; NEXT;)

    OP(CALL_LOCAL) {
        const uint32_t at = PC();
        CHARGE(1, at);
        const uint32_t max_depth = x->stack_len / MBPF_STACK_SIZE; /* frames that fit */
        if (depth + 1 >= max_depth || depth + 1 >= MBPF_MAX_CALL_DEPTH) {
            x->status = MBPF_FAULT_CALL_DEPTH;
            fpc = at;
            goto fault_plain;
        }
        frames[depth].ret = at + 1;
        for (int i = 0; i < 5; i++)
            frames[depth].saved[i] = rp[6 + i];
        depth++;
        x->stack_top = (uintptr_t)x->stack + (uintptr_t)(depth + 1) * MBPF_STACK_SIZE;
        rp[10] = (uint64_t)x->stack_top;
        quick_set(&qr[MBPF_RGN_STACK], (uintptr_t)x->stack, (depth + 1) * MBPF_STACK_SIZE);
        qw[MBPF_RGN_STACK] = qr[MBPF_RGN_STACK];
        if (DECODING()) {
            tpc = (uint32_t)d->x;
            free_entry = 0;
            goto safe_goto;
        }
        uint8_t h_ = d->aux;
        d = AT(d->x);
        DISPATCH(h_);
    }
    OP(EXIT) {
        if (depth == 0) { /* the common end, as short as it can be */
            x->r0 = rp[0];
            x->status = MBPF_OK;
#if MBPF_INTERP_COUNT
            x->insns_executed = count;
#endif
            LEFT_TO_EXEC();
            return MBPF_OK;
        }
        depth--;
        for (int i = 0; i < 5; i++)
            rp[6 + i] = frames[depth].saved[i];
        x->stack_top = (uintptr_t)x->stack + (uintptr_t)(depth + 1) * MBPF_STACK_SIZE;
        quick_set(&qr[MBPF_RGN_STACK], (uintptr_t)x->stack, (depth + 1) * MBPF_STACK_SIZE);
        qw[MBPF_RGN_STACK] = qr[MBPF_RGN_STACK];
        if (DECODING()) {
            tpc = frames[depth].ret;
            free_entry = 0;
            goto safe_goto;
        }
        d = base + frames[depth].ret;
        DISPATCH(d->h);
    }
    OP(CALL_HELPER) hid = (uint32_t)d->imm; goto helper;
    OP(CALLX) hid = RD; goto helper;

    OP(LDDW) RD = (uint64_t)(uint32_t)d->imm | (uint64_t)(uint32_t)d->x << 32; d += 2; DISPATCH(d->h);
    OP(LDDW_RODATA) RD = (uint64_t)(uintptr_t)P->rodata + (uint32_t)d->x; d += 2; DISPATCH(d->h);
    OP(LDDW_DATA) RD = (uint64_t)(uintptr_t)P->data + (uint32_t)d->x; d += 2; DISPATCH(d->h);

#define QUICK(q, a, si) ((uint64_t)(a) - (uint64_t)(q)[d->aux].start < (uint64_t)(q)[d->aux].cnt[si])
#define LOAD(name, sz, si, conv)                                                                \
    OP(name) {                                                                                    \
        const uint64_t a = RS + (uint64_t)(int64_t)d->x;                                   \
        FACT_MEM(a, sz);                                                                        \
        if (!QUICK(qr, a, si) && !mbpf_exec_check(x, a, sz, MBPF_REGION_R)) {                   \
            x->status = MBPF_FAULT_MEM_READ;                                                      \
            x->fault.addr = a;                                                                    \
            x->fault.size = sz;                                                                 \
            fpc = PC();                                                                           \
            goto fault;                                                                           \
        }                                                                                         \
        RD = conv(mem_load(a, sz), sz);                                               \
    }                                                                                             \
    NEXT;                                                                                         \
    IF_FAST(OP(name##P) {                                                                         \
        const uint64_t a = RS + (uint64_t)(int64_t)d->x;                                   \
        FACT_MEM(a, sz);                                                                        \
        RD = conv(mem_load(a, sz), sz);                                               \
    }                                                                                             \
    NEXT;)
#define PLAIN(v, sz) (v)
#define SEXT(v, sz) sext(v, (sz) * 8u)
    LOAD(LDXB, 1, 0, PLAIN)
    LOAD(LDXH, 2, 1, PLAIN)
    LOAD(LDXW, 4, 2, PLAIN)
    LOAD(LDXDW, 8, 3, PLAIN)
    LOAD(LDXSB, 1, 0, SEXT)
    LOAD(LDXSH, 2, 1, SEXT)
    LOAD(LDXSW, 4, 2, SEXT)

#define STORE(name, sz, si, value)                                                              \
    OP(name) {                                                                                    \
        const uint64_t a = RD + (uint64_t)(int64_t)d->x;                                   \
        FACT_MEM(a, sz);                                                                        \
        if (!QUICK(qw, a, si) && !mbpf_exec_check(x, a, sz, MBPF_REGION_W)) {                   \
            x->status = MBPF_FAULT_MEM_WRITE;                                                     \
            x->fault.addr = a;                                                                    \
            x->fault.size = sz;                                                                 \
            fpc = PC();                                                                           \
            goto fault;                                                                           \
        }                                                                                         \
        mem_store(a, sz, value);                                                               \
    }                                                                                             \
    NEXT;                                                                                         \
    IF_FAST(OP(name##P) {                                                                         \
        const uint64_t a = RD + (uint64_t)(int64_t)d->x;                                   \
        FACT_MEM(a, sz);                                                                        \
        mem_store(a, sz, value);                                                               \
    }                                                                                             \
    NEXT;)
    STORE(STXB, 1, 0, RS)
    STORE(STXH, 2, 1, RS)
    STORE(STXW, 4, 2, RS)
    STORE(STXDW, 8, 3, RS)
    STORE(STB, 1, 0, (uint64_t)(int64_t)d->imm)
    STORE(STH, 2, 1, (uint64_t)(int64_t)d->imm)
    STORE(STW, 4, 2, (uint64_t)(int64_t)d->imm)
    STORE(STDW, 8, 3, (uint64_t)(int64_t)d->imm)

    OP(ATOMIC32) asz = 4; goto atomic;
    OP(ATOMIC64) asz = 8; goto atomic;
#if !INTERP_THREADED
    }
#endif

atomic: {
    const uint32_t size = asz;
    const uint64_t a = RD + (uint64_t)(int64_t)d->x;
    FACT_MEM(a, size);
    if (!mbpf_exec_check(x, a, size, MBPF_REGION_R | MBPF_REGION_W)) {
        x->status = MBPF_FAULT_MEM_WRITE;
        x->fault.addr = a;
        x->fault.size = size;
        fpc = PC();
        goto fault;
    }
    uint64_t r0 = rp[0];
    ebpf_atomic(d->imm, a, size, &REG(d->src), &r0); /* the operation was validated by the decoder */
    if ((d->imm & ~MBPF_FETCH) == (MBPF_CMPXCHG & ~MBPF_FETCH))
        rp[0] = size == 4 ? (uint32_t)r0 : r0;
    else if ((d->imm & MBPF_FETCH) && size == 4)
        RS = (uint32_t)RS;
    NEXT;
}

helper: {
    const uint32_t at = PC();
    CHARGE(1, at);
    const mbpf_helper_fn fn = mbpf_exec_helper(x, hid);
    if (!fn) {
        x->status = MBPF_FAULT_HELPER;
        x->fault.addr = hid;
        x->fault.size = 0;
        fpc = at;
        goto fault;
    }
    LEFT_TO_EXEC(); /* helpers charge there */
    rp[0] = fn(x, &rp[1]);
    LEFT_FROM_EXEC();
    if (x->status != MBPF_OK) {
        if (x->status == MBPF_FAULT_STOPPED) {
            x->status = MBPF_OK; /* r0 was set by mbpf_exec_stop */
            goto out;
        }
        x->fault.pc = at;
        goto out;
    }
    NEXT;
}

setup:
#ifdef MBPF_INTERP_CHECK_FACTS
    if (cf)
        interp_facts_begin(x);
#endif

    /* bytecode that was not verified may read a register before writing it: zeros then; the
     * verifier proves that a pre-decoded program never does */
#ifndef MBPF_INTERP_CHECK_FACTS
    if (safe)
#endif
    {
        for (int i = 0; i < 11; i++)
            reg[i] = 0;
        ENTRY_CTX();
    }
    if (uses & INTERP_USES_STACK) { /* the entry frame: the whole stack when it is smaller */
        x->stack_top = (uintptr_t)x->stack +
                       (x->stack_len < MBPF_STACK_SIZE ? x->stack_len : MBPF_STACK_SIZE);
        reg[10] = (uint64_t)x->stack_top;
    }
    if (uses & INTERP_USES_HELPERS)
        x->status = MBPF_OK;

    /* the quick-check tables the program's checked accesses read (all of them when decoding as it
     * runs), each set up once per run; calls and returns keep the stack's current */
    const uint32_t quick = uses & INTERP_QUICK_MASK;
#define USES(rgn, w) ((quick >> ((w) * INTERP_QUICK_W + (rgn))) & 1u)
    if (quick) { /* none for a program whose accesses are all proven */
        if (USES(MBPF_RGN_STACK, 0) || USES(MBPF_RGN_STACK, 1)) {
            quick_set(&qr[MBPF_RGN_STACK], (uintptr_t)x->stack,
                      (uint32_t)(x->stack_top - (uintptr_t)x->stack));
            qw[MBPF_RGN_STACK] = qr[MBPF_RGN_STACK];
        }
        if (USES(MBPF_RGN_CTX, 0))
            quick_set(&qr[MBPF_RGN_CTX], (x->ctx_flags & MBPF_REGION_R) ? (uintptr_t)x->ctx : 0,
                      x->ctx_len);
        if (USES(MBPF_RGN_CTX, 1))
            quick_set(&qw[MBPF_RGN_CTX], (x->ctx_flags & MBPF_REGION_W) ? (uintptr_t)x->ctx : 0,
                      x->ctx_len);
        if (USES(MBPF_RGN_RODATA, 0))
            quick_set(&qr[MBPF_RGN_RODATA], (uintptr_t)P->rodata, P->rodata_len);
        if (USES(MBPF_RGN_RODATA, 1))
            quick_set(&qw[MBPF_RGN_RODATA], 0, 0);
        if (USES(MBPF_RGN_DATA, 0) || USES(MBPF_RGN_DATA, 1)) {
            quick_set(&qr[MBPF_RGN_DATA], (uintptr_t)P->data, P->data_len);
            qw[MBPF_RGN_DATA] = qr[MBPF_RGN_DATA];
        }
        if (USES(INTERP_NO_REGION, 0) || USES(INTERP_NO_REGION, 1)) {
            quick_set(&qr[INTERP_NO_REGION], 0, 0);
            qw[INTERP_NO_REGION] = qr[INTERP_NO_REGION];
        }
    }
#undef USES

    if (safe) {
        base = buf;
        buf[1] = (interp_slot){H_SAFE_STEP, 0, 0, 0, 0, 0};
        buf[2] = buf[1];
        tpc = 0;
        goto safe_goto;
    }
    goto entered;
#undef ENTRY_CTX

safe_goto:
    /* safe path: decode instruction tpc into buf[0]; a jump's target goes to buf[3] */
    if (tpc >= P->n_insns) {
        fpc = tpc;
        goto bad_insn;
    }
    bias = tpc;
    {
        uint8_t edge;
        interp_decode(P, x->facts, 0, tpc, &buf[0], &edge);
        if (edge != EDGE_NONE && buf[0].h != H_CALL_LOCAL) {
            buf[3] = (interp_slot){H_SAFE_JUMP, 0, 0, edge, 0, buf[0].x};
            buf[0].aux = H_SAFE_JUMP;
            buf[0].x = 3 * (int32_t)sizeof(interp_slot);
        }
        if (!free_entry && x->facts && (x->facts[tpc].flags & MBPF_FACT_LOOP_HEAD)) {
            CHARGE(MBPF_FACT_TRIPS(&x->facts[tpc]), tpc);
            FACT_ENTRY(tpc);
        }
        d = buf;
        DISPATCH(buf[0].h);
    }

bad_insn:
    x->status = MBPF_FAULT_BAD_INSN;
    goto fault_plain;
budget_fault:
    x->status = MBPF_FAULT_BUDGET;
fault_plain:
    x->fault.addr = 0;
    x->fault.size = 0;
fault:
    x->fault.pc = fpc;
    goto out;
out:
#if MBPF_INTERP_COUNT
    x->insns_executed = count;
#endif
    LEFT_TO_EXEC();
    return x->status;
#undef P
}

mbpf_status mbpf_interp_run(mbpf_exec *x)
{
    return mbpf_interp_exec_ready(x, NULL);
}

mbpf_status mbpf_interp_exec(mbpf_exec *x, const void *code)
{
    const interp_code *c = code;
    if (!c || c->magic != INTERP_MAGIC || !x->prog || c->n_insns != x->prog->n_insns) {
        x->status = MBPF_FAULT_BAD_INSN;
        x->fault.pc = 0;
        return x->status;
    }
    return mbpf_interp_exec_ready(x, c);
}
