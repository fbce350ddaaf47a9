/* Seeded generator of valid, terminating eBPF programs over all instruction classes, for
 * differential testing (interpreter vs translated code). Freestanding: it runs on the device.
 *
 * Shape: the context pointer (r1) is kept in r9 (CTX_REG), which nothing else writes; r0-r8 get
 * constants; the stack slots [r10-72, r10-8) are zeroed; then random blocks: ALU (every op, 32/64, imm/reg, division and
 * modulo with arbitrary divisors, movsx, byte swaps, neg), forward conditional jumps of every
 * kind, bounded loops, loads/stores/atomics on the stack and on the context (in bounds, and
 * rarely one past the end, which must fault the same way), LDDW, helper calls (pure helpers 0
 * and 3) and local calls into small functions at the end. Finally all registers are folded into
 * r0.
 *
 * Shapes that stress an optimising translator: blocks keeping all ten registers live as 64-bit
 * values (register pressure); values whose upper half is read on one path of a branch only;
 * context accesses through a data-dependent index and at the last valid byte; helper calls with
 * fresh values live in r6..r8 across them; rarely a long unbounded loop that exhausts the budget
 * part way through (both engines must stop at the same back edge); rotates written with shifts
 * and an or, as clang writes them, in 32 and 64 bits, and near misses (amounts that do not add
 * up, a temporary read afterwards); multi-byte reads written load by load from one base, near
 * and past the end of the context. */
#include "tests/diff/randprog.h"

typedef struct gen {
    uint32_t s;
    mbpf_insn *out;
    uint32_t n, cap;
    uint32_t mem_len;
    int loop_reg; /* register a loop is counting with (not written by the body), or -1 */
    uint32_t n_funcs;
    uint32_t call_sites[8];
    uint32_t call_targets[8];
    uint32_t n_calls;
    int long_loop_done;
} gen;

static uint32_t rnd(gen *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 17;
    g->s ^= g->s << 5;
    return g->s;
}

static uint32_t below(gen *g, uint32_t n)
{
    return n ? rnd(g) % n : 0;
}

static void put(gen *g, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
    if (g->n < g->cap) {
        mbpf_insn *in = &g->out[g->n];
        in->code = code;
        in->regs = MBPF_REGS(dst, src);
        in->off = off;
        in->imm = imm;
    }
    g->n++;
}

static int32_t rnd_imm(gen *g)
{
    switch (below(g, 6)) {
    case 0: return (int32_t)below(g, 16);
    case 1: return -(int32_t)below(g, 16);
    case 2: return (int32_t)rnd(g);
    case 3: return (int32_t)0x80000000u;
    case 4: return -1;
    default: return (int32_t)below(g, 100000);
    }
}

/* The context pointer stays in this callee-saved register for the whole program: kept on the
 * stack instead, it would turn every slot into "may hold an address" for the verifier after the
 * first call, and a program could then no longer store a loaded value outside the stack. */
#define CTX_REG 9

/* A data register the current block may write (never r10, never the context register, never a
 * loop counter). */
static int wreg(gen *g)
{
    for (;;) {
        int r = (int)below(g, 10);
        if (r != g->loop_reg && r != CTX_REG)
            return r;
    }
}

static void gen_alu(gen *g)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_DIV, MBPF_OR, MBPF_AND, MBPF_LSH,
                                  MBPF_RSH, MBPF_NEG, MBPF_MOD, MBPF_XOR, MBPF_MOV, MBPF_ARSH, MBPF_END};
    const int is64 = (int)below(g, 2);
    const uint8_t cls = is64 ? MBPF_ALU64 : MBPF_ALU;
    const uint8_t op = ops[below(g, sizeof ops)];
    const int dst = wreg(g), src = (int)below(g, 10);
    if (op == MBPF_NEG) {
        put(g, (uint8_t)(cls | op), dst, 0, 0, 0);
    } else if (op == MBPF_END) {
        static const int32_t widths[] = {16, 32, 64};
        uint8_t srcbit = is64 ? 0 : (uint8_t)(below(g, 2) ? MBPF_TO_BE : MBPF_TO_LE);
        put(g, (uint8_t)(cls | op | srcbit), dst, 0, 0, widths[below(g, 3)]);
    } else if (op == MBPF_MOV && below(g, 3) == 0) { /* movsx */
        static const int16_t w64[] = {8, 16, 32}, w32[] = {8, 16};
        put(g, (uint8_t)(cls | op | MBPF_X), dst, src, 0, 0);
        g->out[g->n - 1].off = is64 ? w64[below(g, 3)] : w32[below(g, 2)];
    } else {
        int16_t off = 0;
        if ((op == MBPF_DIV || op == MBPF_MOD) && below(g, 2))
            off = 1; /* signed */
        if (below(g, 2))
            put(g, (uint8_t)(cls | op | MBPF_X), dst, src, off, 0);
        else
            put(g, (uint8_t)(cls | op | MBPF_K), dst, 0, off, rnd_imm(g));
    }
}

/* The register whose value a store outside the stack writes, made just before the store from
 * a byte of the context and an immediate: the verifier refuses to store anything that may hold
 * (part of) an address outside the stack, and after any call it can no longer tell which stack
 * slots or results might. `base` is the context pointer (advanced by at most 15 when indexed). */
static int stored_value(gen *g, int base, int indexed)
{
    int r = wreg(g);
    while (r == base)
        r = wreg(g);
    put(g, MBPF_LDX | MBPF_MEM | MBPF_B, r, base, (int16_t)(indexed ? 0 : below(g, g->mem_len)), 0);
    if (below(g, 2))
        put(g, (uint8_t)(MBPF_ALU64 | MBPF_XOR | MBPF_K), r, 0, 0, rnd_imm(g));
    return r;
}

/* Does the instruction just generated write register r (a load into it, a fetching atomic)? */
static int writes_reg(const mbpf_insn *in, int r)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    if (cls == MBPF_LDX)
        return MBPF_DST(in) == r;
    if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC)
        return (in->imm == MBPF_CMPXCHG && r == 0) || ((in->imm & MBPF_FETCH) && MBPF_SRC(in) == r);
    return 0;
}

/* A little- (or rarely big-) endian read written load by load from one copy of the context
 * pointer, as clang writes one it cannot prove aligned: 2 to 8 loads of one size at consecutive
 * offsets (rarely in descending order), each shifted into place and or-ed into an accumulator, at the end of
 * the context or one or two bytes past it, which must fault at the same load; unrelated work
 * in between, and the temporary often dead after it, so that a translator may make the read
 * one load. */
static void gen_read(gen *g)
{
    static const uint8_t sizes[] = {MBPF_B, MBPF_B, MBPF_H, MBPF_W};
    const uint8_t sz = sizes[below(g, 4)];
    const int32_t size = (int32_t)mbpf_size_bytes(sz), n = 2 + (int32_t)below(g, 7);
    if ((uint32_t)(n * size) + 2 > g->mem_len)
        return;
    const int base = wreg(g);
    int acc = wreg(g), tmp = wreg(g);
    while (acc == base)
        acc = wreg(g);
    while (tmp == base || tmp == acc)
        tmp = wreg(g);
    const uint32_t k = below(g, 4);
    const int32_t start = (int32_t)g->mem_len - n * size + (k == 3 ? (int32_t)below(g, 3) : -(int32_t)k);
    const int down = below(g, 4) == 0, big = below(g, 4) == 0;
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, base, CTX_REG, 0, 0);
    for (int32_t i = 0; i < n; i++) {
        const int32_t at = down ? n - 1 - i : i;
        const int r = i == 0 ? acc : tmp;
        put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | sz), r, base, (int16_t)(start + at * size), 0);
        if (below(g, 3) == 0) { /* unrelated work in between, as clang schedules it */
            int o = wreg(g);
            while (o == base || o == acc || o == tmp)
                o = wreg(g);
            const int32_t imm = rnd_imm(g);
            put(g, MBPF_ALU64 | (below(g, 2) ? MBPF_ADD : MBPF_XOR) | MBPF_K, o, 0, 0, imm);
        }
        if (i == 0)
            continue;
        const int32_t lane = big ? n - 1 - at : at;
        if (lane * size * 8 < 64)
            put(g, MBPF_ALU64 | MBPF_LSH | MBPF_K, r, 0, 0, lane * size * 8);
        put(g, MBPF_ALU64 | MBPF_OR | MBPF_X, acc, r, 0, 0);
    }
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, base, 0, 0, rnd_imm(g)); /* see gen_mem */
    if (below(g, 2)) /* the temporary dead after the read: the window computes acc alone */
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, tmp, 0, 0, rnd_imm(g));
}

static void gen_mem(gen *g)
{
    static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    const uint8_t sz = sizes[below(g, 4)];
    const uint32_t size = mbpf_size_bytes(sz);
    int base, indexed = 0;
    int16_t off;
    if (below(g, 2) || g->mem_len < 8) { /* stack slots [r10-72, r10-8) */
        base = MBPF_REG_FP;
        off = (int16_t)(-72 + (int32_t)below(g, 64 - size + 1));
    } else { /* context through a copy of the context register */
        base = wreg(g);
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, base, CTX_REG, 0, 0);
        uint32_t span = g->mem_len - size + 1, k = below(g, 64);
        if (k == 0) {
            off = (int16_t)(g->mem_len - size + 1); /* one past the end: faults */
        } else if (k < 8) {
            off = (int16_t)(g->mem_len - size); /* the last valid bytes */
        } else if (k < 16 && g->mem_len >= 16 + size) {
            /* data-dependent index: base += (a context byte) & 15, then a bounded offset (the
             * byte, not any register: one derived from an address would make the access's
             * pointer unknown to the verifier) */
            int idx = wreg(g);
            while (idx == base)
                idx = wreg(g);
            put(g, MBPF_LDX | MBPF_MEM | MBPF_B, idx, CTX_REG, (int16_t)below(g, g->mem_len), 0);
            put(g, MBPF_ALU64 | MBPF_AND | MBPF_K, idx, 0, 0, 15);
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, base, idx, 0, 0);
            off = (int16_t)below(g, g->mem_len - 15 - size + (below(g, 16) == 0 ? 2 : 0));
            indexed = 1;
        } else {
            off = (int16_t)below(g, span);
        }
    }
    switch (below(g, indexed ? 4 : 5)) { /* atomics only at aligned addresses */
    case 0:
    case 1: {
        int dst = wreg(g);
        uint8_t mode = (sz != MBPF_DW && below(g, 3) == 0) ? MBPF_MEMSX : MBPF_MEM;
        put(g, (uint8_t)(MBPF_LDX | mode | sz), dst, base, off, 0);
        break;
    }
    case 2:
        put(g, (uint8_t)(MBPF_ST | MBPF_MEM | sz), base, 0, off, rnd_imm(g));
        break;
    case 3:
        put(g, (uint8_t)(MBPF_STX | MBPF_MEM | sz), base,
            base == MBPF_REG_FP ? (int)below(g, 10) : stored_value(g, base, indexed), off, 0);
        break;
    default: { /* atomic, 4 or 8 bytes, 4-aligned within the area */
        static const int32_t aops[] = {MBPF_ADD, MBPF_OR, MBPF_AND, MBPF_XOR, MBPF_ADD | MBPF_FETCH,
                                       MBPF_OR | MBPF_FETCH, MBPF_AND | MBPF_FETCH,
                                       MBPF_XOR | MBPF_FETCH, MBPF_XCHG, MBPF_CMPXCHG};
        uint8_t asz = below(g, 2) ? MBPF_W : MBPF_DW;
        int32_t op = aops[below(g, 10)];
        int src = base == MBPF_REG_FP ? (op == MBPF_CMPXCHG || (op & MBPF_FETCH) ? wreg(g) : (int)below(g, 10))
                                      : stored_value(g, base, indexed);
        if (op == MBPF_CMPXCHG && g->loop_reg == 0)
            op = MBPF_ADD; /* cmpxchg writes r0 */
        if (base == MBPF_REG_FP)
            off = (int16_t)(-72 + 8 * (int32_t)below(g, 8));
        else if (off > (int16_t)(g->mem_len - 8))
            off = (int16_t)(g->mem_len - 8);
        put(g, (uint8_t)(MBPF_STX | MBPF_ATOMIC | asz), base, src, off, op);
        break;
    }
    }
    /* the context pointer lives only inside this access: a register left holding it could later
     * be stored outside the stack, which the verifier refuses (it would leak an address) */
    if (base != MBPF_REG_FP && g->n <= g->cap && !writes_reg(&g->out[g->n - 1], base))
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, base, 0, 0, rnd_imm(g));
}

static void gen_simple(gen *g)
{
    uint32_t k = below(g, 10);
    if (k < 6)
        gen_alu(g);
    else if (k < 9)
        below(g, 8) ? gen_mem(g) : gen_read(g);
    else { /* lddw */
        const int32_t lo = (int32_t)rnd(g);
        put(g, MBPF_OPC_LDDW, wreg(g), 0, 0, lo);
        put(g, 0, 0, 0, 0, (int32_t)rnd(g));
    }
}

static void gen_jump(gen *g)
{
    static const uint8_t ops[] = {MBPF_JEQ, MBPF_JGT, MBPF_JGE, MBPF_JSET, MBPF_JNE, MBPF_JSGT,
                                  MBPF_JSGE, MBPF_JLT, MBPF_JLE, MBPF_JSLT, MBPF_JSLE};
    uint8_t cls = below(g, 2) ? MBPF_JMP : MBPF_JMP32;
    uint8_t op = ops[below(g, sizeof ops)];
    uint32_t at = g->n;
    if (below(g, 2)) {
        const int src = (int)below(g, 11);
        put(g, (uint8_t)(cls | op | MBPF_X), (int)below(g, 10), src, 0, 0);
    } else {
        const int32_t imm = rnd_imm(g);
        put(g, (uint8_t)(cls | op | MBPF_K), (int)below(g, 11), 0, 0, imm);
    }
    uint32_t start = g->n, count = 1 + below(g, 4);
    for (uint32_t i = 0; i < count; i++)
        gen_simple(g);
    if (at < g->cap)
        g->out[at].off = (int16_t)(g->n - start);
}

static void gen_loop(gen *g)
{
    if (g->loop_reg >= 0)
        return;
    int c = wreg(g);
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, c, 0, 0, (int32_t)(1 + below(g, 6)));
    g->loop_reg = c;
    uint32_t head = g->n, count = 1 + below(g, 5);
    for (uint32_t i = 0; i < count; i++)
        gen_simple(g);
    put(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, c, 0, 0, 1);
    put(g, MBPF_JMP | MBPF_JNE | MBPF_K, c, 0, (int16_t)((int32_t)head - (int32_t)g->n - 1), 0);
    g->loop_reg = -1;
}

/* A call leaves r1..r5 undefined (the verifier rejects reading them): give them new values. */
static void reload_args(gen *g)
{
    for (int r = 1; r <= 5; r++)
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, rnd_imm(g));
}

/* All ten registers live as 64-bit values: each is mixed with another, then all are used. */
static void gen_pressure(gen *g)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_XOR, MBPF_OR, MBPF_MUL};
    const uint32_t rot = 1 + below(g, 9);
    for (int r = 0; r < 10; r++) {
        if (r == g->loop_reg || r == CTX_REG)
            continue;
        put(g, (uint8_t)(MBPF_ALU64 | ops[below(g, sizeof ops)] | MBPF_X), r, (int)((r + rot) % 10), 0, 0);
        if (below(g, 3) == 0)
            put(g, MBPF_ALU64 | MBPF_LSH | MBPF_K, r, 0, 0, (int32_t)(1 + below(g, 40)));
    }
}

/* An upper half that matters on one path only: d gets a 32-bit value, then a 64-bit operation
 * that may carry into its upper half; one side of a branch reads all 64 bits, the other 32. */
static void gen_one_path_upper(gen *g)
{
    const int d = wreg(g), s = (int)below(g, 10), x = wreg(g);
    put(g, MBPF_ALU | MBPF_MOV | MBPF_X, d, s, 0, 0);
    const int32_t imm = rnd_imm(g);
    put(g, (uint8_t)(MBPF_ALU64 | (below(g, 2) ? MBPF_ADD : MBPF_SUB) | MBPF_K), d, 0, 0, imm);
    const uint32_t bit = 1u << below(g, 32);
    put(g, MBPF_JMP32 | MBPF_JSET | MBPF_K, (int)below(g, 10), 0, 2, (int32_t)bit);
    put(g, MBPF_ALU | MBPF_MOV | MBPF_X, x, d, 0, 0); /* lower half only */
    put(g, MBPF_JMP | MBPF_JA, 0, 0, 1, 0);
    put(g, MBPF_ALU64 | MBPF_XOR | MBPF_X, x, d, 0, 0); /* all 64 bits */
}

/* A loop the verifier cannot bound and the budget (100,000 in the runner) may not cover: it
 * stops part way through when the trip count is above what is left. At most one per program. */
static void gen_long_loop(gen *g)
{
    if (g->loop_reg >= 0 || g->long_loop_done)
        return;
    g->long_loop_done = 1;
    const int c = wreg(g);
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, c, 0, 0, (int32_t)(60000 + below(g, 80000)));
    g->loop_reg = c;
    const uint32_t head = g->n;
    gen_alu(g);
    put(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, c, 0, 0, 1);
    put(g, MBPF_JMP | MBPF_JSGT | MBPF_K, c, 0, (int16_t)((int32_t)head - (int32_t)g->n - 1), 0);
    g->loop_reg = -1;
}

/* mov t1, x; shift t1, k1; [mov t2, x;] shift t2 (or x), k2 the other way; or into either. */
static void gen_rotate(gen *g)
{
    const int wide = (int)below(g, 2);
    const uint8_t cls = wide ? MBPF_ALU64 : MBPF_ALU;
    const int32_t w = wide ? 64 : 32;
    const int x = wreg(g), t1 = wreg(g);
    if (x == t1)
        return;
    int32_t k1 = 1 + (int32_t)below(g, (uint32_t)w - 1);
    if (wide && below(g, 4) == 0)
        k1 = 32; /* the halves swap */
    int32_t k2 = w - k1;
    if (below(g, 8) == 0)
        k2 = 1 + (int32_t)below(g, (uint32_t)w - 1); /* usually not a rotate */
    const uint8_t first = below(g, 2) ? MBPF_LSH : MBPF_RSH;
    const uint8_t second = first == MBPF_LSH ? MBPF_RSH : MBPF_LSH;
    int t2 = x;
    put(g, (uint8_t)(cls | MBPF_MOV | MBPF_X), t1, x, 0, 0);
    put(g, (uint8_t)(cls | first | MBPF_K), t1, 0, 0, k1);
    if (below(g, 2)) {
        const int c = wreg(g);
        if (c != x && c != t1) {
            t2 = c;
            put(g, (uint8_t)(cls | MBPF_MOV | MBPF_X), t2, x, 0, 0);
        }
    }
    put(g, (uint8_t)(cls | second | MBPF_K), t2, 0, 0, k2);
    const int into_t1 = (int)below(g, 2);
    const int d = into_t1 ? t1 : t2, e = into_t1 ? t2 : t1;
    put(g, (uint8_t)(cls | MBPF_OR | MBPF_X), d, e, 0, 0);
    if (below(g, 4) == 0) { /* the temporary is still read: the shifts must happen */
        const int r = wreg(g);
        put(g, MBPF_ALU64 | MBPF_XOR | MBPF_X, r, e, 0, 0);
    }
}

#include "tests/diff/randloops.c" /* counted loops for the loop optimiser */

static void gen_call(gen *g)
{
    for (int r = 6; r <= 9; r++) /* fresh values that must survive the call */
        if (r != g->loop_reg && r != CTX_REG && below(g, 2))
            put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, rnd_imm(g));
    if (below(g, 2)) { /* pure helpers: gather_bytes (0) or isqrt (3) */
        put(g, MBPF_OPC_CALL, 0, 0, 0, below(g, 2) ? 0 : 3);
        reload_args(g);
    } else if (g->n_calls < 6 && g->n_funcs) {
        g->call_sites[g->n_calls] = g->n;
        g->call_targets[g->n_calls] = below(g, g->n_funcs);
        g->n_calls++;
        put(g, MBPF_OPC_CALL, 0, MBPF_CALL_LOCAL, 0, 0);
        reload_args(g);
    }
}

uint32_t mbpf_randprog(uint32_t seed, uint32_t mem_len, mbpf_insn *out, uint32_t cap)
{
    gen g;
    uint32_t func_start[4];
    g.s = seed * 2654435761u + 1;
    if (!g.s)
        g.s = 1;
    g.out = out;
    g.n = 0;
    g.cap = cap;
    g.mem_len = mem_len;
    g.loop_reg = -1;
    g.n_funcs = below(&g, 3);
    g.n_calls = 0;
    g.long_loop_done = below(&g, 16) != 0; /* one program in 16 may get a long loop */

    put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_X, CTX_REG, 1, 0, 0);
    for (int16_t k = 16; k <= 72; k += 8)
        put(&g, MBPF_ST | MBPF_MEM | MBPF_DW, MBPF_REG_FP, 0, (int16_t)-k, 0);
    for (int r = 0; r < 10; r++) {
        if (r == CTX_REG)
            continue;
        if (below(&g, 2)) {
            put(&g, MBPF_OPC_LDDW, r, 0, 0, (int32_t)rnd(&g));
            put(&g, 0, 0, 0, 0, (int32_t)rnd(&g));
        } else {
            put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, rnd_imm(&g));
        }
    }
    uint32_t blocks = 8 + below(&g, 40);
    for (uint32_t b = 0; b < blocks; b++) {
        uint32_t k = below(&g, 27);
        if (k == 26)
            gen_counted_loop(&g);
        else if (k < 11)
            gen_simple(&g);
        else if (k < 15)
            gen_jump(&g);
        else if (k < 17)
            gen_loop(&g);
        else if (k < 20)
            gen_call(&g);
        else if (k < 21)
            gen_pressure(&g);
        else if (k < 23)
            gen_one_path_upper(&g);
        else if (k < 25)
            gen_rotate(&g);
        else
            gen_long_loop(&g);
    }
    for (uint32_t f = 0; f < g.n_funcs; f++) { /* every function is called at least once */
        g.call_sites[g.n_calls] = g.n;
        g.call_targets[g.n_calls++] = f;
        put(&g, MBPF_OPC_CALL, 0, MBPF_CALL_LOCAL, 0, 0);
        reload_args(&g);
    }
    for (int r = 1; r < 10; r++)
        if (r != CTX_REG) /* the result is a number, not an address */
            put(&g, MBPF_ALU64 | MBPF_XOR | MBPF_X, 0, r, 0, 0);
    put(&g, MBPF_OPC_EXIT, 0, 0, 0, 0);
    /* local functions: mix r1..r5 into r0, scribble on r6..r9 (the caller's must survive) and on
     * their own stack frame */
    for (uint32_t f = 0; f < g.n_funcs; f++) {
        func_start[f] = g.n;
        put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_X, 0, 1, 0, 0);
        for (int r = 2; r <= 5; r++)
            put(&g, (uint8_t)(MBPF_ALU64 | (below(&g, 2) ? MBPF_ADD : MBPF_XOR) | MBPF_X), 0, r, 0, 0);
        put(&g, MBPF_ST | MBPF_MEM | MBPF_DW, MBPF_REG_FP, 0, -16, (int32_t)rnd(&g));
        put(&g, MBPF_LDX | MBPF_MEM | MBPF_DW, 6, MBPF_REG_FP, -16, 0);
        put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 7, 0, 0, rnd_imm(&g));
        put(&g, MBPF_ALU64 | MBPF_MUL | MBPF_K, 7, 0, 0, 3);
        put(&g, MBPF_ALU64 | MBPF_ADD | MBPF_X, 0, 6, 0, 0);
        put(&g, MBPF_OPC_EXIT, 0, 0, 0, 0);
    }
    for (uint32_t i = 0; i < g.n_calls && g.call_sites[i] < cap; i++)
        out[g.call_sites[i]].imm = (int32_t)func_start[g.call_targets[i]] - (int32_t)g.call_sites[i] - 1;
    return g.n <= cap ? g.n : 0;
}
