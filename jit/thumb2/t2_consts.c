/* Constants kept in registers: which immediates the lowering builds in a register, and how much
 * keeping each value in one saves. See t2_consts.h. */
#include "jit/thumb2/t2_consts.h"

#include "jit/thumb2/t2_encode.h"
#include "jit/thumb2/t2_mulrot.h"

int t2_imm_cost(uint32_t v)
{
    if (t2_modimm(v) >= 0 || t2_modimm(~v) >= 0)
        return 1;
    return v >> 16 ? 2 : 1;
}

/* ALU32 with an immediate: the forms lower_alu32 emits with the immediate in the instruction
 * (shifts, add/sub imm12 or modified immediates, zero-extends, logic with modified immediates,
 * multiplies by 2^k, 2^k + 1, 2^k - 1) take no register. */
static int alu32_in_reg(int op, uint32_t imm)
{
    switch (op) {
    case MBPF_MOV: case MBPF_NEG: case MBPF_END: case MBPF_LSH: case MBPF_RSH: case MBPF_ARSH:
        return 0;
    case MBPF_ADD: case MBPF_SUB:
        return !(imm < 4096 || -imm < 4096 || t2_modimm(imm) >= 0);
    case MBPF_AND:
        return !(imm == 0xff || imm == 0xffff || t2_modimm(imm) >= 0 || t2_modimm(~imm) >= 0);
    case MBPF_OR: case MBPF_XOR:
        return t2_modimm(imm) < 0;
    case MBPF_MUL:
        return !((imm && (imm & (imm - 1)) == 0) || (imm > 2 && ((imm - 1) & (imm - 2)) == 0) ||
                 (imm > 2 && imm != 0xffffffffu && ((imm + 1) & imm) == 0));
    default:
        return 1;
    }
}

/* ALU64 with an immediate: add/sub of [-255, 255] and logic with a non-negative modified
 * immediate (or 0xffff for AND) are lower_alu64's immediate forms; the rest read src_lo. */
static int alu64_in_reg(int op, int32_t imm)
{
    switch (op) {
    case MBPF_MOV: case MBPF_NEG: case MBPF_END: case MBPF_LSH: case MBPF_RSH: case MBPF_ARSH:
        return 0;
    case MBPF_ADD: case MBPF_SUB:
        return imm < -255 || imm > 255;
    case MBPF_AND: case MBPF_OR: case MBPF_XOR:
        return !(imm >= 0 && (t2_modimm((uint32_t)imm) >= 0 || (op == MBPF_AND && imm == 0xffff)));
    default:
        return 1;
    }
}

/* Conditional jumps with an immediate: compare()'s immediate forms take no register. */
static int jump_in_reg(const mbpf_insn *in, uint32_t hz_in)
{
    const int op = MBPF_OP(in->code);
    const uint32_t imm = (uint32_t)in->imm;
    if (op == MBPF_JA || op == MBPF_CALL || op == MBPF_EXIT)
        return 0;
    if (MBPF_CLASS(in->code) == MBPF_JMP32 || mid_jump_narrow(in, hz_in)) {
        if (op == MBPF_JSET)
            return t2_modimm(imm) < 0;
        return !(t2_modimm(imm) >= 0 || (in->imm != INT32_MIN && t2_modimm(-imm) >= 0));
    }
    return !(in->imm >= 0 && in->imm <= 255 && (op == MBPF_JEQ || op == MBPF_JNE));
}

int t2_imm_operand(const mbpf_insn *in, uint32_t hz_in, uint32_t live_out, uint32_t *v)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    const int op = MBPF_OP(in->code);
    if (MBPF_SRCBIT(in->code) || in->code == MBPF_OPC_LDDW)
        return 0;
    *v = (uint32_t)in->imm;
    switch (cls) {
    case MBPF_ALU:
        return (live_out & MID_LO(MBPF_DST(in))) && alu32_in_reg(op, *v);
    case MBPF_ALU64:
        return (live_out & MID_BOTH(MBPF_DST(in))) && alu64_in_reg(op, in->imm);
    case MBPF_JMP:
    case MBPF_JMP32:
        return jump_in_reg(in, hz_in);
    default:
        return 0;
    }
}

void t2_find_consts(const jit_ctx *c, const mid_info *m, t2_consts *k)
{
    uint32_t uses[T2_MAX_CONSTS];
    k->n = 0;
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        uint32_t v;
        t2_mulrot mr;
        if (in->code == MBPF_OPC_LDDW) {
            pc++;
            continue;
        }
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE))
            continue;
        if (t2_match_mulrot(c->prog, c->facts, m, pc, &mr)) { /* one multiply, by mr.k */
            v = mr.k;
            pc += T2_MULROT_LEN - 1;
        } else if (!t2_imm_operand(in, m->hz_in[pc], m->live_out[pc], &v)) {
            continue;
        }
        int i = 0;
        while (i < k->n && k->value[i] != v)
            i++;
        if (i == k->n) {
            if (k->n == T2_MAX_CONSTS)
                continue;
            k->value[k->n++] = v;
            uses[i] = 0;
        }
        uses[i] += 1u << (3 * (m->depth[pc] < 3 ? m->depth[pc] : 3));
    }
    int n = 0;
    for (int i = 0; i < k->n; i++) { /* a value used once outside loops saves nothing */
        const uint32_t cost = (uint32_t)t2_imm_cost(k->value[i]);
        if (uses[i] > 1) {
            k->value[n] = k->value[i];
            k->weight[n++] = (uses[i] - 1) * cost;
        }
    }
    k->n = n;
}
