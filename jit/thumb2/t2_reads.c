/* Fused multi-byte reads: the window matcher (t2_reads.h). */
#include "jit/thumb2/t2_reads.h"

/* A register's value in the read: in byte lane k (for the lanes in mask; zero elsewhere) the
 * byte at base + at[k]; since: the read's instruction that started this run of its values. */
typedef struct lanes {
    uint8_t known;
    uint8_t mask;
    int16_t at[8];
    uint32_t since;
} lanes;

static uint32_t width_of(uint32_t mask)
{
    return mask == 0x3u ? 2 : mask == 0xfu ? 4 : mask == 0xffu ? 8 : 0;
}

/* The lanes of a w-byte value in one byte order: sets *off (the lowest address) and *big. */
static int byte_order(const lanes *v, uint32_t w, int16_t *off, int *big)
{
    int le = 1, be = 1;
    for (uint32_t k = 0; k < w; k++) {
        le &= v->at[k] == v->at[0] + (int32_t)k;
        be &= v->at[k] == v->at[w - 1] + (int32_t)(w - 1 - k);
    }
    *off = le ? v->at[0] : v->at[w - 1];
    *big = !le;
    return le || be;
}

/* Registers an instruction outside the read reads and writes; 0 when it may not be one (it
 * could fault, jump, call or store). */
static int other_regs(const jit_ctx *c, uint32_t i, uint32_t *rd, uint32_t *wr)
{
    const mbpf_insn *in = &c->prog->insns[i];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const uint32_t d = 1u << MBPF_DST(in), s = 1u << MBPF_SRC(in);
    if (in->code == MBPF_OPC_LDDW) {
        *rd = 0;
        *wr = d;
        return 1;
    }
    if (cls == MBPF_LDX) {
        mbpf_fact f;
        jit_checked_fact(c, i, &f);
        *rd = s;
        *wr = d;
        return f.mem == MBPF_MEM_PROVEN && MBPF_MODE(in->code) != MBPF_ATOMIC;
    }
    if (cls != MBPF_ALU && cls != MBPF_ALU64)
        return 0;
    *wr = d;
    *rd = (MBPF_SRCBIT(in->code) ? s : 0) | (op == MBPF_MOV ? 0 : d);
    return 1;
}

int t2_match_read(const jit_ctx *c, const mid_info *m, uint32_t pc, t2_read *r)
{
    const uint32_t n = c->prog->n_insns;
    const mbpf_insn *first = &c->prog->insns[pc];
    if (MBPF_CLASS(first->code) != MBPF_LDX || MBPF_MODE(first->code) != MBPF_MEM ||
        MBPF_SIZE(first->code) == MBPF_DW)
        return 0;
    const int base = MBPF_SRC(first);
    lanes st[MBPF_NREGS];
    for (int x = 0; x < MBPF_NREGS; x++)
        st[x].known = 0;
    uint32_t own_last = 0; /* registers the read itself wrote last */
    uint32_t loaded = 0, n_loads = 0, loads[T2_READ_MAX_LOADS];
    uint64_t own = 0;
    int found = 0;
    for (uint32_t i = pc, k = 0; i < n && k < T2_READ_WINDOW; i++, k++) {
        const mbpf_insn *in = &c->prog->insns[i];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        const int d = MBPF_DST(in), s = MBPF_SRC(in);
        const int alu = cls == MBPF_ALU || cls == MBPF_ALU64;
        const uint32_t lane_limit = cls == MBPF_ALU ? 0xfu : 0xffu; /* 32-bit ops keep 4 lanes */
        if (i > pc && (c->facts[i].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG |
                                            MBPF_FACT_LOOP_HEAD)))
            break;
        int mine = 0;
        if (d >= MBPF_REG_FP) {
            mine = 0;
        } else if (cls == MBPF_LDX && MBPF_MODE(in->code) == MBPF_MEM && s == base &&
                   MBPF_SIZE(in->code) != MBPF_DW) {
            if (d == base || n_loads == T2_READ_MAX_LOADS)
                break;
            const uint32_t size = mbpf_size_bytes(in->code);
            st[d].known = 1;
            st[d].mask = (uint8_t)((1u << size) - 1);
            for (uint32_t b = 0; b < size; b++)
                st[d].at[b] = (int16_t)(in->off + (int32_t)b);
            st[d].since = i;
            loads[n_loads++] = i;
            loaded += size;
            mine = 1;
        } else if (alu && op == MBPF_LSH && !MBPF_SRCBIT(in->code) && st[d].known) {
            if (in->imm <= 0 || in->imm >= 64 || in->imm % 8)
                break;
            const uint32_t sh = (uint32_t)in->imm / 8, moved = (uint32_t)st[d].mask << sh;
            if (moved & ~lane_limit)
                break;
            for (int b = 7; b >= (int)sh; b--)
                st[d].at[b] = st[d].at[b - (int)sh];
            st[d].mask = (uint8_t)moved;
            mine = 1;
        } else if (alu && op == MBPF_OR && MBPF_SRCBIT(in->code) && (st[d].known || st[s].known)) {
            if (!st[d].known || !st[s].known || (st[d].mask & st[s].mask) ||
                ((st[d].mask | st[s].mask) & ~lane_limit))
                break;
            for (int b = 0; b < 8; b++)
                if ((st[s].mask >> b) & 1u)
                    st[d].at[b] = st[s].at[b];
            st[d].mask |= st[s].mask;
            mine = 1;
        } else if (alu && op == MBPF_MOV && MBPF_SRCBIT(in->code) && in->off == 0 && st[s].known) {
            if (st[s].mask & ~lane_limit)
                break;
            st[d] = st[s];
            st[d].since = i;
            mine = 1;
        }
        if (!mine) { /* another instruction: it may not see the read's values nor move the base */
            uint32_t rd, wr;
            uint32_t known = 0;
            for (int x = 0; x < MBPF_REG_FP; x++)
                known |= (uint32_t)st[x].known << x;
            if (!other_regs(c, i, &rd, &wr) || (rd & known) || (wr & (1u << base)))
                break;
            for (uint32_t x = wr; x; x &= x - 1) {
                st[__builtin_ctz(x)].known = 0;
                own_last &= ~(1u << __builtin_ctz(x));
            }
            if (in->code == MBPF_OPC_LDDW) {
                i++;
                k++;
            }
            continue;
        }
        own |= 1ull << k;
        own_last |= 1u << d;
        const uint32_t w = width_of(st[d].mask);
        int16_t off;
        int big;
        if (!w || w != loaded || n_loads < 2 || !byte_order(&st[d], w, &off, &big))
            continue;
        uint32_t others = 0;
        for (uint32_t x = own_last & ~(1u << d); x; x &= x - 1)
            others |= MID_BOTH(__builtin_ctz(x));
        if (m->live_out[i] & others)
            continue;
        const uint32_t last_load = loads[n_loads - 1];
        const uint32_t emit = st[d].since > last_load ? st[d].since : last_load;
        /* below 8 bytes the upper half is zero, written at last */
        const uint32_t keep = m->live_out[i] & (w == 8 ? MID_BOTH(d) : MID_LO(d));
        int holds = 1;
        for (uint32_t j = emit; j < i; j++)
            holds &= (m->live_out[j] & keep) == keep;
        for (uint32_t j = last_load; j < emit && base != MBPF_REG_FP; j++)
            holds &= (m->live_out[j] & MID_LO(base)) != 0;
        if (!holds)
            continue;
        r->first = pc;
        r->last = i;
        r->emit = emit;
        r->own = own;
        r->dst = d;
        r->base = base;
        r->off = off;
        r->big = big;
        r->width = w;
        r->n_loads = n_loads;
        for (uint32_t j = 0; j < n_loads; j++)
            r->load[j] = loads[j];
        found = 1;
    }
    return found;
}
