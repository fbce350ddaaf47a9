/* Idiom matching over short windows (mid_idioms.h). */
#include "jit/mid/mid_idioms.h"

static int is_mov_reg(const mbpf_insn *in, uint8_t cls)
{
    return in->code == (cls | MBPF_MOV | MBPF_X) && in->off == 0;
}

/* A left or logical right shift by an immediate in 1 .. W - 1: MBPF_LSH / MBPF_RSH, else -1. */
static int shift_imm(const mbpf_insn *in, uint8_t cls, int width)
{
    const uint8_t op = MBPF_OP(in->code);
    if (MBPF_CLASS(in->code) != cls || MBPF_SRCBIT(in->code) || (op != MBPF_LSH && op != MBPF_RSH))
        return -1;
    return in->imm > 0 && in->imm < width ? op : -1;
}

/* Instructions after the first may not be entered from anywhere but the one before them. */
static int straight(const mbpf_fact *facts, uint32_t pc, uint32_t len)
{
    for (uint32_t i = 1; i < len; i++)
        if (facts[pc + i].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
            return 0;
    return 1;
}

/* The window from a register move at pc (out of line: most instructions are no move, and the
 * lowering asks at every one). */
static __attribute__((noinline)) int match_rotate(const mbpf_program *p, const mbpf_fact *facts,
                                                  const mid_info *m, uint32_t pc, mid_rotate *r)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code);
    const int width = cls == MBPF_ALU64 ? 64 : 32;
    const int x = MBPF_SRC(in), t1 = MBPF_DST(in);
    if (x == t1 || x == MBPF_REG_FP || t1 == MBPF_REG_FP)
        return 0;
    const int sh1 = shift_imm(&in[1], cls, width);
    if (sh1 < 0 || MBPF_DST(&in[1]) != t1)
        return 0;
    uint32_t k = 2;
    int t2 = x;
    if (is_mov_reg(&in[2], cls) && MBPF_SRC(&in[2]) == x) {
        t2 = MBPF_DST(&in[2]);
        if (t2 == x || t2 == t1 || t2 == MBPF_REG_FP)
            return 0;
        k = 3;
    }
    if (pc + k + 2 > p->n_insns)
        return 0;
    const int sh2 = shift_imm(&in[k], cls, width);
    if (sh2 < 0 || sh2 == sh1 || MBPF_DST(&in[k]) != t2 || in[1].imm + in[k].imm != width)
        return 0;
    const mbpf_insn *o = &in[k + 1];
    if (o->code != (cls | MBPF_OR | MBPF_X))
        return 0;
    const int d = MBPF_DST(o), e = MBPF_SRC(o);
    if (!((d == t1 && e == t2) || (d == t2 && e == t1)))
        return 0;
    const uint32_t len = k + 2, last = pc + k + 1;
    if (!straight(facts, pc, len) || (m->live_out[last] & MID_BOTH(e)))
        return 0;
    /* the rotate reads x whole: every half it reads must hold x's value there (the shifts may
     * not have demanded one, e.g. when a fact made a shifted-in half known) */
    uint32_t need = MID_LO(x) | (width == 64 ? MID_HI(x) : 0);
    if (((m->hz_in[pc] >> x) & 1u))
        need &= ~MID_HI(x); /* read as the constant 0 */
    if ((mid_live_in(p, facts, m, pc) & need) != need)
        return 0;
    r->len = (uint8_t)len;
    r->wide = width == 64;
    r->src = (uint8_t)x;
    r->dst = (uint8_t)d;
    r->right = (uint8_t)(sh1 == MBPF_RSH ? in[1].imm : in[k].imm);
    return 1;
}

int mid_match_rotate(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                     mid_rotate *r)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code);
    if ((cls != MBPF_ALU && cls != MBPF_ALU64) || !is_mov_reg(in, cls) || pc + 4 > p->n_insns)
        return 0;
    return match_rotate(p, facts, m, pc, r);
}

int mid_match_umod(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                   mid_umod *r)
{
    const mbpf_insn *in = &p->insns[pc];
    if (!is_mov_reg(in, MBPF_ALU) || pc + 4 > p->n_insns)
        return 0;
    const int x = MBPF_SRC(in), t = MBPF_DST(in);
    const uint32_t k = (uint32_t)in[1].imm;
    if (x == t || x == MBPF_REG_FP || t == MBPF_REG_FP || k == 0)
        return 0;
    if (in[1].code != (MBPF_ALU | MBPF_DIV | MBPF_K) || in[1].off != 0 || MBPF_DST(&in[1]) != t ||
        in[2].code != (MBPF_ALU | MBPF_MUL | MBPF_K) || (uint32_t)in[2].imm != k ||
        MBPF_DST(&in[2]) != t || in[3].code != (MBPF_ALU | MBPF_SUB | MBPF_X) ||
        MBPF_DST(&in[3]) != x || MBPF_SRC(&in[3]) != t)
        return 0;
    if (!straight(facts, pc, 4) || (m->live_out[pc + 3] & MID_BOTH(t)) ||
        !(mid_live_in(p, facts, m, pc) & MID_LO(x)))
        return 0;
    r->len = 4;
    r->x = (uint8_t)x;
    r->k = k;
    return 1;
}
