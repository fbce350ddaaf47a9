/* Programs aimed at the verifier's pointer and interval reasoning (tests/fuzz/ptrprog.h).
 *
 * Shape: r0 = 0, r3-r9 = 0, then 8 to 47 random steps, then exit. A step derives a pointer
 * (context, its end ctx + len, the frame, rodata, data), launders a chosen constant through a
 * stack round trip (the verifier then knows nothing of it, the run knows it exactly), loads a
 * context field, does arithmetic on numbers or pointers (huge, wrapping and 32-bit amounts,
 * shifts, multiplications, negation), compares two registers or a register and a constant with
 * any compare, 64 or 32-bit, jumping forward over a few steps, spills or fills a register whole
 * or in part, or accesses memory through a register. Jumps land on step boundaries. */
#include "tests/fuzz/ptrprog.h"

#define MAX_STEPS 48u

typedef struct pgen {
    uint32_t s;
    mbpf_insn *out;
    uint32_t n, cap;
    uint32_t step_at[MAX_STEPS + 1];
    uint32_t jumps[MAX_STEPS], jump_to[MAX_STEPS], n_jumps;
} pgen;

static uint32_t rnd(pgen *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 17;
    g->s ^= g->s << 5;
    return g->s;
}

static uint32_t below(pgen *g, uint32_t n)
{
    return n ? rnd(g) % n : 0;
}

static void put(pgen *g, uint8_t code, int dst, int src, int16_t off, int32_t imm)
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

static void lddw(pgen *g, int dst, int src, uint64_t v)
{
    put(g, MBPF_OPC_LDDW, dst, src, 0, (int32_t)(uint32_t)v);
    put(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* Amounts at which offsets wrap, signs flip or 32-bit views differ. */
static uint64_t interesting(pgen *g)
{
    static const uint64_t v[] = {
        0, 1, 2, 3, 4, 7, 8, 16, 63, 64, 255, 256, 511, 512, 4096,
        0x7fffffffull, 0x80000000ull, 0xfffffff8ull, 0xfffffffcull, 0xffffffffull, 0x100000000ull,
        0x100000008ull, 1ull << 40, (1ull << 40) + 8, 1ull << 62, (1ull << 62) + 1, (1ull << 62) - 4,
        (1ull << 63) - 8, 1ull << 63, (1ull << 63) + 8, ~0ull - 7, ~0ull - 511, ~0ull, 0x4000000000000380ull,
    };
    uint64_t x = v[below(g, sizeof v / sizeof v[0])];
    if (below(g, 4) == 0)
        x += below(g, 16) - 8u; /* a little off the edge */
    return x;
}

static int reg(pgen *g)
{
    return 3 + (int)below(g, 4); /* r3..r6 (a small pool: steps build on each other); r1 and r2
                                  * stay the context and its length */
}

static int any_reg(pgen *g)
{
    static const int r[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    return r[below(g, 10)];
}

static int16_t slot(pgen *g)
{
    return (int16_t)(-8 * (int)(1 + below(g, 64))); /* anywhere in the frame */
}

/* A forward jump over 1..4 steps from step k (patched once every step is placed). */
static void jump(pgen *g, uint8_t code, int dst, int src, int32_t imm, uint32_t k, uint32_t steps)
{
    uint32_t to = k + 1 + below(g, 4);
    if (to > steps)
        to = steps;
    g->jumps[g->n_jumps] = g->n;
    g->jump_to[g->n_jumps++] = to;
    put(g, code, dst, src, 0, imm);
}

static void step(pgen *g, uint32_t k, uint32_t steps)
{
    static const uint8_t alu_ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_LSH, MBPF_RSH, MBPF_ARSH, MBPF_AND,
                                      MBPF_OR, MBPF_XOR, MBPF_MOV, MBPF_NEG, MBPF_DIV, MBPF_MOD};
    static const uint8_t jmp_ops[] = {MBPF_JEQ, MBPF_JNE, MBPF_JGT, MBPF_JGE, MBPF_JLT, MBPF_JLE,
                                      MBPF_JSGT, MBPF_JSGE, MBPF_JSLT, MBPF_JSLE, MBPF_JSET};
    static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    const int d = reg(g);
    switch (below(g, 16)) {
    case 0: { /* a pointer */
        uint32_t which = below(g, 5);
        if (which == 0)
            put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, d, 1, 0, 0);
        else if (which == 1) { /* the end of the context */
            put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, d, 1, 0, 0);
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, d, 2, 0, 0);
        } else if (which == 2)
            put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, d, 10, 0, 0);
        else
            lddw(g, d, MBPF_LDDW_REGION, which == 3 ? MBPF_REGION_ID_RODATA : MBPF_REGION_ID_DATA);
        break;
    }
    case 1: { /* a chosen value the verifier cannot see */
        int16_t at = slot(g);
        lddw(g, d, 0, interesting(g));
        put(g, MBPF_STX | MBPF_MEM | MBPF_DW, 10, d, at, 0);
        put(g, MBPF_LDX | MBPF_MEM | MBPF_DW, d, 10, at, 0);
        break;
    }
    case 2: { /* a context field (guarded: the context may be short) */
        const uint8_t size = sizes[below(g, 4)]; /* draws in order: one program per seed for any compiler */
        put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | size), d, 1, (int16_t)below(g, 64), 0);
        break;
    }
    case 3:
    case 4: { /* arithmetic, on numbers or pointers */
        uint8_t op = alu_ops[below(g, sizeof alu_ops)];
        uint8_t cls = below(g, 4) == 0 ? MBPF_ALU : MBPF_ALU64;
        if (op == MBPF_NEG) {
            put(g, (uint8_t)(cls | op), d, 0, 0, 0);
        } else if (below(g, 2)) {
            int32_t imm = (int32_t)(uint32_t)interesting(g);
            if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH)
                imm = (int32_t)below(g, cls == MBPF_ALU ? 32 : 64);
            put(g, (uint8_t)(cls | op | MBPF_K), d, 0, 0, imm);
        } else {
            int s = any_reg(g);
            put(g, (uint8_t)(cls | op | MBPF_X), d, s, 0, 0);
        }
        break;
    }
    case 5:
    case 6: { /* a compare and a forward jump */
        uint8_t cls = below(g, 3) == 0 ? MBPF_JMP32 : MBPF_JMP;
        uint8_t op = jmp_ops[below(g, sizeof jmp_ops)];
        if (below(g, 3)) {
            const int a = below(g, 2) ? d : 1;
            jump(g, (uint8_t)(cls | op | MBPF_X), a, any_reg(g), 0, k, steps);
        } else {
            jump(g, (uint8_t)(cls | op | MBPF_K), d, 0, (int32_t)(uint32_t)interesting(g), k, steps);
        }
        break;
    }
    case 7: { /* spill and fill, whole or in part */
        int16_t at = slot(g);
        put(g, MBPF_STX | MBPF_MEM | MBPF_DW, 10, any_reg(g) == 10 ? 10 : d, at, 0);
        uint8_t size = sizes[below(g, 4)];
        uint32_t bytes = size == MBPF_DW ? 8u : size == MBPF_W ? 4u : size == MBPF_H ? 2u : 1u;
        const int into = reg(g);
        put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | size), into, 10, (int16_t)(at + (int16_t)below(g, 9 - bytes)), 0);
        break;
    }
    case 8: { /* memory through a register */
        uint8_t size = sizes[below(g, 4)];
        int16_t off = (int16_t)((int)below(g, 33) - 16);
        uint32_t kind = below(g, 3);
        if (kind == 0)
            put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | size), reg(g), d, off, 0);
        else if (kind == 1)
            put(g, (uint8_t)(MBPF_ST | MBPF_MEM | size), d, 0, off, (int32_t)below(g, 256));
        else
            put(g, (uint8_t)(MBPF_STX | MBPF_MEM | size), d, reg(g), off, 0);
        break;
    }
    case 9: { /* a bounded number the verifier knows only by its interval: a chosen value, shifted
               * or masked, maybe moved off zero */
        int16_t at = slot(g);
        lddw(g, d, 0, interesting(g));
        put(g, MBPF_STX | MBPF_MEM | MBPF_DW, 10, d, at, 0);
        put(g, MBPF_LDX | MBPF_MEM | MBPF_DW, d, 10, at, 0);
        if (below(g, 2))
            put(g, MBPF_ALU64 | MBPF_RSH | MBPF_K, d, 0, 0, (int32_t)below(g, 64));
        else {
            const uint8_t cls = below(g, 3) ? MBPF_ALU64 : MBPF_ALU;
            put(g, (uint8_t)(cls | MBPF_AND | MBPF_K), d, 0, 0, (int32_t)(uint32_t)interesting(g));
        }
        if (below(g, 2))
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, d, 0, 0, (int32_t)below(g, 3));
        break;
    }
    case 10: { /* a pointer moved by one number several times (offsets that may wrap) */
        int sreg = d == 6 ? 3 : d + 1;
        static const int bases[] = {1, 10, 1, 10};
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, d, bases[below(g, 4)], 0, 0);
        for (uint32_t t = 1 + below(g, 4); t--;)
            put(g, (uint8_t)(MBPF_ALU64 | (below(g, 4) ? MBPF_ADD : MBPF_SUB) | MBPF_X), d, sreg, 0, 0);
        break;
    }
    case 11: { /* a compare of a pointer with another into the same region (or with the context's
                * end, or a number), then an access the compare guards */
        int q = d == 3 ? 6 : d - 1;
        uint32_t with = below(g, 3);
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, q, 1, 0, 0);
        if (with == 0)
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, q, 0, 0, (int32_t)below(g, 64));
        else if (with == 1)
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, q, 2, 0, 0);
        uint8_t cls = below(g, 2) ? MBPF_JMP32 : MBPF_JMP;
        put(g, (uint8_t)(cls | jmp_ops[below(g, sizeof jmp_ops - 1)] | MBPF_X), d, q, 1, 0);
        uint8_t size = sizes[below(g, 4)];
        if (below(g, 2))
            put(g, (uint8_t)(MBPF_ST | MBPF_MEM | size), d, 0, (int16_t)below(g, 8), 1);
        else
            put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | size), 0, d, (int16_t)below(g, 8), 0);
        break;
    }
    case 12:
    case 13:
    case 14: { /* the three above in one: a bounded number, a pointer moved by it, a compare of
                * that pointer, an access */
        int sreg = d == 6 ? 3 : d + 1, q = d == 3 ? 6 : d - 1;
        int16_t at = slot(g);
        lddw(g, sreg, 0, interesting(g));
        put(g, MBPF_STX | MBPF_MEM | MBPF_DW, 10, sreg, at, 0);
        put(g, MBPF_LDX | MBPF_MEM | MBPF_DW, sreg, 10, at, 0);
        uint32_t shape = below(g, 4);
        if (shape == 0)
            put(g, MBPF_ALU64 | MBPF_RSH | MBPF_K, sreg, 0, 0, (int32_t)below(g, 64));
        else if (shape == 1)
            put(g, MBPF_ALU | MBPF_MOV | MBPF_X, sreg, sreg, 0, 0);
        else if (shape == 2)
            put(g, MBPF_ALU64 | MBPF_AND | MBPF_K, sreg, 0, 0, (int32_t)(uint32_t)interesting(g));
        if (below(g, 2))
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, sreg, 0, 0, (int32_t)below(g, 3));
        const int base = below(g, 3) ? 1 : 10;
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, d, base, 0, 0);
        for (uint32_t t = 1 + below(g, 4); t--;)
            put(g, (uint8_t)(MBPF_ALU64 | (below(g, 4) ? MBPF_ADD : MBPF_SUB) | MBPF_X), d, sreg, 0, 0);
        int16_t off = base == 10 ? (int16_t)(-1 - (int)below(g, 64)) : (int16_t)((int)below(g, 17) - 8);
        if (below(g, 4)) {
            put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, q, base, 0, 0);
            if (base == 1 && below(g, 3))
                put(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, q, 2, 0, 0);
            else
                put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, q, 0, 0, base == 1 ? (int32_t)below(g, 64) : -(int32_t)below(g, 64));
            uint8_t cls = below(g, 2) ? MBPF_JMP32 : MBPF_JMP;
            put(g, (uint8_t)(cls | jmp_ops[2 + below(g, sizeof jmp_ops - 3)] | MBPF_X), d, q, 1, 0);
        }
        uint8_t size = sizes[below(g, 4)];
        if (base == 1 && below(g, 2)) { /* the first byte: what a compare with the end proves */
            off = 0;
            size = MBPF_B;
        }
        if (below(g, 2))
            put(g, (uint8_t)(MBPF_ST | MBPF_MEM | size), d, 0, off, 1);
        else
            put(g, (uint8_t)(MBPF_LDX | MBPF_MEM | size), 0, d, off, 0);
        break;
    }
    default: /* fold into the result */
        put(g, MBPF_ALU64 | MBPF_XOR | MBPF_X, 0, d, 0, 0);
        break;
    }
}

uint32_t mbpf_ptrprog(uint32_t seed, mbpf_insn *out, uint32_t cap)
{
    pgen g;
    g.s = seed * 2654435761u + 0x9e3779b9u;
    if (!g.s)
        g.s = 1;
    g.out = out;
    g.n = 0;
    g.cap = cap;
    g.n_jumps = 0;
    const uint32_t steps = 8 + below(&g, MAX_STEPS - 8);
    put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, 0);
    for (int r = 3; r <= 9; r++)
        put(&g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, 0);
    for (uint32_t k = 0; k < steps; k++) {
        g.step_at[k] = g.n;
        step(&g, k, steps);
    }
    g.step_at[steps] = g.n;
    put(&g, MBPF_OPC_EXIT, 0, 0, 0, 0);
    if (g.n > cap)
        return 0;
    for (uint32_t j = 0; j < g.n_jumps; j++)
        out[g.jumps[j]].off = (int16_t)(g.step_at[g.jump_to[j]] - (g.jumps[j] + 1));
    return g.n;
}
