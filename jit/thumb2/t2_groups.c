/* Load groups: which guarded loads one check at the first of them covers (t2_groups.h). */
#include "jit/thumb2/t2_groups.h"

/* A load the group may take: from its base, guarded against its region. */
static int joins(const jit_ctx *c, const t2_group *g, uint32_t i, const mbpf_fact *f)
{
    const mbpf_insn *in = &c->prog->insns[i];
    return MBPF_CLASS(in->code) == MBPF_LDX && MBPF_MODE(in->code) != MBPF_ATOMIC &&
           (int)MBPF_SRC(in) == g->base && f->mem == MBPF_MEM_GUARD_REGION &&
           f->region == g->region;
}

/* Does instruction i end the window before it (anything but ALU, LDDW and proven loads)? */
static int ends_window(const jit_ctx *c, uint32_t i, const mbpf_fact *f)
{
    const mbpf_insn *in = &c->prog->insns[i];
    const uint8_t cls = MBPF_CLASS(in->code);
    if (c->facts[i].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG | MBPF_FACT_LOOP_HEAD))
        return 1;
    if (cls == MBPF_ALU || cls == MBPF_ALU64 || in->code == MBPF_OPC_LDDW)
        return 0;
    return !(cls == MBPF_LDX && f->mem == MBPF_MEM_PROVEN);
}

static int writes(const mbpf_insn *in, int r)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    return (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LDX || cls == MBPF_LD) &&
           (int)MBPF_DST(in) == r;
}

void t2_group_scan(const jit_ctx *c, uint32_t pc, t2_group *g)
{
    const uint32_t n = c->prog->n_insns;
    const mbpf_insn *lead = &c->prog->insns[pc];
    mbpf_fact f;
    jit_checked_fact(c, pc, &f);
    g->leader = pc;
    g->last = 0;
    g->base = MBPF_SRC(lead);
    g->region = f.region;
    uint32_t start, end;
    if (!joins(c, g, pc, &f) || !jit_region_bounds(f.region, 0, &start, &end))
        return;
    int32_t lo = lead->off, hi = lead->off + (int32_t)mbpf_size_bytes(lead->code);
    if (writes(lead, g->base))
        return;
    for (uint32_t i = pc + 1, k = 0; i < n && k < 64; i++, k++) {
        const mbpf_insn *in = &c->prog->insns[i];
        jit_checked_fact(c, i, &f);
        if (joins(c, g, i, &f) && !(c->facts[i].flags & MBPF_FACT_JUMP_TARGET)) {
            const int32_t nlo = in->off < lo ? in->off : lo;
            const int32_t e = in->off + (int32_t)mbpf_size_bytes(in->code);
            const int32_t nhi = e > hi ? e : hi;
            if ((uint32_t)(nhi - nlo) > T2_GROUP_SPAN)
                break;
            lo = nlo;
            hi = nhi;
            g->last = i;
        } else if (ends_window(c, i, &f)) {
            break;
        }
        if (writes(in, g->base))
            break;
        if (in->code == MBPF_OPC_LDDW)
            i++;
    }
    g->min_off = lo;
    g->span = (uint32_t)(hi - lo);
}

int t2_group_member(const jit_ctx *c, const t2_group *g, uint32_t i)
{
    if (!g->last || i <= g->leader || i > g->last)
        return 0;
    mbpf_fact f;
    jit_checked_fact(c, i, &f);
    return joins(c, g, i, &f);
}
