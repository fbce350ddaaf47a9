/* Pre-flight checks on single instructions: opcode known, reserved fields zero, registers valid,
 * r10 never written, helper permitted, constant-offset stack accesses inside the frame.
 * Everything here looks at one instruction (plus the LDDW second slot) at a time. */
#include "verifier/verifier_internal.h"

static int helper_allowed(const mbpf_verify_opts *o, int32_t id)
{
    if (id < 0 || id >= 128)
        return 0;
    if (id < 64)
        return (int)((o->helper_mask_lo >> id) & 1);
    return (int)((o->helper_mask_hi >> (id - 64)) & 1);
}

static int check_alu(vstate *st, uint32_t pc, const mbpf_insn *in)
{
    const uint8_t op = MBPF_OP(in->code), dst = MBPF_DST(in), src = MBPF_SRC(in);
    const int is64 = MBPF_CLASS(in->code) == MBPF_ALU64, x = MBPF_SRCBIT(in->code) != 0;
    if (op > MBPF_END)
        return vreject(st, pc, "unknown ALU operation");
    if (dst == MBPF_REG_FP)
        return vreject(st, pc, "r10 is read-only");
    if (op == MBPF_END) {
        if (in->imm != 16 && in->imm != 32 && in->imm != 64)
            return vreject(st, pc, "byte swap width must be 16, 32 or 64");
        if (src || in->off || (is64 && x))
            return vreject(st, pc, "reserved field of a byte swap is not zero");
        return 0;
    }
    if (op == MBPF_NEG) {
        if (x || src || in->off || in->imm)
            return vreject(st, pc, "reserved field of neg is not zero");
        return 0;
    }
    if (x ? in->imm != 0 : src != 0)
        return vreject(st, pc, "reserved field (imm or src) is not zero");
    if (in->off) {
        int ok = 0;
        if ((op == MBPF_DIV || op == MBPF_MOD) && in->off == 1)
            ok = 1; /* signed division / modulo */
        if (op == MBPF_MOV && x && (in->off == 8 || in->off == 16 || (is64 && in->off == 32)))
            ok = 1; /* movsx */
        if (!ok)
            return vreject(st, pc, "invalid offset field for this ALU operation");
    }
    return 0;
}

static int check_jmp(vstate *st, uint32_t pc, const mbpf_insn *in)
{
    const uint8_t op = MBPF_OP(in->code), dst = MBPF_DST(in), src = MBPF_SRC(in);
    const int is32 = MBPF_CLASS(in->code) == MBPF_JMP32, x = MBPF_SRCBIT(in->code) != 0;
    if (op > MBPF_JSLE)
        return vreject(st, pc, "unknown jump operation");
    switch (op) {
    case MBPF_JA:
        if (x || dst || src || (is32 ? in->off != 0 : in->imm != 0))
            return vreject(st, pc, "reserved field of ja is not zero");
        return 0;
    case MBPF_EXIT:
        if (is32 || x || dst || src || in->off || in->imm)
            return vreject(st, pc, "reserved field of exit is not zero");
        return 0;
    case MBPF_CALL:
        if (is32 || in->off)
            return vreject(st, pc, "invalid call encoding");
        if (x) { /* callx: helper id in register dst; checked again at run time */
            if (src || in->imm)
                return vreject(st, pc, "reserved field of callx is not zero");
            return 0;
        }
        if (dst)
            return vreject(st, pc, "reserved field (dst) of call is not zero");
        if (src == MBPF_CALL_HELPER) {
            if (!helper_allowed(st->opts, in->imm))
                return vreject_num(st, pc, "helper not known or not permitted: id ", in->imm);
            return 0;
        }
        if (src == MBPF_CALL_LOCAL)
            return 0; /* target checked by the CFG pass */
        return vreject(st, pc, "call by BTF id is not supported");
    default:
        if (x ? in->imm != 0 : src != 0)
            return vreject(st, pc, "reserved field (imm or src) is not zero");
        return 0;
    }
}

/* A constant offset from r10 must stay inside the current 512-byte frame. */
static int check_stack_off(vstate *st, uint32_t pc, uint8_t base, int16_t off, uint32_t size)
{
    if (base != MBPF_REG_FP)
        return 0;
    if (off >= 0 || (int32_t)off < -MBPF_STACK_SIZE || (int32_t)off + (int32_t)size > 0)
        return vreject(st, pc, "stack access outside the 512-byte frame");
    return 0;
}

static int check_mem(vstate *st, uint32_t pc, const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), mode = MBPF_MODE(in->code);
    const uint8_t dst = MBPF_DST(in), src = MBPF_SRC(in);
    const uint32_t size = mbpf_size_bytes(in->code);
    switch (cls) {
    case MBPF_LD:
        if (mode == MBPF_ABS || mode == MBPF_IND)
            return vreject(st, pc, "legacy packet access (ld abs/ind) is not supported");
        if (in->code != MBPF_OPC_LDDW)
            return vreject(st, pc, "unknown load instruction");
        if (dst == MBPF_REG_FP)
            return vreject(st, pc, "r10 is read-only");
        if (in->off)
            return vreject(st, pc, "reserved field of lddw is not zero");
        if (pc + 1 >= st->n)
            return vreject(st, pc, "lddw is missing its second slot");
        {
            const mbpf_insn *hi = &st->insns[pc + 1];
            if (hi->code || hi->regs || hi->off)
                return vreject(st, pc, "second slot of lddw is not zero except imm");
            if (src == MBPF_LDDW_IMM64)
                return 0;
            if (src != MBPF_LDDW_REGION)
                return vreject(st, pc, "lddw of maps or other pseudo sources is not supported");
            uint32_t off = (uint32_t)hi->imm;
            if (in->imm == MBPF_REGION_ID_RODATA && off <= st->prog->rodata_len)
                return 0;
            if (in->imm == MBPF_REGION_ID_DATA && off <= st->prog->data_len)
                return 0;
            return vreject(st, pc, "lddw refers to an unknown region or past its end");
        }
    case MBPF_LDX:
        if (mode != MBPF_MEM && !(mode == MBPF_MEMSX && size < 8))
            return vreject(st, pc, "unknown load mode");
        if (in->imm)
            return vreject(st, pc, "reserved field (imm) of a load is not zero");
        if (dst == MBPF_REG_FP)
            return vreject(st, pc, "r10 is read-only");
        return check_stack_off(st, pc, src, in->off, size);
    case MBPF_ST:
        if (mode != MBPF_MEM)
            return vreject(st, pc, "unknown store mode");
        if (src)
            return vreject(st, pc, "reserved field (src) of a store is not zero");
        return check_stack_off(st, pc, dst, in->off, size);
    default: /* STX */
        if (mode == MBPF_ATOMIC) {
            if (size != 4 && size != 8)
                return vreject(st, pc, "atomic operations are 32 or 64 bits wide");
            switch (in->imm) {
            case MBPF_ADD: case MBPF_OR: case MBPF_AND: case MBPF_XOR:
            case MBPF_ADD | MBPF_FETCH: case MBPF_OR | MBPF_FETCH:
            case MBPF_AND | MBPF_FETCH: case MBPF_XOR | MBPF_FETCH:
            case MBPF_XCHG: case MBPF_CMPXCHG:
                break;
            default:
                return vreject(st, pc, "unknown atomic operation");
            }
            if ((in->imm & MBPF_FETCH) && in->imm != MBPF_CMPXCHG && src == MBPF_REG_FP)
                return vreject(st, pc, "r10 is read-only");
            return check_stack_off(st, pc, dst, in->off, size);
        }
        if (mode != MBPF_MEM)
            return vreject(st, pc, "unknown store mode");
        if (in->imm)
            return vreject(st, pc, "reserved field (imm) of a store is not zero");
        return check_stack_off(st, pc, dst, in->off, size);
    }
}

int vpreflight(vstate *st)
{
    const uint32_t n = st->n;
    const mbpf_insn *insns = st->insns;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &insns[pc];
        if (MBPF_DST(in) > 10 || MBPF_SRC(in) > 10)
            return vreject(st, pc, "register number out of range (r0-r10)");
        int rc;
        switch (MBPF_CLASS(in->code)) {
        case MBPF_ALU:
        case MBPF_ALU64: rc = check_alu(st, pc, in); break;
        case MBPF_JMP:
        case MBPF_JMP32: rc = check_jmp(st, pc, in); break;
        default: rc = check_mem(st, pc, in); break;
        }
        if (rc)
            return rc;
        if (in->code == MBPF_OPC_LDDW)
            pc++; /* skip the second slot */
    }
    return 0;
}
