/* Generators (gen.h). The pointer generators build one shape with many variations:
 *
 *   plant a 64-bit value V in the context and load it back (the verifier cannot know it),
 *   bound it (masks, shifts, compares on the scalar, additions), maybe spill and fill it,
 *   form a pointer from a region base and V (added once or twice, or subtracted), maybe spill it,
 *   compare it with another pointer of the region or with a constant (JMP or JMP32, signed or
 *   unsigned, either operand order), and on the side the verifier believes in bounds, access
 *   memory through it (load, store, atomic, or a helper given the pointer).
 *
 * V is chosen to be small, a multiple of 2^32 plus a small delta, close to 2^62, 2^63 or 2^64,
 * random, or such that the low word of the address lands on a chosen spot: another tenant's
 * memory, a guard zone, another region, address 0 (the generators know the layout, as an
 * attacker knows the device's memory map). */
#include "tests/unicorn/gen.h"

#include <string.h>

#include "tests/diff/randprog.h"
#include "tests/unicorn/sandbox.h"

typedef struct g {
    uint64_t s;
    gen_prog *p;
} g;

static uint32_t rnd(g *st)
{
    st->s ^= st->s << 13;
    st->s ^= st->s >> 7;
    st->s ^= st->s << 17;
    return (uint32_t)(st->s >> 16);
}

static uint32_t below(g *st, uint32_t n)
{
    return n ? rnd(st) % n : 0;
}

static uint64_t rnd64(g *st)
{
    return (uint64_t)rnd(st) << 32 | rnd(st);
}

static void put(g *st, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
    gen_prog *p = st->p;
    if (p->n < GEN_MAX_INSNS) {
        p->insns[p->n].code = code;
        p->insns[p->n].regs = MBPF_REGS(dst, src);
        p->insns[p->n].off = off;
        p->insns[p->n].imm = imm;
    }
    p->n++;
}

static void lddw(g *st, int dst, uint64_t v)
{
    put(st, MBPF_OPC_LDDW, dst, 0, 0, (int32_t)(uint32_t)v);
    put(st, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

void gen_defaults(gen_prog *out)
{
    memset(out, 0, sizeof *out);
    out->ctx_len = 64;
    out->rodata_len = 32;
    out->data_len = 64;
    for (uint32_t i = 0; i < out->rodata_len; i++)
        out->rodata[i] = (uint8_t)(i * 13u + 7u);
}

static void init(g *st, uint32_t seed, uint32_t salt, gen_prog *out)
{
    gen_defaults(out);
    st->s = ((uint64_t)seed << 32 | (seed ^ salt)) * 0x9e3779b97f4a7c15ull + salt;
    if (!st->s)
        st->s = 1;
    st->p = out;
}

/* ---- the device generator ------------------------------------------------------------------ */

static void gen_random(uint32_t seed, gen_prog *out)
{
    gen_defaults(out);
    out->n = mbpf_randprog(seed, 64, out->insns, GEN_MAX_INSNS);
}

/* The device generator's programs with budgets so small that most runs stop on them: every
 * engine must stop at the same instruction (helper calls, local calls, loop entries and back
 * edges charged by the same rules). */
static void gen_budget(uint32_t seed, gen_prog *out)
{
    gen_random(seed, out);
    out->budget = 1 + seed % 16;
}

/* ---- pointer generators -------------------------------------------------------------------- */

enum { BASE_CTX, BASE_STACK, BASE_DATA, BASE_RODATA };

typedef struct shape {
    int jmp32;        /* compares are JMP32 (-1: either) */
    int signed_cmp;   /* compares are signed (-1: either) */
    int overflow;     /* bound V to [1, 2^62]-like ranges and add it twice */
    int aim_victim;   /* choose V so that the address lands in the victim zone; writes only */
    int ptr_compare;  /* compare the pointer with another pointer (else with scalars only) */
} shape;

static uint32_t base_addr(int base, uint32_t fp_off)
{
    switch (base) {
    case BASE_CTX: return sb_region_start(SB_RGN_CTX);
    case BASE_STACK: return sb_region_start(SB_RGN_STACK) + MBPF_STACK_SIZE - fp_off;
    case BASE_DATA: return sb_region_start(SB_RGN_DATA);
    default: return sb_region_start(SB_RGN_RODATA);
    }
}

/* A spot whose low word an escaping address should hit. */
static uint32_t target_spot(g *st)
{
    switch (below(st, 6)) {
    case 0:
    case 1: return sb_region_start(SB_RGN_VICTIM) + 8 * below(st, 64);
    case 2: return sb_region_start((int)below(st, 4)) - 8 - 8 * below(st, 4); /* a guard below */
    case 3: return sb_region_start((int)below(st, 4)) + 0x1000 + 8 * below(st, 4); /* above */
    case 4: return 8 * below(st, 8); /* the reset vector */
    default: return rnd(st);
    }
}

/* V for the shape: where it matters, such that the low word of base + V (or base + 2V) is a
 * chosen spot although the verifier may believe the offset small. */
static uint64_t pick_value(g *st, const shape *sh, uint32_t base)
{
    int aim = sh->aim_victim || below(st, 4) != 0;
    uint32_t spot = sh->aim_victim ? sb_region_start(SB_RGN_VICTIM) + 8 * below(st, 64) : target_spot(st);
    uint32_t delta = spot - base; /* mod 2^32 */
    if (aim && sh->overflow) /* added twice: 2V = delta (mod 2^32), V in [1, 2^62] */
        return (uint64_t)(delta >> 1) + (below(st, 2) ? 1ull << 31 : 0) + (uint64_t)below(st, 4) * (1ull << 32);
    if (aim && sh->jmp32 == 1) /* offset < 2^32 whose sum with base wraps the low word */
        return delta;
    if (aim && sh->signed_cmp == 1) /* base + 2V >= 2^63: negative as a signed value */
        return (1ull << 62) + (uint64_t)((int64_t)(int32_t)(delta & ~1u) / 2);
    if (aim)
        return (uint64_t)below(st, 4) << 32 | delta;
    switch (below(st, 8)) {
    case 0: return below(st, 64);
    case 1: return ((uint64_t)(1 + below(st, 4)) << 32) + below(st, 32) - 16;
    case 2: return (1ull << 63) + below(st, 64) - 32;
    case 3: return (1ull << 62) + below(st, 64) - 32;
    case 4: return 0 - (uint64_t)below(st, 4096);
    case 5: return 0xffffffffull - below(st, 64);
    case 6: return (uint64_t)below(st, 8) << 60 | below(st, 4096);
    default: return rnd64(st);
    }
}

/* Bounding operations on the scalar in r3 (all exact for scalars). The compare shapes need an
 * offset the compare may narrow: below 2^32 for JMP32, below 2^63 for signed compares. */
static void bound_scalar(g *st, const shape *sh, uint32_t exit_fixups[], uint32_t *n_fix)
{
    static const uint64_t masks[] = {0xff, 0xfff, 0xffff, 0xffffffffull, 0x3fffffffffffffffull,
                                     0x7fffffffffffffffull, 0xfffffffffull};
    if (sh->overflow) { /* [1, 2^62]: a mask and + 1, or compares */
        if (below(st, 2)) {
            lddw(st, 4, (1ull << 62) - 1);
            put(st, MBPF_ALU64 | MBPF_AND | MBPF_X, 3, 4, 0, 0);
            put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 3, 0, 0, 1);
        } else {
            lddw(st, 4, 1ull << 62);
            put(st, MBPF_JMP | MBPF_JGT | MBPF_X, 3, 4, 0, 0);
            exit_fixups[(*n_fix)++] = st->p->n - 1;
            put(st, MBPF_JMP | MBPF_JEQ | MBPF_K, 3, 0, 0, 0);
            exit_fixups[(*n_fix)++] = st->p->n - 1;
        }
        return;
    }
    if (sh->jmp32 == 1 || sh->signed_cmp == 1) {
        lddw(st, 4, sh->jmp32 == 1 ? 0xffffffffull : 0x3fffffffffffffffull);
        put(st, MBPF_ALU64 | MBPF_AND | MBPF_X, 3, 4, 0, 0);
        return;
    }
    uint32_t steps = below(st, 3);
    for (uint32_t i = 0; i < steps; i++) {
        switch (below(st, 5)) {
        case 0:
            lddw(st, 4, masks[below(st, 7)]);
            put(st, MBPF_ALU64 | MBPF_AND | MBPF_X, 3, 4, 0, 0);
            break;
        case 1: { /* compare against a bound, leave when above (or below) it */
            static const uint8_t ops[] = {MBPF_JGT, MBPF_JGE, MBPF_JSGT, MBPF_JSGE, MBPF_JLT, MBPF_JSLT};
            lddw(st, 4, below(st, 2) ? below(st, 4096) : rnd64(st));
            put(st, (uint8_t)(MBPF_JMP | ops[below(st, 6)] | MBPF_X), 3, 4, 0, 0);
            exit_fixups[(*n_fix)++] = st->p->n - 1;
            break;
        }
        case 2: put(st, MBPF_ALU64 | MBPF_RSH | MBPF_K, 3, 0, 0, (int32_t)below(st, 40)); break;
        case 3: put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 3, 0, 0, (int32_t)below(st, 64) - 32); break;
        default: put(st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 3, 3, 0, 0); break;
        }
    }
}

static void spill_fill(g *st, int r, int16_t slot)
{
    put(st, MBPF_STX | MBPF_MEM | MBPF_DW, MBPF_REG_FP, r, slot, 0);
    put(st, MBPF_LDX | MBPF_MEM | MBPF_DW, r, MBPF_REG_FP, slot, 0);
}

static void gen_pointer(g *st, const shape *sh)
{
    gen_prog *p = st->p;
    uint32_t fix[16], n_fix = 0;
    int base = (int)below(st, sh->aim_victim ? 3 : 4);
    if (sh->ptr_compare && (sh->jmp32 == 1 || sh->signed_cmp == 1) && below(st, 4))
        base = BASE_CTX; /* the verifier narrows context pointers only */
    uint32_t fp_off = sh->overflow ? 0 : 8 * (1 + below(st, 8));
    uint32_t len = base == BASE_CTX ? p->ctx_len : base == BASE_STACK ? fp_off
                 : base == BASE_DATA ? p->data_len : p->rodata_len;
    uint64_t v = pick_value(st, sh, base_addr(base, fp_off));

    put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 9, 1, 0, 0); /* r9 = ctx, r8 = ctx_len */
    put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 8, 2, 0, 0);
    put(st, MBPF_JMP | MBPF_JLT | MBPF_K, 8, 0, 0, 16); /* too short to plant V: leave */
    fix[n_fix++] = p->n - 1;
    lddw(st, 3, v);
    put(st, MBPF_STX | MBPF_MEM | MBPF_DW, 9, 3, 8, 0);
    put(st, MBPF_LDX | MBPF_MEM | MBPF_DW, 3, 9, 8, 0); /* r3 = V, unknown to the verifier */
    bound_scalar(st, sh, fix, &n_fix);
    if (below(st, 4) == 0)
        spill_fill(st, 3, -48);

    /* r6 = base + V (or - V, or + 2V) */
    switch (base) {
    case BASE_CTX: put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 6, 9, 0, 0); break;
    case BASE_STACK:
        put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 6, MBPF_REG_FP, 0, 0);
        put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 6, 0, 0, -(int32_t)fp_off);
        break;
    default:
        put(st, MBPF_OPC_LDDW, 6, MBPF_LDDW_REGION, 0,
            base == BASE_DATA ? MBPF_REGION_ID_DATA : MBPF_REGION_ID_RODATA);
        put(st, 0, 0, 0, 0, 0);
        break;
    }
    if (sh->overflow || below(st, 6)) {
        put(st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 6, 3, 0, 0);
        if (sh->overflow)
            put(st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 6, 3, 0, 0);
    } else {
        put(st, MBPF_ALU64 | MBPF_SUB | MBPF_X, 6, 3, 0, 0);
    }
    if (sh->signed_cmp == 1 && sh->jmp32 != 1) /* twice: offsets up to 2^63 - 2 */
        put(st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 6, 3, 0, 0);
    if (below(st, 4) == 0)
        spill_fill(st, 6, -56);

    static const uint32_t sizes[] = {1, 2, 4, 8};
    static const uint8_t szc[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    uint32_t si = sh->aim_victim ? 3 : below(st, 4);
    int16_t off = (int16_t)(below(st, 3) ? 0 : (int32_t)below(st, 16) - 8);

    /* compares: 0 to 2, on the pointer (or on pointer + size), with a pointer or a constant */
    uint32_t n_cmp = sh->ptr_compare ? 1 + below(st, 2) : below(st, 2);
    for (uint32_t i = 0; i < n_cmp; i++) {
        int is32 = sh->jmp32 >= 0 ? sh->jmp32 : (int)below(st, 2);
        int sgn = sh->signed_cmp >= 0 ? sh->signed_cmp : (int)below(st, 2);
        int upper = i == 0 ? (int)below(st, 4) != 0 : 0; /* else a lower-bound check */
        int lhs = 6;
        if (upper && below(st, 2)) { /* r5 = r6 + off + size */
            put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 5, 6, 0, 0);
            put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 5, 0, 0, off + (int32_t)sizes[si]);
            lhs = 5;
        }
        /* r7 = the other side: region end, region start, or start + constant */
        if (base == BASE_CTX && upper && below(st, 2)) { /* the end, or the end - size */
            put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 7, 9, 0, 0);
            put(st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 7, 8, 0, 0);
            if (lhs == 6)
                put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 7, 0, 0, -(int32_t)sizes[si] - off);
        } else if (base == BASE_STACK) {
            put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 7, MBPF_REG_FP, 0, 0);
            put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 7, 0, 0,
                upper ? -(int32_t)below(st, 9) : -(int32_t)fp_off);
        } else {
            if (base == BASE_CTX) {
                put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 7, 9, 0, 0);
            } else {
                put(st, MBPF_OPC_LDDW, 7, MBPF_LDDW_REGION, 0,
                    base == BASE_DATA ? MBPF_REGION_ID_DATA : MBPF_REGION_ID_RODATA);
                put(st, 0, 0, 0, 0, 0);
            }
            if (upper)
                put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 7, 0, 0,
                    (int32_t)(below(st, 2) ? len - sizes[si] : below(st, len)));
        }
        uint8_t cls = is32 ? MBPF_JMP32 : MBPF_JMP;
        uint8_t op;
        int swap = (int)below(st, 2);
        if (upper) /* leave when lhs > r7 (or >=) */
            op = sgn ? (below(st, 2) ? MBPF_JSGT : MBPF_JSGE) : (below(st, 2) ? MBPF_JGT : MBPF_JGE);
        else
            op = sgn ? MBPF_JSLT : MBPF_JLT;
        if (swap) { /* the same test with the operands the other way round */
            switch (op) {
            case MBPF_JGT: op = MBPF_JLT; break;
            case MBPF_JGE: op = MBPF_JLE; break;
            case MBPF_JSGT: op = MBPF_JSLT; break;
            case MBPF_JSGE: op = MBPF_JSLE; break;
            case MBPF_JLT: op = MBPF_JGT; break;
            default: op = MBPF_JSGT; break;
            }
        }
        if (!sh->ptr_compare && below(st, 2)) { /* against a constant (pointer vs scalar) */
            put(st, (uint8_t)(cls | op | MBPF_K), lhs, 0, 0, (int32_t)rnd(st));
        } else if (swap) {
            put(st, (uint8_t)(cls | op | MBPF_X), 7, lhs, 0, 0);
        } else {
            put(st, (uint8_t)(cls | op | MBPF_X), lhs, 7, 0, 0);
        }
        fix[n_fix++] = p->n - 1;
    }

    /* the access the verifier believes in bounds */
    uint32_t kind = sh->aim_victim ? below(st, 3) : below(st, 6);
    if (base == BASE_RODATA)
        kind = 3;
    switch (kind) {
    case 0: put(st, (uint8_t)(MBPF_ST | MBPF_MEM | szc[si]), 6, 0, off, (int32_t)0x5a5a5a5a); break;
    case 1: put(st, (uint8_t)(MBPF_STX | MBPF_MEM | szc[si]), 6, 3, off, 0); break; /* a scalar: no leak */
    case 2:
        put(st, (uint8_t)(MBPF_STX | MBPF_ATOMIC | (si == 3 ? MBPF_DW : MBPF_W)), 6, 3,
            (int16_t)(off & ~3), MBPF_ADD);
        break;
    case 4: /* a helper given the pointer: memfrob(r6 + off, size) */
        put(st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 1, 6, 0, 0);
        put(st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 1, 0, 0, off);
        put(st, MBPF_ALU64 | MBPF_MOV | MBPF_K, 2, 0, 0, (int32_t)sizes[si]);
        put(st, MBPF_OPC_CALL, 0, 0, 0, 1);
        break;
    default: put(st, (uint8_t)(MBPF_LDX | MBPF_MEM | szc[si]), 0, 6, off, 0); break;
    }
    if (kind != 3 && kind != 5)
        put(st, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, 0);
    put(st, MBPF_OPC_EXIT, 0, 0, 0, 0);
    uint32_t exit_at = p->n;
    put(st, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, 1);
    put(st, MBPF_OPC_EXIT, 0, 0, 0, 0);
    for (uint32_t i = 0; i < n_fix; i++)
        p->insns[fix[i]].off = (int16_t)(exit_at - fix[i] - 1);
}

static void gen_shape(uint32_t seed, gen_prog *out, uint32_t salt, shape sh)
{
    g st;
    init(&st, seed, salt, out);
    gen_pointer(&st, &sh);
}

static void gen_jmp32(uint32_t seed, gen_prog *out)
{
    gen_shape(seed, out, 1, (shape){1, -1, 0, 0, 1});
}

static void gen_signed(uint32_t seed, gen_prog *out)
{
    gen_shape(seed, out, 2, (shape){0, 1, 0, 0, 1});
}

static void gen_overflow(uint32_t seed, gen_prog *out)
{
    gen_shape(seed, out, 3, (shape){0, 0, 1, 0, 0});
}

static void gen_tenant(uint32_t seed, gen_prog *out)
{
    uint32_t k = seed % 3;
    gen_shape(seed, out, 4, k == 0 ? (shape){1, -1, 0, 1, 1} : k == 1 ? (shape){0, 1, 0, 1, 1}
                                                                      : (shape){0, 0, 1, 1, 0});
}

static void gen_pointers(uint32_t seed, gen_prog *out)
{
    g st;
    init(&st, seed, 5, out);
    shape sh = {-1, -1, (int)below(&st, 4) == 0, 0, (int)below(&st, 2)};
    gen_pointer(&st, &sh);
}

/* ---- region edges, spills and helpers ------------------------------------------------------ */

/* Accesses near both ends of each region, through pointers that are spilled, filled and
 * offset by bounded scalars; helper calls on region pointers with edge lengths. Mostly valid
 * programs: the engines must agree on every fault. */
static void gen_edges(uint32_t seed, gen_prog *out)
{
    g st;
    init(&st, seed, 6, out);
    gen_prog *p = out;
    static const uint8_t szc[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    static const int32_t sizes[] = {1, 2, 4, 8};
    p->ctx_len = below(&st, 3) ? 64 : below(&st, 65);
    put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 9, 1, 0, 0);
    put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 8, 2, 0, 0);
    put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, 0);
    uint32_t steps = 1 + below(&st, 8);
    for (uint32_t i = 0; i < steps; i++) {
        uint32_t si = below(&st, 4);
        int base = (int)below(&st, 4);
        int32_t len = base == BASE_CTX ? (int32_t)p->ctx_len : base == BASE_STACK ? 512
                    : base == BASE_DATA ? (int32_t)p->data_len : (int32_t)p->rodata_len;
        /* r6 = region pointer */
        switch (base) {
        case BASE_CTX: put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 6, 9, 0, 0); break;
        case BASE_STACK:
            put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 6, MBPF_REG_FP, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 6, 0, 0, -512);
            break;
        default:
            put(&st, MBPF_OPC_LDDW, 6, MBPF_LDDW_REGION, 0,
                base == BASE_DATA ? MBPF_REGION_ID_DATA : MBPF_REGION_ID_RODATA);
            put(&st, 0, 0, 0, 0, 0);
        }
        if (below(&st, 3) == 0)
            spill_fill(&st, 6, (int16_t)(-8 * (int32_t)(1 + below(&st, 4))));
        /* an offset near an edge, constant or a bounded unknown (ctx byte masked) */
        int32_t edge = below(&st, 2) ? len - sizes[si] : 0;
        int32_t off = edge + (int32_t)below(&st, 5) - 2;
        if (below(&st, 3) == 0 && p->ctx_len >= 1) {
            put(&st, MBPF_LDX | MBPF_MEM | MBPF_B, 3, 9, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_AND | MBPF_K, 3, 0, 0, (int32_t)below(&st, 16));
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 6, 3, 0, 0);
        }
        switch (below(&st, 5)) {
        case 0:
            if (base != BASE_RODATA) {
                put(&st, (uint8_t)(MBPF_ST | MBPF_MEM | szc[si]), 6, 0, (int16_t)off, (int32_t)rnd(&st));
                break;
            }
            /* fall through */
        case 1: put(&st, (uint8_t)(MBPF_LDX | MBPF_MEM | szc[si]), 4, 6, (int16_t)off, 0);
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 0, 4, 0, 0);
            break;
        case 2:
            if (base != BASE_RODATA && si >= 2) {
                put(&st, (uint8_t)(MBPF_STX | MBPF_ATOMIC | szc[si]), 6, 0, (int16_t)(off & ~3),
                    MBPF_ADD | MBPF_FETCH);
                break;
            }
            /* fall through */
        case 3: /* memfrob(r6 + off, n) with n near the rest of the region */
            put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 1, 6, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 1, 0, 0, off);
            put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_K, 2, 0, 0, (int32_t)below(&st, 9));
            put(&st, MBPF_OPC_CALL, 0, 0, 0, 1);
            break;
        default: /* a pointer compared with the ctx end before the access */
            put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 7, 9, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_X, 7, 8, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_MOV | MBPF_X, 5, 9, 0, 0);
            put(&st, MBPF_ALU64 | MBPF_ADD | MBPF_K, 5, 0, 0, off + sizes[si]);
            put(&st, (uint8_t)((below(&st, 2) ? MBPF_JMP32 : MBPF_JMP) | MBPF_JGT | MBPF_X), 5, 7, 1, 0);
            put(&st, (uint8_t)(MBPF_LDX | MBPF_MEM | szc[si]), 4, 9, (int16_t)off, 0);
            break;
        }
    }
    put(&st, MBPF_OPC_EXIT, 0, 0, 0, 0);
}

const gen_kind gen_kinds[] = {
    {"random", "the device differential generator (all instruction classes)", gen_random},
    {"budget", "the device generator's programs with budgets of 1 to 16 units", gen_budget},
    {"ptr-jmp32", "JMP32 compares of pointers", gen_jmp32},
    {"ptr-signed", "signed 64-bit compares of pointers", gen_signed},
    {"ptr-overflow", "offset additions that overflow ([1, 2^62] twice)", gen_overflow},
    {"tenant", "writes aimed at another tenant's memory through 1-3", gen_tenant},
    {"pointers", "pointer arithmetic, spills and compares of every kind", gen_pointers},
    {"edges", "accesses and helper calls at region edges", gen_edges},
};
const unsigned gen_count = sizeof gen_kinds / sizeof gen_kinds[0];

int gen_find(const char *name)
{
    for (unsigned i = 0; i < gen_count; i++)
        if (!strcmp(gen_kinds[i].name, name))
            return (int)i;
    return -1;
}
