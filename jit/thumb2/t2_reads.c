/* Fused multi-byte reads: the window matcher (t2_reads.h). */
#include "jit/thumb2/t2_reads.h"

/* A register's value in the window: the bytes at base + off + k in byte lane k, for the lanes
 * in mask, zero elsewhere. */
typedef struct lanes {
    uint8_t known;
    uint8_t mask;
    int16_t off;
} lanes;

static uint32_t width_of(uint32_t mask)
{
    return mask == 0x3u ? 2 : mask == 0xfu ? 4 : mask == 0xffu ? 8 : 0;
}

int t2_match_read(const jit_ctx *c, const mid_info *m, uint32_t pc, t2_read *r)
{
    const uint32_t n = c->prog->n_insns;
    const mbpf_insn *first = &c->prog->insns[pc];
    if (MBPF_CLASS(first->code) != MBPF_LDX || MBPF_MODE(first->code) != MBPF_MEM ||
        MBPF_SIZE(first->code) == MBPF_DW)
        return 0;
    const int base = MBPF_SRC(first);
    lanes st[MBPF_NREGS] = {{0, 0, 0}};
    uint32_t written = 0, loaded = 0, n_loads = 0, loads[T2_READ_MAX_LOADS];
    int found = 0;
    for (uint32_t i = pc, k = 0; i < n && k < 48; i++, k++) {
        const mbpf_insn *in = &c->prog->insns[i];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        const int d = MBPF_DST(in), s = MBPF_SRC(in);
        const int alu = cls == MBPF_ALU || cls == MBPF_ALU64;
        const uint32_t lane_limit = cls == MBPF_ALU ? 0xfu : 0xffu; /* 32-bit ops keep 4 lanes */
        if (i > pc && (c->facts[i].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG |
                                            MBPF_FACT_LOOP_HEAD)))
            break;
        if (d >= MBPF_REG_FP)
            break;
        if (cls == MBPF_LDX) {
            if (MBPF_MODE(in->code) != MBPF_MEM || MBPF_SIZE(in->code) == MBPF_DW || s != base ||
                d == base || n_loads == T2_READ_MAX_LOADS)
                break;
            const uint32_t size = mbpf_size_bytes(in->code);
            st[d].known = 1;
            st[d].mask = (uint8_t)((1u << size) - 1);
            st[d].off = in->off;
            loads[n_loads++] = i;
            loaded += size;
        } else if (alu && op == MBPF_LSH && !MBPF_SRCBIT(in->code)) {
            const uint32_t sh = (uint32_t)in->imm / 8, moved = (uint32_t)st[d].mask << sh;
            if (!st[d].known || in->imm <= 0 || in->imm >= 64 || in->imm % 8 || (moved & ~lane_limit))
                break;
            st[d].mask = (uint8_t)moved;
            st[d].off = (int16_t)(st[d].off - (int32_t)sh);
        } else if (alu && op == MBPF_OR && MBPF_SRCBIT(in->code)) {
            if (!st[d].known || !st[s].known || st[d].off != st[s].off || (st[d].mask & st[s].mask) ||
                ((st[d].mask | st[s].mask) & ~lane_limit))
                break;
            st[d].mask |= st[s].mask;
        } else if (alu && op == MBPF_MOV && MBPF_SRCBIT(in->code) && in->off == 0) {
            if (!st[s].known || (st[s].mask & ~lane_limit))
                break;
            st[d] = st[s];
        } else {
            break;
        }
        written |= 1u << d;
        const uint32_t w = width_of(st[d].mask);
        if (!w || w != loaded || n_loads < 2)
            continue;
        uint32_t others = 0;
        for (uint32_t x = written & ~(1u << d); x; x &= x - 1)
            others |= MID_BOTH(__builtin_ctz(x));
        if (m->live_out[i] & others)
            continue;
        r->last = i;
        r->dst = d;
        r->base = base;
        r->off = st[d].off;
        r->width = w;
        r->n_loads = n_loads;
        for (uint32_t j = 0; j < n_loads; j++)
            r->load[j] = loads[j];
        found = 1;
    }
    return found;
}
