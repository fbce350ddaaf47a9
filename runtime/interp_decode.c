/* Decoding of eBPF instructions into the interpreter's slots: every encoding rule is checked
 * here, once, for both the pre-decoded form and the step-by-step safe path. */
#include "mcubpf/config.h"
#include "runtime/interp_code.h"

/* Checked handler of each opcode, H_BAD (0) for invalid ones; operands that refine it (offsets
 * of DIV, MOD and MOV, END widths, call kinds, memory facts) are looked at afterwards. */
#define ALU4(op, row)                                                                             \
    [MBPF_ALU64 | (op) | MBPF_X] = H_ALU_FIRST + (row) * 4, [MBPF_ALU64 | (op) | MBPF_K] = H_ALU_FIRST + (row) * 4 + 1, \
    [MBPF_ALU | (op) | MBPF_X] = H_ALU_FIRST + (row) * 4 + 2, [MBPF_ALU | (op) | MBPF_K] = H_ALU_FIRST + (row) * 4 + 3
#define JCC4(op, row)                                                                             \
    [MBPF_JMP | (op) | MBPF_X] = H_JCC_FIRST + (row) * 4, [MBPF_JMP | (op) | MBPF_K] = H_JCC_FIRST + (row) * 4 + 1, \
    [MBPF_JMP32 | (op) | MBPF_X] = H_JCC_FIRST + (row) * 4 + 2, [MBPF_JMP32 | (op) | MBPF_K] = H_JCC_FIRST + (row) * 4 + 3
#define MEM4(cls, mode, first)                                                                    \
    [(cls) | (mode) | MBPF_B] = (first), [(cls) | (mode) | MBPF_H] = (first) + 1,                 \
    [(cls) | (mode) | MBPF_W] = (first) + 2, [(cls) | (mode) | MBPF_DW] = (first) + 3
static const uint8_t op_table[256] = {
    ALU4(MBPF_ADD, 0), ALU4(MBPF_SUB, 1), ALU4(MBPF_MUL, 2), ALU4(MBPF_DIV, 3), ALU4(MBPF_OR, 4),
    ALU4(MBPF_AND, 5), ALU4(MBPF_LSH, 6), ALU4(MBPF_RSH, 7), ALU4(MBPF_MOD, 9), ALU4(MBPF_XOR, 10),
    ALU4(MBPF_MOV, 11), ALU4(MBPF_ARSH, 12),
    [MBPF_ALU64 | MBPF_NEG | MBPF_K] = H_NEG64K, [MBPF_ALU | MBPF_NEG | MBPF_K] = H_NEG32K,
    [MBPF_ALU | MBPF_END | MBPF_TO_LE] = H_LE16, [MBPF_ALU | MBPF_END | MBPF_TO_BE] = H_BSWAP16,
    [MBPF_ALU64 | MBPF_END | MBPF_K] = H_BSWAP16,
    [MBPF_JMP | MBPF_JA] = H_JA, [MBPF_JMP32 | MBPF_JA] = H_JA,
    JCC4(MBPF_JEQ, 0), JCC4(MBPF_JGT, 1), JCC4(MBPF_JGE, 2), JCC4(MBPF_JSET, 3), JCC4(MBPF_JNE, 4),
    JCC4(MBPF_JSGT, 5), JCC4(MBPF_JSGE, 6), JCC4(MBPF_JLT, 7), JCC4(MBPF_JLE, 8), JCC4(MBPF_JSLT, 9),
    JCC4(MBPF_JSLE, 10),
    [MBPF_OPC_CALL] = H_CALL_HELPER, [MBPF_OPC_CALL | MBPF_X] = H_CALLX, [MBPF_OPC_EXIT] = H_EXIT,
    [MBPF_OPC_LDDW] = H_LDDW,
    /* MBPF_SIZE order is W, H, B, DW: MEM4 lists B, H, W, DW */
    [MBPF_LDX | MBPF_MEM | MBPF_B] = H_LDXB, [MBPF_LDX | MBPF_MEM | MBPF_H] = H_LDXH,
    [MBPF_LDX | MBPF_MEM | MBPF_W] = H_LDXW, [MBPF_LDX | MBPF_MEM | MBPF_DW] = H_LDXDW,
    [MBPF_LDX | MBPF_MEMSX | MBPF_B] = H_LDXSB, [MBPF_LDX | MBPF_MEMSX | MBPF_H] = H_LDXSH,
    [MBPF_LDX | MBPF_MEMSX | MBPF_W] = H_LDXSW,
    MEM4(MBPF_STX, MBPF_MEM, H_STXB), MEM4(MBPF_ST, MBPF_MEM, H_STB),
    [MBPF_STX | MBPF_ATOMIC | MBPF_W] = H_ATOMIC32, [MBPF_STX | MBPF_ATOMIC | MBPF_DW] = H_ATOMIC64,
};
#define H_ALU_LAST H_BSWAP64
#define H_LDX_PROVEN (H_LDXBP - H_LDXB)
#define H_ST_PROVEN (H_STXBP - H_STXB)

/* The jump edge to target t from pc: validity, direction and the loop facts. */
static uint8_t edge_kind(const mbpf_fact *facts, uint32_t pc, int64_t t, uint32_t n)
{
    if (t < 0 || t >= (int64_t)n)
        return EDGE_BAD;
    if (t > (int64_t)pc)
        return EDGE_FWD;
    return facts && (facts[pc].flags & MBPF_FACT_BOUNDED) ? EDGE_FREE : EDGE_BACK;
}

/* ALU handler refined by the offset (signed DIV/MOD, sign-extending MOV) and END width. */
static uint8_t alu_handler(uint8_t h, const mbpf_insn *in)
{
    const int16_t off = in->off;
    const uint32_t col = (uint32_t)(h - H_ALU_FIRST) & 3u; /* 0 64X, 1 64K, 2 32X, 3 32K */
    if (h >= H_LE16) {
        if (in->imm == 16)
            return h;
        if (in->imm == 32)
            return (uint8_t)(h + 1);
        return in->imm == 64 ? (uint8_t)(h + 2) : H_BAD;
    }
    uint32_t row = (uint32_t)(h - H_ALU_FIRST) >> 2;
    if (row == 3 || row == 9) { /* DIV, MOD */
        if (off == 0)
            return h;
        return off == 1 ? (uint8_t)(H_ALU_FIRST + (row == 3 ? 13u : 14u) * 4 + col) : H_BAD;
    }
    if (row == 11 && off != 0) { /* MOV */
        if (col == 0 && off == 32)
            return H_MOVSX32_64X;
        if ((col & 1) == 0 && (off == 8 || off == 16))
            return (uint8_t)(H_ALU_FIRST + (off == 8 ? 15u : 16u) * 4 + col);
        return H_BAD;
    }
    return h;
}

/* Jumps, calls and LDDW: targets and the second slot. */
static uint8_t control_handler(const mbpf_program *p, const mbpf_fact *facts, uint32_t pc, uint8_t h,
                               interp_slot *s, uint8_t *edge)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t dst = MBPF_DST(in), src = MBPF_SRC(in);
    const uint32_t n = p->n_insns;
    int64_t t;
    switch (h) {
    case H_EXIT:
    case H_CALLX:
        return h == H_CALLX && (src || in->imm) ? H_BAD : h;
    case H_CALL_HELPER:
        if (src == MBPF_CALL_HELPER)
            return h;
        if (src != MBPF_CALL_LOCAL)
            return H_BAD;
        t = (int64_t)pc + in->imm + 1;
        if (t < 0 || t >= (int64_t)n)
            return H_BAD;
        s->x = (int32_t)t;
        *edge = EDGE_FWD; /* a call enters its function whichever way it points */
        return H_CALL_LOCAL;
    case H_JA:
        if (src || dst)
            return H_BAD;
        t = (int64_t)pc + 1 + (MBPF_CLASS(in->code) == MBPF_JMP32 ? (int64_t)in->imm : (int64_t)in->off);
        *edge = edge_kind(facts, pc, t, n);
        if (*edge == EDGE_BAD) {
            *edge = EDGE_NONE;
            return H_BAD; /* always taken: invalid as an instruction */
        }
        s->x = (int32_t)t;
        return h;
    case H_LDDW: {
        if (pc + 1 >= n || dst == MBPF_REG_FP)
            return H_BAD;
        const mbpf_insn *hi = &p->insns[pc + 1];
        if (hi->code || hi->regs || hi->off)
            return H_BAD;
        s->x = hi->imm;
        if (src == MBPF_LDDW_IMM64)
            return h;
        uint32_t off = (uint32_t)hi->imm;
        if (src == MBPF_LDDW_REGION && in->imm == MBPF_REGION_ID_RODATA && off <= p->rodata_len)
            return H_LDDW_RODATA;
        if (src == MBPF_LDDW_REGION && in->imm == MBPF_REGION_ID_DATA && off <= p->data_len)
            return H_LDDW_DATA;
        return H_BAD;
    }
    default: /* conditional jump */
        t = (int64_t)pc + 1 + in->off;
        *edge = edge_kind(facts, pc, t, n);
        s->x = *edge == EDGE_BAD ? -1 : (int32_t)t;
        return h;
    }
}

#if !MBPF_WITH_FAST_INTERP
/* The size-optimised loop runs ALU and jump K forms with their X handlers, the immediate as the
 * source (rows of 4: 64X, 64K, 32X, 32K; NEG's row has K forms only). */
static uint8_t k_as_x(uint8_t h, interp_slot *s)
{
    const int alu = h >= H_ALU_FIRST && h < H_MOVSX8_64X && (h - H_ALU_FIRST) / 4 != (H_NEG64X - H_ALU_FIRST) / 4;
    const int jcc = h >= H_JCC_FIRST && h < H_CALL_LOCAL;
    if ((alu || jcc) && ((h - (alu ? H_ALU_FIRST : H_JCC_FIRST)) & 1)) {
        s->src = INTERP_SRC_IMM;
        return (uint8_t)(h - 1);
    }
    return h;
}
#endif

uint32_t interp_decode(const mbpf_program *p, const mbpf_fact *facts, int trust, uint32_t pc,
                       interp_slot *s, uint8_t *edge)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t dst = MBPF_DST(in), src = MBPF_SRC(in);
    uint8_t h = op_table[in->code];
    s->dst = (uint8_t)(dst * 8u);
    s->src = (uint8_t)(src * 8u);
    s->aux = 0;
    s->imm = in->imm;
    s->x = in->off;
    *edge = EDGE_NONE;
    if (dst > 10 || src > 10)
        h = H_BAD;
    if (h == H_BAD) {
    } else if (h <= H_ALU_LAST) {
        h = dst == MBPF_REG_FP ? H_BAD : alu_handler(h, in);
    } else if (h < H_LDXB) {
        h = control_handler(p, facts, pc, h, s, edge);
    } else if (h <= H_ATOMIC64 && h >= H_ATOMIC32) {
        const int32_t a = in->imm & ~MBPF_FETCH;
        const int fetch = (in->imm & MBPF_FETCH) != 0;
        int valid = ((in->imm & ~(MBPF_FETCH | 0xf0)) == 0) &&
                    (a == MBPF_ADD || a == MBPF_OR || a == MBPF_AND || a == MBPF_XOR ||
                     (fetch && (in->imm == MBPF_XCHG || in->imm == MBPF_CMPXCHG)));
        if (!valid || (src == MBPF_REG_FP && fetch))
            h = H_BAD;
    } else {
        /* load or store: unchecked when proven (verified programs only); the region named is a
         * hint for the quick check, a wrong one costs the full check and nothing else */
        s->aux = INTERP_NO_REGION;
        if (h <= H_LDXSW && dst == MBPF_REG_FP)
            h = H_BAD;
        else if (facts) {
            const mbpf_fact *f = &facts[pc];
            /* the size-optimised loop has no unchecked handlers: the quick check passes */
            if (trust && f->mem == MBPF_MEM_PROVEN && MBPF_WITH_FAST_INTERP)
                h = (uint8_t)(h + (h <= H_LDXSW ? H_LDX_PROVEN : H_ST_PROVEN));
            else if ((f->mem == MBPF_MEM_PROVEN || f->mem == MBPF_MEM_GUARD_REGION) &&
                     f->region < INTERP_NO_REGION)
                s->aux = f->region;
        }
    }
#if !MBPF_WITH_FAST_INTERP
    h = k_as_x(h, s);
#endif
    s->h = h;
    return h == H_LDDW || h == H_LDDW_RODATA || h == H_LDDW_DATA ? 2 : 1;
}

/* Walk p once, counting what the pre-decoded form holds. Returns 0 when an instruction does not
 * decode (the second slot of an LDDW is skipped, not decoded). */
static int count_parts(const mbpf_program *p, const mbpf_fact *facts, uint32_t *tramps, uint32_t *heads)
{
    *tramps = 0;
    *heads = 0;
    for (uint32_t pc = 0; pc < p->n_insns;) {
        interp_slot s;
        uint8_t edge;
        uint32_t len = interp_decode(p, facts, 1, pc, &s, &edge);
        if (s.h == H_BAD || edge == EDGE_BAD)
            return 0;
        if (edge == EDGE_BACK)
            (*tramps)++;
        if (facts[pc].flags & MBPF_FACT_LOOP_HEAD)
            (*heads)++;
        pc += len;
    }
    return 1;
}

size_t mbpf_interp_size(const mbpf_program *p, const mbpf_fact *facts)
{
    uint32_t tramps, heads;
    if (!p || !facts || !p->insns || p->n_insns == 0 || p->n_insns > MBPF_MAX_INSNS ||
        !count_parts(p, facts, &tramps, &heads))
        return 0;
    return sizeof(interp_code) + 4u * (size_t)heads + sizeof(interp_slot) * ((size_t)p->n_insns + 1 + tramps);
}

/* Handler to run when arriving at slot t by a bounded loop's own back edge: a loop head's
 * instruction without the entry charge. */
static uint8_t head_handler(const interp_slot *slots, const uint32_t *heads, uint32_t n_heads, uint32_t t)
{
    if (slots[t].h != H_HEAD)
        return slots[t].h;
    const uint32_t *r = interp_head_find(heads, n_heads, t);
    return r ? (uint8_t)(*r >> 8) : H_BAD; /* every H_HEAD slot has a record */
}

/* The quick-check table a decoded slot reads (interp_code.quick), 0 for none. */
static uint32_t quick_use(const interp_slot *s)
{
    if (s->h >= H_LDXB && s->h <= H_LDXSW)
        return 1u << s->aux;
    if (s->h >= H_STXB && s->h <= H_STDW)
        return 1u << (INTERP_QUICK_W + s->aux);
    return 0;
}

/* The entry state slot s needs (interp_code.quick above INTERP_QUICK_MASK). Registers are
 * over-approximated from the operand fields; calls pass r1..r5 on. */
static uint32_t entry_use(const interp_slot *s)
{
    uint32_t u = 0;
    if (s->h == H_CALL_HELPER || s->h == H_CALLX)
        u |= INTERP_USES_CTX | INTERP_USES_STACK | INTERP_USES_BUDGET | INTERP_USES_HELPERS;
    if (s->h == H_CALL_LOCAL)
        u |= INTERP_USES_CTX | INTERP_USES_STACK | INTERP_USES_BUDGET;
    if ((s->h >= H_ATOMIC32 && s->h <= H_ATOMIC64) || quick_use(s))
        u |= INTERP_USES_STACK; /* the full check reads the live stack's bounds */
    if (s->dst == 8u || s->dst == 16u || s->src == 8u || s->src == 16u) /* r1, r2 */
        u |= INTERP_USES_CTX;
    if (s->dst == 8u * MBPF_REG_FP || s->src == 8u * MBPF_REG_FP)
        u |= INTERP_USES_STACK;
    return u;
}

int mbpf_interp_prepare(const mbpf_program *p, const mbpf_fact *facts, void *mem, size_t len)
{
    if (!p || !facts || !p->insns || p->n_insns == 0 || p->n_insns > MBPF_MAX_INSNS)
        return -1;
    const uint32_t n = p->n_insns;
    uint32_t n_heads = 0;
    for (uint32_t pc = 0; pc < n; pc++)
        n_heads += (facts[pc].flags & MBPF_FACT_LOOP_HEAD) != 0;
    /* header, loop-head records, slots; trampolines are appended as they are found */
    size_t fixed = sizeof(interp_code) + 4u * (size_t)n_heads + sizeof(interp_slot) * ((size_t)n + 1);
    if (!mem || ((uintptr_t)mem & 3u) || len < fixed)
        return -2;
    const size_t room = (len - fixed) / sizeof(interp_slot);
    interp_code *c = mem;
    uint32_t *heads = (uint32_t *)(void *)(c + 1);
    interp_slot *slots = (interp_slot *)(void *)(heads + n_heads);
    c->magic = 0; /* valid only once complete */
    c->n_insns = n;
    c->n_heads = n_heads;
    c->n_tramps = 0;
    c->quick = 0;

    /* one decoding pass: handlers and operands; loop heads get the charging handler */
    uint32_t k = 0, n_back = 0;
    for (uint32_t pc = 0; pc < n;) {
        uint8_t edge;
        uint32_t l = interp_decode(p, facts, 1, pc, &slots[pc], &edge);
        if (slots[pc].h == H_BAD || edge == EDGE_BAD)
            return -1;
        n_back += edge == EDGE_BACK;
        c->quick |= quick_use(&slots[pc]) | entry_use(&slots[pc]);
        if (facts[pc].flags & MBPF_FACT_LOOP_HEAD) {
            c->quick |= INTERP_USES_BUDGET;
            heads[k++] = pc << 16 | (uint32_t)slots[pc].h << 8 | facts[pc].aux;
            slots[pc].h = H_HEAD;
        }
        if (l == 2)
            slots[pc + 1] = (interp_slot){H_BAD, 0, 0, 0, 0, 0}; /* middle of an LDDW */
        pc += l;
    }
    slots[n] = (interp_slot){H_BAD, 0, 0, 0, 0, 0};
    if (n_back > room)
        return -2;

    /* jumps learn the handler at their target; charged back edges go through a trampoline that
     * charges 1 unit at the jump */
    uint32_t tr = n + 1;
    for (uint32_t pc = 0; pc < n; pc++) {
        interp_slot *s = &slots[pc];
        uint8_t h = s->h == H_HEAD ? head_handler(slots, heads, n_heads, pc) : s->h;
        if (!INTERP_IS_JUMP(h))
            continue;
        uint32_t t = (uint32_t)s->x;
        uint8_t edge = h == H_CALL_LOCAL ? EDGE_FWD : edge_kind(facts, pc, t, n);
        if (edge == EDGE_FWD) {
            s->aux = slots[t].h;
        } else if (edge == EDGE_FREE) {
            s->aux = head_handler(slots, heads, n_heads, t);
        } else {
            slots[tr] = (interp_slot){H_BACK_CHARGE, 0, 0, slots[t].h, (int32_t)pc,
                                      (int32_t)(t * sizeof(interp_slot))};
            s->aux = H_BACK_CHARGE;
            t = tr++;
        }
        s->x = (int32_t)(t * sizeof(interp_slot)); /* the loop adds it to the slots' address */
    }
    c->n_tramps = tr - (n + 1);
    if (c->n_tramps)
        c->quick |= INTERP_USES_BUDGET;
    c->magic = INTERP_MAGIC;
    return 0;
}
