/* The verifier's known-zero upper halves against real runs, over a grid of small programs: operands
 * that are constants where signs flip and widths wrap, context loads of every size (zero- and
 * sign-extending), or loads narrowed by a compare; every ALU operation of both widths with an
 * immediate or a register operand (shifts past the width, division by zero, sign extensions,
 * byte swaps included), alone or followed by a second operation. Every upper half the verifier
 * calls zero is checked at run time by the fact-checking interpreter (it aborts the test) with
 * five context contents; the certificate of each program checks with the same facts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/bpf_asm.h"
#include "tests/unit/fact_grid.h"

#define MAX_INSNS GRID_MAX_INSNS
#define CTX_LEN 16

static const mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                                      MBPF_REGION_R | MBPF_REGION_W, CTX_LEN};

/* Operand sources: a constant, a context load (code, offset), or a load narrowed by a compare. */
typedef struct source {
    int kind; /* 0 constant, 1 load, 2 load then "if r > k goto out" (signed or not) */
    uint64_t v;
    uint8_t load;
    uint8_t jop;
    int32_t k;
} source;

static const source sources[] = {
    {0, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0x7f, 0, 0, 0}, {0, 0x80, 0, 0, 0}, {0, 0xff, 0, 0, 0},
    {0, 0x7fffffff, 0, 0, 0}, {0, 0x80000000, 0, 0, 0}, {0, 0xffffffff, 0, 0, 0}, {0, 0x100000000, 0, 0, 0},
    {0, ~0ull, 0, 0, 0}, {0, 0x8000000000000000ull, 0, 0, 0}, {0, 0xfffffffffffffff8ull, 0, 0, 0},
    {1, 0, MBPF_LDX | MBPF_MEM | MBPF_B, 0, 0}, {1, 0, MBPF_LDX | MBPF_MEM | MBPF_H, 0, 0},
    {1, 0, MBPF_LDX | MBPF_MEM | MBPF_W, 0, 0}, {1, 0, MBPF_LDX | MBPF_MEM | MBPF_DW, 0, 0},
    {1, 0, MBPF_LDX | MBPF_MEMSX | MBPF_B, 0, 0}, {1, 0, MBPF_LDX | MBPF_MEMSX | MBPF_H, 0, 0},
    {1, 0, MBPF_LDX | MBPF_MEMSX | MBPF_W, 0, 0},
    {2, 0, MBPF_LDX | MBPF_MEM | MBPF_W, MBPF_JGT, 0x7fffffff},
    {2, 0, MBPF_LDX | MBPF_MEM | MBPF_DW, MBPF_JGT, 0xffff},
    {2, 0, MBPF_LDX | MBPF_MEMSX | MBPF_W, MBPF_JSGT, 100},
    {2, 0, MBPF_LDX | MBPF_MEM | MBPF_DW, MBPF_JSGT, -1},
};

typedef struct op {
    uint8_t code; /* without class and source */
    int16_t off;  /* sdiv/smod: 1; movsx: 8, 16, 32 */
} op;

static const op ops[] = {
    {MBPF_ADD, 0}, {MBPF_SUB, 0}, {MBPF_MUL, 0}, {MBPF_DIV, 0}, {MBPF_DIV, 1}, {MBPF_OR, 0}, {MBPF_AND, 0},
    {MBPF_LSH, 0}, {MBPF_RSH, 0}, {MBPF_NEG, 0}, {MBPF_MOD, 0}, {MBPF_MOD, 1}, {MBPF_XOR, 0}, {MBPF_MOV, 0},
    {MBPF_MOV, 8}, {MBPF_MOV, 16}, {MBPF_MOV, 32}, {MBPF_ARSH, 0},
};
static const int32_t imms[] = {0, 1, 7, 31, 32, 63, -1, 0x7fffffff, (int32_t)0x80000000};
/* byte swaps: (class, source bit, width) */
static const struct {
    uint8_t cls, src;
    int32_t w;
} swaps[] = {{MBPF_ALU, MBPF_K, 16}, {MBPF_ALU, MBPF_K, 32}, {MBPF_ALU, MBPF_K, 64}, {MBPF_ALU, MBPF_X, 16},
             {MBPF_ALU, MBPF_X, 32}, {MBPF_ALU, MBPF_X, 64}, {MBPF_ALU64, MBPF_K, 16}, {MBPF_ALU64, MBPF_K, 32},
             {MBPF_ALU64, MBPF_K, 64}};

/* r <- s; a narrowing compare jumps to the program's last exit (patched by the caller). */
static uint32_t load_source(const source *s, int r, int ctx_off, mbpf_insn *out, uint32_t n, uint32_t *jumps,
                            uint32_t *n_jumps)
{
    if (s->kind == 0) {
        const mbpf_insn v[] = {LDDW(r, s->v)};
        out[n++] = v[0];
        out[n++] = v[1];
        return n;
    }
    out[n++] = INSN(s->load, r, 1, ctx_off, 0);
    if (s->kind == 2) {
        jumps[(*n_jumps)++] = n;
        out[n++] = INSN(MBPF_JMP | s->jop | MBPF_K, r, 0, 0, s->k);
    }
    return n;
}

typedef struct tally {
    uint32_t cases, claims;
} tally;

static void run(const mbpf_program *p, const mbpf_fact *facts, uint8_t fill)
{
    static uint8_t ctx[CTX_LEN];
    for (unsigned i = 0; i < CTX_LEN; i++)
        ctx[i] = fill == 1 ? (uint8_t)(i * 37u + 11u) : fill;
    cr_assert_eq(grid_run(p, ctx, CTX_LEN, facts, 0, NULL), MBPF_OK, "a program of the grid faulted");
}

/* Finish the program (r0 = r3, the exit every narrowing compare jumps to), verify it, run it with
 * every context content and check its certificate. */
static void check_program(mbpf_insn *insns, uint32_t n, const uint32_t *jumps, uint32_t n_jumps, tally *t,
                          const char *what)
{
    static uint8_t arena[1 << 16];
    static const uint8_t fills[] = {0x00, 0xff, 0x80, 0x7f, 1};
    insns[n++] = MOV64R(0, 3);
    insns[n++] = EXIT();
    for (uint32_t j = 0; j < n_jumps; j++)
        insns[jumps[j]].off = (int16_t)(n - 1 - jumps[j] - 1); /* to the exit */
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    mbpf_fact facts[MAX_INSNS];
    mbpf_verify_result r;
    t->cases++;
    cr_assert_eq(mbpf_verify(&p, &opts, facts, arena, sizeof arena, &r), 0, "%s: %s", what, r.msg);
    for (uint32_t i = 0; i < n; i++)
        t->claims += (facts[i].flags & MBPF_FACT_HI_ZERO) != 0;
    for (unsigned f = 0; f < sizeof fills; f++)
        run(&p, facts, fills[f]);
    grid_check_cert(&p, &opts, facts, what);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The program prefix: r3 from source a, r4 from source b (at another context offset). */
static uint32_t operands(unsigned a, unsigned b, mbpf_insn *insns, uint32_t *jumps, uint32_t *n_jumps)
{
    uint32_t n = 0;
    *n_jumps = 0;
    insns[n++] = MOV64(0, 0);
    n = load_source(&sources[a], 3, 0, insns, n, jumps, n_jumps);
    return load_source(&sources[b], 4, 8, insns, n, jumps, n_jumps);
}

Test(upper_halves, every_operation_on_every_operand)
{
    tally t = {0};
    mbpf_insn insns[MAX_INSNS];
    uint32_t jumps[2], n_jumps;
    char what[160];
    for (unsigned a = 0; a < COUNT(sources); a++)
        for (unsigned b = 0; b < COUNT(sources); b++)
            for (unsigned cls = 0; cls < 2; cls++)
                for (unsigned o = 0; o < COUNT(ops); o++)
                    for (unsigned i = 0; i <= COUNT(imms); i++) { /* i == COUNT(imms): the register */
                        if (i < COUNT(imms) && b) /* an immediate operand: r4 unused, one source */
                            continue;
                        const uint8_t c = (uint8_t)((cls ? MBPF_ALU64 : MBPF_ALU) | ops[o].code |
                                                    (i < COUNT(imms) ? MBPF_K : MBPF_X));
                        if (ops[o].code == MBPF_NEG && (i < COUNT(imms) ? i : 1))
                            continue; /* neg has no operand: once */
                        if ((ops[o].off == 32 && !cls) || (ops[o].code == MBPF_MOV && ops[o].off && i < COUNT(imms)))
                            continue; /* movsx: from a register; of 32 bits, 64-bit only */
                        uint32_t n = operands(a, b, insns, jumps, &n_jumps);
                        insns[n++] = INSN(c, 3, i < COUNT(imms) || ops[o].code == MBPF_NEG ? 0 : 4, ops[o].off,
                                          i < COUNT(imms) ? imms[i] : 0);
                        snprintf(what, sizeof what, "r3 source %u, r4 source %u, op 0x%02x off %d imm %d", a, b, c,
                                 ops[o].off, i < COUNT(imms) ? imms[i] : 0);
                        check_program(insns, n, jumps, n_jumps, &t, what);
                    }
    for (unsigned a = 0; a < COUNT(sources); a++)
        for (unsigned s = 0; s < COUNT(swaps); s++) {
            uint32_t n = operands(a, 0, insns, jumps, &n_jumps);
            insns[n++] = INSN(swaps[s].cls | MBPF_END | swaps[s].src, 3, 0, 0, swaps[s].w);
            snprintf(what, sizeof what, "r3 source %u, byte swap 0x%02x by %d", a,
                     swaps[s].cls | MBPF_END | swaps[s].src, swaps[s].w);
            check_program(insns, n, jumps, n_jumps, &t, what);
        }
    cr_log_info("%u programs, %u upper halves proven zero", t.cases, t.claims);
    cr_expect_gt(t.claims, 0u);
}

/* Two operations in a row: what the first one's result is known to be feeds the second. */
Test(upper_halves, an_operation_after_another)
{
    static const struct {
        uint8_t code;
        int32_t imm;
    } second[] = {{MBPF_ALU64 | MBPF_ADD | MBPF_K, 1}, {MBPF_ALU64 | MBPF_SUB | MBPF_K, 1},
                  {MBPF_ALU64 | MBPF_AND | MBPF_K, 0xff}, {MBPF_ALU64 | MBPF_RSH | MBPF_K, 1},
                  {MBPF_ALU64 | MBPF_ARSH | MBPF_K, 1}, {MBPF_ALU | MBPF_MOV | MBPF_X, 0},
                  {MBPF_ALU64 | MBPF_LSH | MBPF_K, 32}, {MBPF_ALU64 | MBPF_MUL | MBPF_K, 3},
                  {MBPF_ALU64 | MBPF_NEG, 0}, {MBPF_ALU64 | MBPF_XOR | MBPF_K, -1},
                  {MBPF_ALU | MBPF_ADD | MBPF_K, -1}, {MBPF_ALU64 | MBPF_OR | MBPF_K, (int32_t)0x80000000}};
    tally t = {0};
    mbpf_insn insns[MAX_INSNS];
    uint32_t jumps[2], n_jumps;
    char what[160];
    for (unsigned a = 0; a < COUNT(sources); a++)
        for (unsigned cls = 0; cls < 2; cls++)
            for (unsigned o = 0; o < COUNT(ops); o++)
                for (unsigned i = 0; i < COUNT(imms); i++)
                    for (unsigned s = 0; s < COUNT(second); s++) {
                        if ((ops[o].code == MBPF_NEG && i) || (ops[o].code == MBPF_MOV && ops[o].off))
                            continue; /* neg once; movsx takes a register */
                        const uint8_t c = (uint8_t)((cls ? MBPF_ALU64 : MBPF_ALU) | ops[o].code | MBPF_K);
                        uint32_t n = operands(a, 0, insns, jumps, &n_jumps);
                        insns[n++] = INSN(c, 3, 0, ops[o].off, imms[i]);
                        insns[n++] = INSN(second[s].code, 3, second[s].code == (MBPF_ALU | MBPF_MOV | MBPF_X) ? 3 : 0,
                                          0, second[s].imm);
                        snprintf(what, sizeof what, "r3 source %u, op 0x%02x off %d imm %d, then 0x%02x imm %d", a, c,
                                 ops[o].off, imms[i], second[s].code, second[s].imm);
                        check_program(insns, n, jumps, n_jumps, &t, what);
                    }
    cr_log_info("%u programs, %u upper halves proven zero", t.cases, t.claims);
    cr_expect_gt(t.claims, 0u);
}
