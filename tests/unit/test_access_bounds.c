/* The verifier's proofs of context accesses against real runs, over a grid of small programs: an
 * index made from the context length or a constant, one compare that bounds it (against an
 * immediate, or the index plus a constant against the length, either side, 64 or 32 bits, the
 * access on the taken or the fall-through way), then a load or store of every size at several
 * offsets from the context plus the index, with no context length promised or at least 8 bytes
 * (the verifier's ctx_min_len). Every access the verifier proves in bounds is run at
 * context lengths 0-17, 31-33 and 64 (those the promise allows) through the fact-checking interpreter, which aborts the test
 * when a proven access leaves its region; its certificate must check with the same facts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/bpf_asm.h"
#include "tests/unit/fact_grid.h"

#define MAX_INSNS GRID_MAX_INSNS

typedef struct access_case {
    int from_len;      /* index = LEN + base, else index = base */
    int64_t base;
    int len_relative;  /* the compare: index + k against LEN, else index against k */
    int swapped, jmp32, taken; /* LEN on the left; 32-bit compare; access on the taken way */
    uint8_t jop;
    int64_t k;
    uint8_t size, store;
    int16_t off;
    uint32_t ctx_min; /* the contexts promised to be at least this long */
} access_case;

/* The program of c; *at is the access. */
static uint32_t build(const access_case *c, mbpf_insn *out, uint32_t *at)
{
    uint32_t n = 0;
    const uint8_t jcls = c->jmp32 ? MBPF_JMP32 : MBPF_JMP;
    out[n++] = MOV64(0, 0);
    if (c->from_len) {
        out[n++] = MOV64R(4, 2);
        out[n++] = ALU64_IMM(MBPF_ADD, 4, (int32_t)c->base);
    } else {
        const mbpf_insn v[] = {LDDW(4, c->base)};
        out[n++] = v[0];
        out[n++] = v[1];
    }
    mbpf_insn cmp;
    if (c->len_relative) {
        out[n++] = MOV64R(6, 4);
        out[n++] = ALU64_IMM(MBPF_ADD, 6, (int32_t)c->k);
        cmp = c->swapped ? INSN(jcls | c->jop | MBPF_X, 2, 6, 0, 0) : INSN(jcls | c->jop | MBPF_X, 6, 2, 0, 0);
    } else {
        cmp = INSN(jcls | c->jop | MBPF_K, 4, 0, 0, (int32_t)c->k);
    }
    /* taken: jump over the exit to the access; else fall into it and jump out */
    cmp.off = c->taken ? 1 : 4;
    out[n++] = cmp;
    if (c->taken)
        out[n++] = EXIT();
    out[n++] = MOV64R(3, 1);
    out[n++] = ALU64_REG(MBPF_ADD, 3, 4);
    *at = n;
    out[n++] = c->store ? INSN(MBPF_ST | MBPF_MEM | c->size, 3, 0, c->off, 0x5a)
                        : INSN(MBPF_LDX | MBPF_MEM | c->size, 0, 3, c->off, 0);
    out[n++] = EXIT();
    if (!c->taken)
        out[n++] = EXIT(); /* the way out of the compare */
    return n;
}

static void describe(const access_case *c, char *buf, size_t cap)
{
    snprintf(buf, cap,
             "index %s%lld, compare %s%s op 0x%02x, k %lld (%s way), %s size 0x%02x at %d, contexts >= %u",
             c->from_len ? "LEN + " : "", (long long)c->base, c->jmp32 ? "jmp32 " : "",
             c->len_relative ? (c->swapped ? "LEN vs index + k" : "index + k vs LEN") : "index vs k", c->jop,
             (long long)c->k, c->taken ? "taken" : "fall-through", c->store ? "store" : "load", c->size, c->off, c->ctx_min);
}

typedef struct tally {
    uint32_t cases, proven, rejected;
} tally;

static void check_case(const access_case *c, tally *t)
{
    static uint8_t arena[1 << 16], ctx[64];
    static const uint32_t lens[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 64};
    mbpf_insn insns[MAX_INSNS];
    uint32_t at;
    const uint32_t n = build(c, insns, &at);
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    mbpf_fact facts[MAX_INSNS];
    mbpf_verify_result r;
    char what[200];
    const mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W,
                                   c->ctx_min};
    t->cases++;
    describe(c, what, sizeof what);
    if (mbpf_verify(&p, &opts, facts, arena, sizeof arena, &r) != 0) {
        t->rejected++; /* e.g. an access before the context's start on every path */
        return;
    }
    if (facts[at].mem != MBPF_MEM_PROVEN)
        return; /* guarded at run time: nothing claimed */
    t->proven++;
    for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++)
        if (lens[i] >= c->ctx_min) /* the runtime refuses shorter ones */
            grid_run(&p, ctx, lens[i], facts, 0, NULL); /* a fault is fine (an unproven access) */
    grid_check_cert(&p, &opts, facts, what);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t jops[] = {MBPF_JEQ, MBPF_JNE, MBPF_JGT, MBPF_JGE, MBPF_JLT,
                               MBPF_JLE, MBPF_JSGT, MBPF_JSGE, MBPF_JSLT, MBPF_JSLE};
static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
static const int16_t offs[] = {-1, 0, 1, 7};

/* Every compare, width, way and access for one index and compare kind. */
static void grid(int from_len, const int64_t *bases, unsigned n_bases, int len_relative, const int64_t *ks,
                 unsigned n_ks, tally *t)
{
    for (unsigned b = 0; b < n_bases; b++)
        for (unsigned k = 0; k < n_ks; k++)
            for (unsigned j = 0; j < COUNT(jops); j++)
                for (unsigned v = 0; v < (len_relative ? 8u : 4u); v++)
                    for (unsigned s = 0; s < 2 * COUNT(sizes); s++)
                        for (unsigned o = 0; o < 2 * COUNT(offs); o++) {
                            access_case c = {from_len, bases[b], len_relative, (int)(v >> 2 & 1), (int)(v & 1),
                                             (int)(v >> 1 & 1), jops[j], ks[k], sizes[s >> 1], (uint8_t)(s & 1),
                                             offs[o >> 1], o & 1 ? 8u : 0u};
                            check_case(&c, t);
                        }
}

static const int64_t len_bases[] = {-8, -4, -1, 0, 1, 3};
static const int64_t const_bases[] = {0, 1, 7, 8, 0xffffffffll, 0x100000000ll, -1, -8};
static const int64_t imm_bounds[] = {0, 1, 4, 8, 16, 0x7fffffff, -1, -8};
static const int64_t len_ks[] = {-8, -4, -1, 0, 1, 2, 4, 8};

static void report(const char *what, const tally *t)
{
    cr_log_info("%s: %u programs, %u accesses proven, %u programs rejected", what, t->cases, t->proven,
                t->rejected);
    cr_expect_gt(t->proven, 0u, "%s: no access proven (the grid tests nothing)", what);
}

Test(access_bounds, index_from_the_length_against_a_constant)
{
    tally t = {0};
    grid(1, len_bases, COUNT(len_bases), 0, imm_bounds, COUNT(imm_bounds), &t);
    report("LEN + base vs k", &t);
}

Test(access_bounds, index_from_the_length_plus_k_against_the_length)
{
    tally t = {0};
    grid(1, len_bases, COUNT(len_bases), 1, len_ks, COUNT(len_ks), &t);
    report("LEN + base + k vs LEN", &t);
}

Test(access_bounds, constant_index_against_a_constant)
{
    tally t = {0};
    grid(0, const_bases, COUNT(const_bases), 0, imm_bounds, COUNT(imm_bounds), &t);
    report("constant vs k", &t);
}

Test(access_bounds, constant_index_plus_k_against_the_length)
{
    tally t = {0};
    grid(0, const_bases, COUNT(const_bases), 1, len_ks, COUNT(len_ks), &t);
    report("constant + k vs LEN", &t);
}
