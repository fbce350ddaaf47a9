/* Decoding of eBPF instructions into the interpreter's slots: every encoding rule is checked
 * here, once, for both the pre-decoded form and the step-by-step safe path. */
#include "runtime/interp_code.h"

/* Index of a conditional jump's row (JEQ..JSLE without JA, CALL, EXIT); -1 when invalid. */
static int jcc_row(uint8_t op)
{
    switch (op) {
    case MBPF_JEQ: return 0;
    case MBPF_JGT: return 1;
    case MBPF_JGE: return 2;
    case MBPF_JSET: return 3;
    case MBPF_JNE: return 4;
    case MBPF_JSGT: return 5;
    case MBPF_JSGE: return 6;
    case MBPF_JLT: return 7;
    case MBPF_JLE: return 8;
    case MBPF_JSLT: return 9;
    case MBPF_JSLE: return 10;
    default: return -1;
    }
}

/* Row of an ALU operation in INTERP_HANDLERS (ADD=0 .. ARSH=12 follow the opcode; signed
 * division, modulo and sign-extending moves come after); -1 when invalid. */
static int alu_row(uint8_t op, int16_t off, int is64, int srcbit)
{
    switch (op) {
    case MBPF_DIV:
    case MBPF_MOD:
        if (off == 1)
            return op == MBPF_DIV ? 13 : 14;
        return off == 0 ? op >> 4 : -1;
    case MBPF_MOV:
        if (off == 0)
            return op >> 4;
        if (!srcbit)
            return -1;
        if (off == 8)
            return 15;
        if (off == 16)
            return 16;
        return off == 32 && is64 ? 17 : -1;
    case MBPF_NEG:
        return srcbit ? -1 : op >> 4;
    case MBPF_END:
        return -1;
    default:
        return op <= MBPF_ARSH ? op >> 4 : -1;
    }
}

static uint8_t end_handler(int32_t width, int swap)
{
    if (width == 16)
        return swap ? H_BSWAP16 : H_LE16;
    if (width == 32)
        return swap ? H_BSWAP32 : H_LE32;
    if (width == 64)
        return swap ? H_BSWAP64 : H_LE64;
    return H_BAD;
}

/* Memory handler for a size (1, 2, 4, 8) from the first handler of a 4-entry row in W, H, B, DW
 * order of MBPF_SIZE; sign-extending loads have 3. */
static uint8_t mem_handler(uint8_t first_b, uint8_t code)
{
    switch (MBPF_SIZE(code)) {
    case MBPF_B: return first_b;
    case MBPF_H: return (uint8_t)(first_b + 1);
    case MBPF_W: return (uint8_t)(first_b + 2);
    default: return (uint8_t)(first_b + 3);
    }
}

/* The jump edge to target t from pc: validity, direction and the loop facts. */
static uint8_t edge_kind(const mbpf_fact *facts, uint32_t pc, int64_t t, uint32_t n)
{
    if (t < 0 || t >= (int64_t)n)
        return EDGE_BAD;
    if (t > (int64_t)pc)
        return EDGE_FWD;
    return facts && (facts[pc].flags & MBPF_FACT_BOUNDED) ? EDGE_FREE : EDGE_BACK;
}

static uint8_t decode_mem(const mbpf_fact *facts, int trust, uint32_t pc, uint8_t checked,
                          uint8_t proven, interp_slot *s)
{
    s->aux = INTERP_NO_REGION;
    if (facts) {
        const mbpf_fact *f = &facts[pc];
        if (trust && f->mem == MBPF_MEM_PROVEN)
            return proven;
        if ((f->mem == MBPF_MEM_PROVEN || f->mem == MBPF_MEM_GUARD_REGION) && f->region < INTERP_NO_REGION)
            s->aux = f->region; /* only a hint: a wrong one costs the full check, nothing else */
    }
    return checked;
}

uint32_t interp_decode(const mbpf_program *p, const mbpf_fact *facts, int trust, uint32_t pc,
                       interp_slot *s, uint8_t *edge)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t code = in->code, dst = MBPF_DST(in), src = MBPF_SRC(in), op = MBPF_OP(code);
    const uint32_t n = p->n_insns;
    s->h = H_BAD;
    s->dst = (uint8_t)(dst * 8u);
    s->src = (uint8_t)(src * 8u);
    s->aux = 0;
    s->imm = in->imm;
    s->x = in->off;
    *edge = EDGE_NONE;
    if (dst > 10 || src > 10)
        return 1;

    switch (MBPF_CLASS(code)) {
    case MBPF_ALU:
    case MBPF_ALU64: {
        const int is64 = MBPF_CLASS(code) == MBPF_ALU64, srcbit = MBPF_SRCBIT(code) != 0;
        if (dst == MBPF_REG_FP)
            return 1;
        if (op == MBPF_END) {
            if (!(is64 && srcbit))
                s->h = end_handler(in->imm, is64 || srcbit);
            return 1;
        }
        int row = alu_row(op, in->off, is64, srcbit);
        if (row >= 0)
            s->h = (uint8_t)(H_ALU_FIRST + row * 4 + (is64 ? 0 : 2) + (srcbit ? 0 : 1));
        return 1;
    }

    case MBPF_JMP:
    case MBPF_JMP32: {
        const int is32 = MBPF_CLASS(code) == MBPF_JMP32;
        int64_t t;
        if (op == MBPF_EXIT) {
            if (code == MBPF_OPC_EXIT)
                s->h = H_EXIT;
            return 1;
        }
        if (op == MBPF_CALL) {
            if (is32)
                return 1;
            if (!MBPF_SRCBIT(code) && src == MBPF_CALL_LOCAL) {
                t = (int64_t)pc + in->imm + 1;
                if (t < 0 || t >= (int64_t)n)
                    return 1;
                s->h = H_CALL_LOCAL;
                s->x = (int32_t)t;
                *edge = EDGE_FWD; /* a call enters its function whichever way it points */
            } else if (!MBPF_SRCBIT(code) && src == MBPF_CALL_HELPER) {
                s->h = H_CALL_HELPER;
            } else if (MBPF_SRCBIT(code) && src == 0 && in->imm == 0) {
                s->h = H_CALLX;
            }
            return 1;
        }
        if (op == MBPF_JA) {
            if (MBPF_SRCBIT(code) || src || dst)
                return 1;
            t = (int64_t)pc + 1 + (is32 ? (int64_t)in->imm : (int64_t)in->off);
            *edge = edge_kind(facts, pc, t, n);
            if (*edge == EDGE_BAD) {
                *edge = EDGE_NONE;
                return 1; /* always taken: invalid as an instruction */
            }
            s->h = H_JA;
        } else {
            int row = jcc_row(op);
            if (row < 0)
                return 1;
            s->h = (uint8_t)(H_JCC_FIRST + row * 4 + (is32 ? 2 : 0) + (MBPF_SRCBIT(code) ? 0 : 1));
            t = (int64_t)pc + 1 + in->off;
            *edge = edge_kind(facts, pc, t, n);
        }
        s->x = *edge == EDGE_BAD ? -1 : (int32_t)t;
        return 1;
    }

    case MBPF_LD: {
        if (code != MBPF_OPC_LDDW || pc + 1 >= n || dst == MBPF_REG_FP)
            return 1;
        const mbpf_insn *hi = &p->insns[pc + 1];
        if (hi->code || hi->regs || hi->off)
            return 1;
        s->x = hi->imm;
        if (src == MBPF_LDDW_IMM64) {
            s->h = H_LDDW;
        } else if (src == MBPF_LDDW_REGION) {
            uint32_t off = (uint32_t)hi->imm;
            if (in->imm == MBPF_REGION_ID_RODATA && off <= p->rodata_len)
                s->h = H_LDDW_RODATA;
            else if (in->imm == MBPF_REGION_ID_DATA && off <= p->data_len)
                s->h = H_LDDW_DATA;
        }
        return s->h == H_BAD ? 1 : 2;
    }

    case MBPF_LDX: {
        const uint8_t mode = MBPF_MODE(code);
        if (dst == MBPF_REG_FP)
            return 1;
        if (mode == MBPF_MEM)
            s->h = decode_mem(facts, trust, pc, mem_handler(H_LDXB, code), mem_handler(H_LDXBP, code), s);
        else if (mode == MBPF_MEMSX && MBPF_SIZE(code) != MBPF_DW)
            s->h = decode_mem(facts, trust, pc, mem_handler(H_LDXSB, code), mem_handler(H_LDXSBP, code), s);
        return 1;
    }

    case MBPF_ST:
    case MBPF_STX: {
        const uint8_t mode = MBPF_MODE(code);
        const uint32_t size = mbpf_size_bytes(code);
        if (mode == MBPF_ATOMIC && MBPF_CLASS(code) == MBPF_STX && (size == 4 || size == 8)) {
            int32_t a = in->imm & ~MBPF_FETCH;
            int fetch = (in->imm & MBPF_FETCH) != 0;
            int valid = ((in->imm & ~(MBPF_FETCH | 0xf0)) == 0) &&
                        (a == MBPF_ADD || a == MBPF_OR || a == MBPF_AND || a == MBPF_XOR ||
                         (fetch && (in->imm == MBPF_XCHG || in->imm == MBPF_CMPXCHG)));
            if (valid && !(src == MBPF_REG_FP && fetch))
                s->h = size == 4 ? H_ATOMIC32 : H_ATOMIC64;
            return 1;
        }
        if (mode != MBPF_MEM)
            return 1;
        if (MBPF_CLASS(code) == MBPF_STX)
            s->h = decode_mem(facts, trust, pc, mem_handler(H_STXB, code), mem_handler(H_STXBP, code), s);
        else
            s->h = decode_mem(facts, trust, pc, mem_handler(H_STB, code), mem_handler(H_STBP, code), s);
        return 1;
    }
    }
    return 1;
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

    /* one decoding pass: handlers and operands; loop heads get the charging handler */
    uint32_t k = 0, n_back = 0;
    for (uint32_t pc = 0; pc < n;) {
        uint8_t edge;
        uint32_t l = interp_decode(p, facts, 1, pc, &slots[pc], &edge);
        if (slots[pc].h == H_BAD || edge == EDGE_BAD)
            return -1;
        n_back += edge == EDGE_BACK;
        if (facts[pc].flags & MBPF_FACT_LOOP_HEAD) {
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
            slots[tr] = (interp_slot){H_BACK_CHARGE, 0, 0, slots[t].h, (int32_t)pc, (int32_t)t};
            s->aux = H_BACK_CHARGE;
            s->x = (int32_t)tr++;
        }
    }
    c->n_tramps = tr - (n + 1);
    c->magic = INTERP_MAGIC;
    return 0;
}
