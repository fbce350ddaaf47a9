/* The interpreter: the reference engine and the fallback when translation is not possible.
 * Safe on any bytecode: every memory access is checked against the run's regions, every jump
 * and register number is checked, invalid encodings fault with MBPF_FAULT_BAD_INSN. */
#include <string.h>

#include "mcubpf/verifier.h"
#include "mcubpf/vm.h"
#include "runtime/ebpf_ops.h"

typedef struct call_frame {
    uint32_t ret_pc;
    uint64_t saved[5]; /* r6..r10 of the caller */
} call_frame;

static uint64_t sext(uint64_t v, uint32_t bits)
{
    uint64_t m = 1ull << (bits - 1);
    v &= (m << 1) - 1;
    return (v ^ m) - m;
}

static uint64_t bswap(uint64_t v, int32_t width)
{
    uint64_t r = 0;
    for (int32_t i = 0; i < width; i += 8)
        r = (r << 8) | ((v >> i) & 0xff);
    return r;
}

/* 64-bit and 32-bit ALU operations on already-fetched operands. Returns 0 for an invalid
 * operation (the caller faults). */
static int alu64(uint8_t op, int16_t off, uint64_t *d, uint64_t s)
{
    uint64_t v = *d;
    switch (op) {
    case MBPF_ADD: v += s; break;
    case MBPF_SUB: v -= s; break;
    case MBPF_MUL: v *= s; break;
    case MBPF_DIV:
        if (off == 0)
            v = s ? v / s : 0;
        else if (off == 1)
            v = ebpf_sdiv64(v, s);
        else
            return 0;
        break;
    case MBPF_MOD:
        if (off == 0)
            v = s ? v % s : v;
        else if (off == 1)
            v = ebpf_smod64(v, s);
        else
            return 0;
        break;
    case MBPF_OR: v |= s; break;
    case MBPF_AND: v &= s; break;
    case MBPF_XOR: v ^= s; break;
    case MBPF_LSH: v <<= (s & 63); break;
    case MBPF_RSH: v >>= (s & 63); break;
    case MBPF_ARSH: v = (uint64_t)(((int64_t)v) >> (s & 63)); break;
    case MBPF_NEG: v = 0 - v; break;
    case MBPF_MOV:
        if (off == 0)
            v = s;
        else if (off == 8 || off == 16 || off == 32)
            v = sext(s, (uint32_t)off);
        else
            return 0;
        break;
    default:
        return 0;
    }
    *d = v;
    return 1;
}

static int alu32(uint8_t op, int16_t off, uint64_t *d, uint64_t s64)
{
    uint32_t v = (uint32_t)*d, s = (uint32_t)s64;
    switch (op) {
    case MBPF_ADD: v += s; break;
    case MBPF_SUB: v -= s; break;
    case MBPF_MUL: v *= s; break;
    case MBPF_DIV:
        if (off == 0)
            v = s ? v / s : 0;
        else if (off == 1)
            v = (uint32_t)ebpf_sdiv64(sext(v, 32), sext(s, 32));
        else
            return 0;
        break;
    case MBPF_MOD:
        if (off == 0)
            v = s ? v % s : v;
        else if (off == 1)
            v = (uint32_t)ebpf_smod64(sext(v, 32), sext(s, 32));
        else
            return 0;
        break;
    case MBPF_OR: v |= s; break;
    case MBPF_AND: v &= s; break;
    case MBPF_XOR: v ^= s; break;
    case MBPF_LSH: v <<= (s & 31); break;
    case MBPF_RSH: v >>= (s & 31); break;
    case MBPF_ARSH: v = (uint32_t)sext(v >> (s & 31), 32 - (s & 31)); break;
    case MBPF_NEG: v = 0 - v; break;
    case MBPF_MOV:
        if (off == 0)
            v = s;
        else if (off == 8 || off == 16)
            v = (uint32_t)sext(s, (uint32_t)off);
        else
            return 0;
        break;
    default:
        return 0;
    }
    *d = v;
    return 1;
}

/* Condition of a conditional jump; *ok = 0 for an invalid operation. */
static int cond(uint8_t op, uint64_t a, uint64_t b, int is32, int *ok)
{
    if (is32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
    }
    int64_t sa = is32 ? (int64_t)sext(a, 32) : (int64_t)a;
    int64_t sb = is32 ? (int64_t)sext(b, 32) : (int64_t)b;
    switch (op) {
    case MBPF_JEQ: return a == b;
    case MBPF_JGT: return a > b;
    case MBPF_JGE: return a >= b;
    case MBPF_JSET: return (a & b) != 0;
    case MBPF_JNE: return a != b;
    case MBPF_JSGT: return sa > sb;
    case MBPF_JSGE: return sa >= sb;
    case MBPF_JLT: return a < b;
    case MBPF_JLE: return a <= b;
    case MBPF_JSLT: return sa < sb;
    case MBPF_JSLE: return sa <= sb;
    default:
        *ok = 0;
        return 0;
    }
}

#ifdef MBPF_INTERP_CHECK_FACTS
/* Checking builds (host tools, fuzzers): every fact the translators rely on is checked against
 * what really happens; a wrong one is a verifier bug and stops the process. */
static int inside_region(uint64_t addr, uint32_t size, uint64_t start, uint64_t len)
{
    return start && addr >= start && addr - start <= len && size <= len - (addr - start);
}

static void check_access(const mbpf_exec *x, uint32_t pc, uint64_t addr, uint32_t size, uint64_t fp)
{
    const mbpf_fact *f = &x->facts[pc];
    const mbpf_program *p = x->prog;
    if (f->mem != MBPF_MEM_PROVEN)
        return;
    int ok = 0;
    switch (f->region) {
    case MBPF_RGN_STACK: ok = inside_region(addr, size, fp - MBPF_STACK_SIZE, MBPF_STACK_SIZE); break;
    case MBPF_RGN_CTX: ok = inside_region(addr, size, (uintptr_t)x->ctx, x->ctx_len); break;
    case MBPF_RGN_RODATA: ok = inside_region(addr, size, (uintptr_t)p->rodata, p->rodata_len); break;
    case MBPF_RGN_DATA: ok = inside_region(addr, size, (uintptr_t)p->data, p->data_len); break;
    default: break;
    }
    if (!ok)
        __builtin_trap();
}
#define CHECK_ACCESS(addr, size) \
    do { if (x->facts) check_access(x, pc, addr, size, reg[MBPF_REG_FP]); } while (0)
#define CHECK_HI_ZERO(r) \
    do { if (x->facts && (x->facts[pc].flags & MBPF_FACT_HI_ZERO) && ((r) >> 32)) __builtin_trap(); } while (0)
/* A loop proven bounded takes its back edge at most MBPF_LOOP_MAX_TRIPS times in a row. */
#define CHECK_LOOP_TRIP() \
    do { \
        if (x->facts && (x->facts[pc].flags & MBPF_FACT_BOUNDED)) { \
            trips = trip_pc == pc ? trips + 1 : 1; \
            trip_pc = pc; \
            if (trips > MBPF_LOOP_MAX_TRIPS + 2u) \
                __builtin_trap(); \
        } \
    } while (0)
#define CHECK_LOOP_EXIT() \
    do { if (trip_pc == pc) trips = 0; } while (0)
#else
#define CHECK_ACCESS(addr, size) ((void)0)
#define CHECK_HI_ZERO(r) ((void)0)
#define CHECK_LOOP_TRIP() ((void)0)
#define CHECK_LOOP_EXIT() ((void)0)
#endif

static mbpf_status fault(mbpf_exec *x, mbpf_status s, uint32_t pc, uint64_t addr, uint32_t size)
{
    x->status = s;
    x->fault.pc = pc;
    x->fault.addr = addr;
    x->fault.size = size;
    return s;
}

mbpf_status mbpf_interp_run(mbpf_exec *x)
{
    const mbpf_program *p = x->prog;
    const mbpf_insn *insns = p->insns;
    const uint32_t n = p->n_insns;
    uint64_t reg[16];
    call_frame frames[MBPF_MAX_CALL_DEPTH];
    uint32_t depth = 0, pc = 0;
    uint64_t budget_used = 0, count = 0;
#ifdef MBPF_INTERP_CHECK_FACTS
    uint32_t trip_pc = UINT32_MAX, trips = 0;
#endif
    uint32_t max_depth = x->stack_len / MBPF_STACK_SIZE;
    if (max_depth > MBPF_MAX_CALL_DEPTH)
        max_depth = MBPF_MAX_CALL_DEPTH;

    for (int i = 0; i < 16; i++)
        reg[i] = 0;
    reg[1] = (uint64_t)(uintptr_t)x->ctx;
    reg[2] = x->ctx_len;
    reg[10] = (uint64_t)(uintptr_t)x->stack + (max_depth ? MBPF_STACK_SIZE : x->stack_len);
    x->stack_top = (uintptr_t)reg[10];
    x->status = MBPF_OK;

    for (;;) {
        if (pc >= n)
            return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
        const mbpf_insn *in = &insns[pc];
        const uint8_t code = in->code, dst = MBPF_DST(in), src = MBPF_SRC(in);
        count++;
        x->insns_executed = count;
        if (dst > 10 || src > 10)
            return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);

        switch (MBPF_CLASS(code)) {
        case MBPF_ALU:
        case MBPF_ALU64: {
            const int is64 = MBPF_CLASS(code) == MBPF_ALU64;
            const uint8_t op = MBPF_OP(code);
            if (dst == MBPF_REG_FP)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            if (op == MBPF_END) {
                int32_t w = in->imm;
                if (w != 16 && w != 32 && w != 64)
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                uint64_t v = reg[dst];
                if (is64 && MBPF_SRCBIT(code))
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if (is64 || MBPF_SRCBIT(code) == MBPF_TO_BE)
                    v = bswap(v, w); /* BSWAP, or TO_BE on this little-endian machine model */
                if (w < 64)
                    v &= (1ull << w) - 1;
                reg[dst] = v;
                break;
            }
            if (op == MBPF_NEG && MBPF_SRCBIT(code))
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            uint64_t s = MBPF_SRCBIT(code) ? reg[src] : (uint64_t)(int64_t)in->imm;
            if (!MBPF_SRCBIT(code) && op == MBPF_MOV && in->off != 0)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            if (!(is64 ? alu64(op, in->off, &reg[dst], s) : alu32(op, in->off, &reg[dst], s)))
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            break;
        }

        case MBPF_JMP:
        case MBPF_JMP32: {
            const uint8_t op = MBPF_OP(code);
            const int is32 = MBPF_CLASS(code) == MBPF_JMP32;
            int64_t target;
            if (op == MBPF_EXIT) {
                if (code != MBPF_OPC_EXIT)
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if (depth == 0) {
                    x->r0 = reg[0];
                    return MBPF_OK;
                }
                depth--;
                for (int i = 0; i < 5; i++)
                    reg[6 + i] = frames[depth].saved[i];
                x->stack_top = (uintptr_t)x->stack + (uintptr_t)(depth + 1) * MBPF_STACK_SIZE;
                pc = frames[depth].ret_pc;
                continue;
            }
            if (op == MBPF_CALL) {
                if (is32)
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if (MBPF_SRCBIT(code) == 0 && src == MBPF_CALL_LOCAL) {
                    target = (int64_t)pc + in->imm + 1;
                    if (target < 0 || target >= n)
                        return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                    if (x->budget && ++budget_used > x->budget)
                        return fault(x, MBPF_FAULT_BUDGET, pc, 0, 0);
                    if (depth + 1 >= max_depth)
                        return fault(x, MBPF_FAULT_CALL_DEPTH, pc, 0, 0);
                    frames[depth].ret_pc = pc + 1;
                    for (int i = 0; i < 5; i++)
                        frames[depth].saved[i] = reg[6 + i];
                    depth++;
                    x->stack_top = (uintptr_t)x->stack + (uintptr_t)(depth + 1) * MBPF_STACK_SIZE;
                    reg[10] = (uint64_t)x->stack_top;
                    pc = (uint32_t)target;
                    continue;
                }
                /* helper: id in imm (0x85, src 0) or in register dst (0x8d, "callx") */
                uint64_t id;
                if (MBPF_SRCBIT(code) == 0 && src == MBPF_CALL_HELPER)
                    id = (uint32_t)in->imm;
                else if (MBPF_SRCBIT(code) == MBPF_X && src == 0 && in->imm == 0)
                    id = reg[dst];
                else
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if (id >= x->n_helpers || !x->helpers[id])
                    return fault(x, MBPF_FAULT_HELPER, pc, id, 0);
                reg[0] = x->helpers[id](x, &reg[1]);
                if (x->status != MBPF_OK) {
                    if (x->status == MBPF_FAULT_STOPPED) {
                        x->status = MBPF_OK;
                        return MBPF_OK; /* r0 was set by mbpf_exec_stop */
                    }
                    x->fault.pc = pc;
                    return x->status;
                }
                break;
            }
            if (op == MBPF_JA) {
                if (MBPF_SRCBIT(code) || src || dst)
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                target = (int64_t)pc + 1 + (is32 ? (int64_t)in->imm : (int64_t)in->off);
            } else {
                int ok = 1;
                uint64_t b = MBPF_SRCBIT(code) ? reg[src] : (uint64_t)(int64_t)in->imm;
                int taken = cond(op, reg[dst], b, is32, &ok);
                if (!ok)
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if (!taken) {
                    CHECK_LOOP_EXIT();
                    break;
                }
                target = (int64_t)pc + 1 + in->off;
            }
            if (target < 0 || target >= n)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            if (target <= pc)
                CHECK_LOOP_TRIP();
            if (target <= pc && x->budget && !(x->facts && (x->facts[pc].flags & MBPF_FACT_BOUNDED)) &&
                ++budget_used > x->budget)
                return fault(x, MBPF_FAULT_BUDGET, pc, 0, 0);
            pc = (uint32_t)target;
            continue;
        }

        case MBPF_LD: {
            if (code != MBPF_OPC_LDDW || pc + 1 >= n || dst == MBPF_REG_FP)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            const mbpf_insn *hi = &insns[pc + 1];
            if (hi->code || hi->regs || hi->off)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            if (src == MBPF_LDDW_IMM64) {
                reg[dst] = (uint64_t)(uint32_t)in->imm | (uint64_t)(uint32_t)hi->imm << 32;
            } else if (src == MBPF_LDDW_REGION) {
                uint32_t off = (uint32_t)hi->imm;
                if (in->imm == MBPF_REGION_ID_RODATA && off <= p->rodata_len)
                    reg[dst] = (uint64_t)(uintptr_t)p->rodata + off;
                else if (in->imm == MBPF_REGION_ID_DATA && off <= p->data_len)
                    reg[dst] = (uint64_t)(uintptr_t)p->data + off;
                else
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            } else {
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            }
            pc += 2;
            continue;
        }

        case MBPF_LDX: {
            const uint32_t size = mbpf_size_bytes(code);
            const uint8_t mode = MBPF_MODE(code);
            if ((mode != MBPF_MEM && !(mode == MBPF_MEMSX && size < 8)) || dst == MBPF_REG_FP)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            uint64_t addr = reg[src] + (uint64_t)(int64_t)in->off;
            CHECK_ACCESS(addr, size); /* before the guard, which would hide a wrong proof */
            if (!mbpf_exec_check(x, addr, size, MBPF_REGION_R))
                return fault(x, MBPF_FAULT_MEM_READ, pc, addr, size);
            uint64_t v = ebpf_load(addr, size);
            reg[dst] = mode == MBPF_MEMSX ? sext(v, size * 8) : v;
            break;
        }

        case MBPF_ST:
        case MBPF_STX: {
            const uint32_t size = mbpf_size_bytes(code);
            const uint8_t mode = MBPF_MODE(code);
            uint64_t addr = reg[dst] + (uint64_t)(int64_t)in->off;
            if (mode == MBPF_ATOMIC && MBPF_CLASS(code) == MBPF_STX && (size == 4 || size == 8)) {
                CHECK_ACCESS(addr, size);
                if (!mbpf_exec_check(x, addr, size, MBPF_REGION_R | MBPF_REGION_W))
                    return fault(x, MBPF_FAULT_MEM_WRITE, pc, addr, size);
                if (src == MBPF_REG_FP && (in->imm & MBPF_FETCH))
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                uint64_t r0 = reg[0];
                if (!ebpf_atomic(in->imm, addr, size, &reg[src], &r0))
                    return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
                if ((in->imm & ~MBPF_FETCH) == (MBPF_CMPXCHG & ~MBPF_FETCH))
                    reg[0] = size == 4 ? (uint32_t)r0 : r0;
                else if ((in->imm & MBPF_FETCH) && size == 4)
                    reg[src] = (uint32_t)reg[src];
                break;
            }
            if (mode != MBPF_MEM)
                return fault(x, MBPF_FAULT_BAD_INSN, pc, 0, 0);
            CHECK_ACCESS(addr, size);
            if (!mbpf_exec_check(x, addr, size, MBPF_REGION_W))
                return fault(x, MBPF_FAULT_MEM_WRITE, pc, addr, size);
            ebpf_store(addr, size, MBPF_CLASS(code) == MBPF_STX ? reg[src] : (uint64_t)(int64_t)in->imm);
            break;
        }
        }
        CHECK_HI_ZERO(reg[dst]);
        pc++;
    }
}
