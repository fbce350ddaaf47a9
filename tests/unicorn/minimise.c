/* Program shrinking (minimise.h). */
#include "tests/unicorn/minimise.h"

#include <string.h>

static uint64_t run_budget;

static diff_class check(const gen_prog *p)
{
    diff_input in = {p->insns, p->n, p->rodata, p->rodata_len, p->data, p->data_len, p->ctx_len, p->budget ? p->budget : run_budget, 0};
    diff_result r;
    return diff_check(&in, &r);
}

static int is_nop(const mbpf_insn *in)
{
    return in->code == (MBPF_JMP | MBPF_JA) && in->off == 0 && in->imm == 0 && in->regs == 0;
}

static int is_jump(const mbpf_insn *in)
{
    uint8_t c = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    return (c == MBPF_JMP || c == MBPF_JMP32) && op != MBPF_EXIT && op != MBPF_CALL;
}

static int is_local_call(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL;
}

/* Drop the no-ops; jumps into a dropped one land on the next kept instruction. */
static void compact(const gen_prog *p, gen_prog *out)
{
    static uint32_t newidx[GEN_MAX_INSNS + 1];
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        newidx[i] = k;
        if (!is_nop(&p->insns[i]))
            k++;
    }
    newidx[p->n] = k;
    *out = *p;
    out->n = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        const mbpf_insn *in = &p->insns[i];
        if (is_nop(in))
            continue;
        mbpf_insn c = *in;
        int64_t t = (int64_t)i + 1 + (is_local_call(in) ? in->imm : in->off);
        if ((is_jump(in) || is_local_call(in)) && t >= 0 && t <= (int64_t)p->n) {
            int32_t rel = (int32_t)newidx[t] - (int32_t)newidx[i] - 1;
            if (is_local_call(in))
                c.imm = rel;
            else
                c.off = (int16_t)rel;
        }
        out->insns[out->n++] = c;
    }
}

diff_class minimise(gen_prog *p, diff_class cls, uint64_t budget)
{
    static gen_prog trial;
    run_budget = budget;
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t i = 0; i < p->n; i++) {
            mbpf_insn *in = &p->insns[i];
            if (is_nop(in) || in->code == 0)
                continue;
            uint32_t width = in->code == MBPF_OPC_LDDW && i + 1 < p->n ? 2 : 1;
            mbpf_insn saved[2] = {in[0], width == 2 ? in[1] : in[0]};
            memset(in, 0, width * sizeof *in);
            for (uint32_t w = 0; w < width; w++)
                in[w].code = MBPF_JMP | MBPF_JA;
            if (check(p) == cls) {
                changed = 1;
            } else {
                in[0] = saved[0];
                if (width == 2)
                    in[1] = saved[1];
            }
            i += width - 1;
        }
    }
    compact(p, &trial);
    if (check(&trial) == cls)
        *p = trial;
    return check(p);
}
