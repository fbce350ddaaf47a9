/* Multiply-and-rotate windows (t2_mulrot.h). */
#include "jit/thumb2/t2_mulrot.h"

static int is_alu32(const mbpf_insn *in, uint8_t op_src)
{
    return in->code == (MBPF_ALU | op_src) && in->off == 0;
}

int t2_match_mulrot(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc,
                    t2_mulrot *r)
{
    const mbpf_insn *in = &p->insns[pc];
    if (!is_alu32(in, MBPF_MOV | MBPF_X) || pc + T2_MULROT_LEN > p->n_insns)
        return 0;
    const int x = MBPF_SRC(in), t = MBPF_DST(in);
    if (x == t || x == MBPF_REG_FP || t == MBPF_REG_FP)
        return 0;
    if (!is_alu32(&in[1], MBPF_MUL | MBPF_K) || MBPF_DST(&in[1]) != t ||
        !is_alu32(&in[2], MBPF_MUL | MBPF_K) || MBPF_DST(&in[2]) != x ||
        !is_alu32(&in[3], MBPF_RSH | MBPF_K) || MBPF_DST(&in[3]) != x ||
        !is_alu32(&in[4], MBPF_OR | MBPF_X) || MBPF_DST(&in[4]) != x || MBPF_SRC(&in[4]) != t)
        return 0;
    const int32_t s = in[3].imm;
    const uint32_t k = (uint32_t)in[2].imm;
    if (s < 1 || s > 31 || (uint32_t)in[1].imm != k << (32 - s))
        return 0;
    for (uint32_t i = 1; i < T2_MULROT_LEN; i++)
        if (facts[pc + i].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
            return 0;
    if ((m->live_out[pc + T2_MULROT_LEN - 1] & MID_BOTH(t)) ||
        !(mid_live_in(p, facts, m, pc) & MID_LO(x)))
        return 0;
    r->x = (uint8_t)x;
    r->right = (uint8_t)s;
    r->k = k;
    return 1;
}
