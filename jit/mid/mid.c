/* Middle end: width analysis (known-zero upper halves forward, demanded halves backward), loop
 * depth and allocation weights. See mid.h. */
#include <string.h>

#include "jit/mid/mid.h"
#include "jit/mid/mid_access.h"

#define R10_BITS (MID_BOTH(MBPF_REG_FP))
#define ARGS_BOTH 0x003e003eu   /* r1..r5 */
#define CALL_DEFS 0x003f003fu   /* r0..r5 */

static int hz_of(uint32_t hz, int r)
{
    return r == MBPF_REG_FP || ((hz >> r) & 1u);
}

static int is_lddw(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_LDDW;
}

int mid_jump_narrow(const mbpf_insn *in, uint32_t hz)
{
    const int d = MBPF_DST(in), x = MBPF_SRCBIT(in->code) != 0;
    if (!hz_of(hz, d))
        return 0;
    if (MBPF_OP(in->code) == MBPF_JSET)
        return 1;
    return x ? hz_of(hz, MBPF_SRC(in)) : in->imm >= 0;
}

int mid_divmod_narrow(const mbpf_insn *in, uint32_t hz)
{
    const int x = MBPF_SRCBIT(in->code) != 0;
    return hz_of(hz, MBPF_DST(in)) && (x ? hz_of(hz, MBPF_SRC(in)) : in->imm >= 0);
}

/* Width state: bit r = upper half of r known zero (value < 2^32), bit 16 + r = value known below
 * 2^31 (so that adding a non-negative 32-bit immediate or another such value cannot carry into
 * the upper half). The second implies the first. */
#define S31(r) (1u << (16 + (r)))
#define ZS(r) ((1u << (r)) | S31(r))

static int s31_of(uint32_t hz, int r)
{
    return (hz >> (16 + r)) & 1u;
}

static uint32_t set_state(uint32_t hz, int r, int zero, int small)
{
    hz &= ~ZS(r);
    if (zero || small)
        hz |= 1u << r;
    if (small)
        hz |= S31(r);
    return hz;
}

uint32_t mid_hz_transfer(const mbpf_insn *in, const mbpf_fact *f, uint32_t hz)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int d = MBPF_DST(in), s = MBPF_SRC(in), x = MBPF_SRCBIT(in->code) != 0;
    const int fact = (f->flags & MBPF_FACT_HI_ZERO) != 0;
    int zero = fact, small = 0, defines = 1, r = d;
    const uint32_t k = (uint32_t)in->imm & 63u;
    switch (cls) {
    case MBPF_ALU:
        if (op == MBPF_END && in->imm == 64) {
            if (!x)
                return hz; /* le64: no operation */
            break;
        }
        zero = 1;
        small = (op == MBPF_AND && !x && in->imm >= 0) || (op == MBPF_RSH && !x && (k & 31u)) ||
                (op == MBPF_MOV && (x ? in->off == 0 && s31_of(hz, s) : in->imm >= 0)) ||
                (op == MBPF_END && in->imm == 16);
        break;
    case MBPF_ALU64:
        switch (op) {
        case MBPF_MOV:
            if (x && in->off == 0) {
                zero |= hz_of(hz, s);
                small = s == MBPF_REG_FP ? 0 : s31_of(hz, s);
            } else if (!x) {
                small = in->imm >= 0;
            }
            break;
        case MBPF_AND:
            zero |= x ? hz_of(hz, s) || hz_of(hz, d) : in->imm >= 0 || hz_of(hz, d);
            small = x ? s31_of(hz, s) || s31_of(hz, d) : in->imm >= 0 || s31_of(hz, d);
            break;
        case MBPF_OR:
        case MBPF_XOR:
            zero |= hz_of(hz, d) && (x ? hz_of(hz, s) : in->imm >= 0);
            break;
        case MBPF_ADD:
            zero |= s31_of(hz, d) && (x ? s31_of(hz, s) : in->imm >= 0);
            break;
        case MBPF_RSH:
            zero |= hz_of(hz, d) || (!x && k >= 32);
            small = !x && k && (k >= 33 || hz_of(hz, d));
            small |= s31_of(hz, d);
            break;
        case MBPF_ARSH:
            zero |= hz_of(hz, d);
            small = s31_of(hz, d) || (hz_of(hz, d) && !x && k);
            break;
        case MBPF_END:
            zero |= in->imm != 64;
            small = in->imm == 16;
            break;
        case MBPF_DIV:
        case MBPF_MOD: /* an unsigned quotient or remainder is no larger than the dividend */
            if (in->off == 0 || mid_divmod_narrow(in, hz)) {
                zero |= hz_of(hz, d);
                small = s31_of(hz, d);
            }
            break;
        default:
            break;
        }
        break;
    case MBPF_LDX:
        if (MBPF_MODE(in->code) != MBPF_MEMSX) {
            zero |= MBPF_SIZE(in->code) != MBPF_DW;
            small = MBPF_SIZE(in->code) == MBPF_B || MBPF_SIZE(in->code) == MBPF_H;
        }
        break;
    case MBPF_LD:
        if (s == MBPF_LDDW_REGION) {
            zero = 1;
        } else if (is_lddw(in) && in[1].imm == 0) {
            zero = 1;
            small = in->imm >= 0;
        }
        break;
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC && (in->imm & MBPF_FETCH)) {
            r = in->imm == MBPF_CMPXCHG ? 0 : s;
            zero = MBPF_SIZE(in->code) != MBPF_DW;
        } else {
            defines = 0;
        }
        break;
    case MBPF_JMP:
    case MBPF_JMP32:
        if (op == MBPF_CALL)
            hz &= ~0x003f003fu; /* r0 = the result, r1..r5 clobbered */
        defines = 0;
        break;
    default:
        defines = 0;
        break;
    }
    if (defines && r != MBPF_REG_FP)
        hz = set_state(hz, r, zero, small);
    return hz | 1u << MBPF_REG_FP;
}

static uint32_t edge_learn(const mbpf_insn *in, uint32_t hz, int taken);

/* The register an instruction writes (r0..r9; calls write r0..r5), as a mask. */
static uint32_t written_by(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU: case MBPF_ALU64: case MBPF_LDX: case MBPF_LD:
        return 1u << MBPF_DST(in);
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC && (in->imm & MBPF_FETCH))
            return 1u << (in->imm == MBPF_CMPXCHG ? 0 : MBPF_SRC(in));
        return 0;
    case MBPF_JMP: case MBPF_JMP32:
        return op == MBPF_CALL ? 0x3fu : 0;
    default:
        return 0;
    }
}

/* Registers whose value is at most r's at pc (unsigned): copies made by a mov in the straight
 * line just before it (r = a or a = r in 64 bits, a = w(r) in 32), neither written since. They
 * learn the bounds r learns on a compare's edge (clang compares one copy of a clamped length and
 * keeps using the other). At most 8 instructions back, never past a join. */
static uint32_t copies_below(const mbpf_program *p, const mbpf_fact *facts, uint32_t pc, int r)
{
    uint32_t same = 0, written = 0;
    for (uint32_t k = 0; k < 8 && pc > 0; k++) {
        if (facts[pc].flags & (MBPF_FACT_JUMP_TARGET | MBPF_FACT_SUBPROG))
            break;
        pc--;
        if (pc > 0 && is_lddw(&p->insns[pc - 1]))
            break; /* the second slot of an LDDW */
        const mbpf_insn *in = &p->insns[pc];
        const int a = MBPF_DST(in), b = MBPF_SRC(in);
        if ((in->code == (MBPF_ALU64 | MBPF_MOV | MBPF_X) || in->code == (MBPF_ALU | MBPF_MOV | MBPF_X)) &&
            in->off == 0 && !(written & (1u << a | 1u << b))) {
            if (b == r && a != r)
                same |= 1u << a;                     /* a = r, or a = w(r) <= r */
            else if (a == r && b != r && MBPF_CLASS(in->code) == MBPF_ALU64)
                same |= 1u << b;                     /* r = b */
        }
        written |= written_by(in);
        if (written & (1u << r))
            break;
    }
    return same & ~(1u << MBPF_REG_FP);
}

/* Registers in mask m learn the width bits (hz, s31) register r has in hz. */
static uint32_t spread(uint32_t hz, int r, uint32_t m)
{
    for (; m; m &= m - 1) {
        const int c = __builtin_ctz(m);
        hz |= ((hz >> r) & 1u) << c;
        hz |= ((hz >> (16 + r)) & 1u) << (16 + c);
    }
    return hz;
}

/* What an unsigned 64-bit compare teaches on one of its edges: a value below (or equal to) one
 * with a known-zero upper half, or below 2^31, is so too; so are the copies at most that value. */
static uint32_t edge_state(const mbpf_program *p, const mbpf_fact *facts, uint32_t pc,
                           uint32_t hz, int taken)
{
    const mbpf_insn *in = &p->insns[pc];
    const uint32_t before = hz;
    hz = edge_learn(in, hz, taken);
    const int d = MBPF_DST(in), s = MBPF_SRC(in);
    if (hz != before) {
        if (d != MBPF_REG_FP && ((hz ^ before) & ZS(d)))
            hz = spread(hz, d, copies_below(p, facts, pc, d));
        if (MBPF_SRCBIT(in->code) && s != MBPF_REG_FP && ((hz ^ before) & ZS(s)))
            hz = spread(hz, s, copies_below(p, facts, pc, s));
    }
    return hz;
}

static uint32_t edge_learn(const mbpf_insn *in, uint32_t hz, int taken)
{
    const uint8_t op = MBPF_OP(in->code);
    const int d = MBPF_DST(in), s = MBPF_SRC(in), x = MBPF_SRCBIT(in->code) != 0;
    if (MBPF_CLASS(in->code) != MBPF_JMP)
        return hz;
    /* below: the edge implies d <= s (1), s <= d (2), d == s (3) */
    int rel = 0;
    switch (op) {
    case MBPF_JLT: case MBPF_JLE: rel = taken ? 1 : 2; break;
    case MBPF_JGT: case MBPF_JGE: rel = taken ? 2 : 1; break;
    case MBPF_JEQ: rel = taken ? 3 : 0; break;
    case MBPF_JNE: rel = taken ? 0 : 3; break;
    default: return hz;
    }
    if (!x) {
        if ((rel == 1 || rel == 3) && in->imm >= 0 && d != MBPF_REG_FP)
            hz |= ZS(d);
        return hz;
    }
    const uint32_t sd = hz_of(hz, d) | (s31_of(hz, d) << 1), ss = hz_of(hz, s) | (s31_of(hz, s) << 1);
    if ((rel == 1 || rel == 3) && d != MBPF_REG_FP) {
        hz |= (ss & 1u) << d;
        hz |= (ss >> 1) * S31(d);
    }
    if ((rel == 2 || rel == 3) && s != MBPF_REG_FP) {
        hz |= (sd & 1u) << s;
        hz |= (sd >> 1) * S31(s);
    }
    return hz;
}

/* Upper halves known zero in width state hz, as half bits: a read of one of them is a read of
 * the constant 0, which demands nothing of the register (mid.h). */
static uint32_t known_hi(uint32_t hz)
{
    return (hz & 0x3ffu) << 16;
}

/* Halves of the base register an access reads: an access native code leaves unchecked
 * (mid_access.h) uses the lower half only (the address is 32-bit), a checked one checks the upper
 * half too unless it is known zero. */
static uint32_t base_use(const mbpf_insn *in, const mbpf_fact *f, int r, uint32_t hz)
{
    return mid_access_check(in, f) == MBPF_MEM_PROVEN ? MID_LO(r) : MID_BOTH(r) & ~known_hi(hz);
}

static uint32_t alu64_use(const mbpf_insn *in, uint32_t live, uint32_t hz)
{
    const uint8_t op = MBPF_OP(in->code);
    const int d = MBPF_DST(in), s = MBPF_SRC(in), x = MBPF_SRCBIT(in->code) != 0;
    const int ld = (live & MID_LO(d)) != 0, hd = (live & MID_HI(d)) != 0;
    const uint32_t sl = x ? MID_LO(s) : 0, sh = x ? MID_HI(s) : 0;
    const uint32_t k = (uint32_t)in->imm & 63u;
    switch (op) {
    case MBPF_MOV:
        if (!x)
            return 0;
        if (in->off != 0)
            return MID_LO(s);
        return (ld ? MID_LO(s) : 0) | (hd ? MID_HI(s) : 0);
    case MBPF_END:
        if (in->imm != 64)
            return ld ? MID_LO(d) : 0;
        return (ld ? MID_HI(d) : 0) | (hd ? MID_LO(d) : 0);
    case MBPF_NEG:
        return MID_LO(d) | (hd ? MID_HI(d) : 0);
    case MBPF_ADD:
    case MBPF_SUB:
    case MBPF_MUL:
        return MID_LO(d) | sl | (hd ? MID_HI(d) | sh : 0);
    case MBPF_AND:
    case MBPF_OR:
    case MBPF_XOR: {
        uint32_t hi = MID_HI(d) | sh;
        if (!x) {
            if (op == MBPF_AND)
                hi = in->imm < 0 ? MID_HI(d) : 0;
            else if (op == MBPF_OR)
                hi = in->imm < 0 ? 0 : MID_HI(d);
        }
        return (ld ? MID_LO(d) | sl : 0) | (hd ? hi : 0);
    }
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        if (x) {
            if (!hd && (op == MBPF_LSH || (op == MBPF_RSH && hz_of(hz, d))))
                return MID_LO(d) | MID_LO(s);
            return MID_BOTH(d) | MID_BOTH(s);
        }
        if (k == 0)
            return (ld ? MID_LO(d) : 0) | (hd ? MID_HI(d) : 0);
        if (op == MBPF_LSH)
            return k < 32 ? (ld || hd ? MID_LO(d) : 0) | (hd ? MID_HI(d) : 0) : (hd ? MID_LO(d) : 0);
        if (k < 32)
            return (ld ? MID_BOTH(d) : 0) | (hd ? MID_HI(d) : 0);
        return (ld ? MID_HI(d) : 0) | (hd && op == MBPF_ARSH ? MID_HI(d) : 0);
    case MBPF_DIV:
    case MBPF_MOD:
        if (mid_divmod_narrow(in, hz))
            return MID_LO(d) | sl;
        return MID_BOTH(d) | sh | sl;
    default:
        return MID_BOTH(d) | sh | sl;
    }
}

void mid_use_def(const mbpf_insn *in, const mbpf_fact *f, uint32_t live, uint32_t hz,
                 uint32_t *use, uint32_t *def)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const int d = MBPF_DST(in), s = MBPF_SRC(in), x = MBPF_SRCBIT(in->code) != 0;
    const int dead = !(live & MID_BOTH(d));
    uint32_t u = 0, w = 0;
    switch (cls) {
    case MBPF_ALU:
        if (dead || (op == MBPF_END && in->imm == 64 && !x))
            break; /* result unused, or le64 (no operation) */
        w = MID_BOTH(d);
        if (op == MBPF_END && in->imm == 64)
            u = ((live & MID_LO(d)) ? MID_HI(d) : 0) | ((live & MID_HI(d)) ? MID_LO(d) : 0);
        else if (op == MBPF_MOV)
            u = x ? MID_LO(s) : 0;
        else
            u = MID_LO(d) | (x ? MID_LO(s) : 0);
        break;
    case MBPF_ALU64:
        if (dead)
            break;
        w = MID_BOTH(d);
        u = alu64_use(in, live, hz);
        if (x && s != d)
            u &= ~(known_hi(hz) & MID_HI(s)); /* d's own upper half may be passed through */
        break;
    case MBPF_LD:
        if (!dead)
            w = MID_BOTH(d);
        break;
    case MBPF_LDX:
        w = MID_BOTH(d);
        u = base_use(in, f, s, hz);
        break;
    case MBPF_ST:
        u = base_use(in, f, d, hz);
        break;
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC) {
            u = base_use(in, f, d, hz) | MID_BOTH(s);
            if (in->imm == MBPF_CMPXCHG) {
                u |= MID_BOTH(0);
                w = MID_BOTH(0);
            } else if (in->imm & MBPF_FETCH) {
                w = MID_BOTH(s);
            }
        } else {
            u = base_use(in, f, d, hz) | MID_LO(s) |
                (MBPF_SIZE(in->code) == MBPF_DW ? MID_HI(s) & ~known_hi(hz) : 0);
        }
        break;
    default: /* JMP, JMP32 */
        if (op == MBPF_JA)
            break;
        if (op == MBPF_EXIT) {
            u = MID_BOTH(0);
        } else if (op == MBPF_CALL) {
            u = ARGS_BOTH;
            if (x)
                u |= MID_BOTH(d); /* callx: the helper id, all 64 bits */
            w = CALL_DEFS;
        } else if (cls == MBPF_JMP32 || mid_jump_narrow(in, hz)) {
            u = MID_LO(d) | (x ? MID_LO(s) : 0);
        } else {
            u = (MID_BOTH(d) | (x ? MID_BOTH(s) : 0)) & ~known_hi(hz);
        }
        break;
    }
    *use = u & ~R10_BITS;
    *def = w & ~R10_BITS;
}

/* Successors of pc within its function (a local call continues at pc + 1). */
static int successors(const mbpf_program *p, uint32_t pc, uint32_t out[2])
{
    const mbpf_insn *in = &p->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    int k = 0;
    if (is_lddw(in)) {
        out[k++] = pc + 2;
    } else if (cls == MBPF_JMP || cls == MBPF_JMP32) {
        if (op == MBPF_EXIT)
            return 0;
        if (op != MBPF_JA)
            out[k++] = pc + 1;
        if (op != MBPF_CALL) {
            const int ja32 = cls == MBPF_JMP32 && op == MBPF_JA;
            out[k++] = (uint32_t)((int64_t)pc + 1 + (ja32 ? in->imm : in->off));
        }
    } else {
        out[k++] = pc + 1;
    }
    int m = 0;
    for (int i = 0; i < k; i++)
        if (out[i] < p->n_insns)
            out[m++] = out[i];
    return m;
}

size_t mid_work_size(uint32_t n)
{
    return (size_t)n * (2 * sizeof(uint32_t) + sizeof(uint8_t)) + 8;
}

/* known_zero's todo bytes, then in the same place liveness's live_in words; after them the
 * halves each instruction touches (for the weights) */
size_t mid_scratch_size(uint32_t n)
{
    return (size_t)n * 2 * sizeof(uint32_t);
}

/* Forward fixpoint in program order. An instruction is evaluated again only when its state
 * changed since its last evaluation (todo[pc]): evaluating it on the same state would narrow no
 * successor further, so the result is that of sweeping every instruction each round. */
static void known_zero(const mbpf_program *p, const mbpf_fact *facts, const uint8_t *tail,
                       uint8_t *todo, mid_info *m)
{
    const uint32_t n = p->n_insns;
    /* optimistic start; at entry r1 (the context pointer), r2 (its length) and r10 are 32-bit
     * values of any size; a function's arguments are unknown */
    for (uint32_t pc = 0; pc < n; pc++) {
        m->hz_in[pc] = (facts[pc].flags & MBPF_FACT_SUBPROG) && pc != 0 ? ~(0x003e003eu | S31(10))
                                                                      : ~0u;
        todo[pc] = 1;
    }
    if (n)
        m->hz_in[0] = ~(S31(1) | S31(2) | S31(10));
    for (int again = 1; again;) {
        again = 0;
        for (uint32_t pc = 0; pc < n; pc++) {
            if (!todo[pc] || tail[pc] || !(facts[pc].flags & MBPF_FACT_REACHABLE))
                continue;
            todo[pc] = 0;
            uint32_t succ[2];
            const mbpf_insn *in = &p->insns[pc];
            const uint32_t out = mid_hz_transfer(in, &facts[pc], m->hz_in[pc]);
            const int k = successors(p, pc, succ);
            for (int i = 0; i < k; i++) {
                /* a conditional jump's successors: fall-through first, then the target */
                const uint32_t e = k == 2 ? edge_state(p, facts, pc, out, i == 1) : out;
                const uint32_t v = m->hz_in[succ[i]] & e;
                if (v != m->hz_in[succ[i]]) {
                    m->hz_in[succ[i]] = v;
                    todo[succ[i]] = 1;
                    again |= succ[i] <= pc; /* behind: only the next round sees it */
                }
            }
        }
    }
}

uint32_t mid_live_in(const mbpf_program *p, const mbpf_fact *facts, const mid_info *m, uint32_t pc)
{
    uint32_t use, def;
    mid_use_def(&p->insns[pc], &facts[pc], m->live_out[pc], m->hz_in[pc], &use, &def);
    return use | (m->live_out[pc] & ~def);
}

/* Marks in the tail array (mid_analyse): the second slot of an LDDW; a target of a back edge. */
#define TAIL_SLOT 1u
#define BACK_TARGET 2u

/* Backward fixpoint in reverse program order; live_in[pc] caches mid_live_in(pc), which changes
 * only when live_out[pc] does, so a round after the first recomputes only what changed. Only a
 * back edge reads a live-in before its round computes it: another round is needed only when the
 * live-in of a back edge's target changed. With it, touched[pc]: the halves pc reads or writes
 * while live (use | def & live_out). */
static void liveness(const mbpf_program *p, const mbpf_fact *facts, uint8_t *tail,
                     uint32_t *live_in, uint32_t *touched, mid_info *m)
{
    const uint32_t n = p->n_insns;
    for (uint32_t pc = 0; pc < n; pc++) /* a word loop: the library memset is byte-wise at -Os */
        m->live_out[pc] = 0;
    for (int first = 1, again = 1; again; first = 0) {
        again = 0;
        for (uint32_t pc = n; pc-- > 0;) {
            if ((tail[pc] & TAIL_SLOT) || !(facts[pc].flags & MBPF_FACT_REACHABLE)) {
                if (first) /* never a successor in a verified program; kept exact anyway */
                    live_in[pc] = mid_live_in(p, facts, m, pc);
                continue;
            }
            uint32_t succ[2], out = 0;
            const int k = successors(p, pc, succ);
            for (int i = 0; i < k; i++) {
                if (first && succ[i] <= pc) { /* not reached yet in the first round: live_out 0 */
                    tail[succ[i]] |= BACK_TARGET;
                    out |= mid_live_in(p, facts, m, succ[i]);
                } else {
                    out |= live_in[succ[i]];
                }
            }
            if (out == m->live_out[pc] && !first)
                continue;
            m->live_out[pc] = out;
            uint32_t use, def;
            mid_use_def(&p->insns[pc], &facts[pc], out, m->hz_in[pc], &use, &def);
            const uint32_t in = use | (out & ~def); /* mid_live_in */
            if (tail[pc] & BACK_TARGET) /* its back edges read the value before this one */
                again |= first ? out != 0 : in != live_in[pc];
            live_in[pc] = in;
            touched[pc] = use | (def & out);
        }
    }
}

static void loop_depth(const mbpf_program *p, const mbpf_fact *facts, mid_info *m)
{
    memset(m->depth, 0, p->n_insns);
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (!(facts[pc].flags & MBPF_FACT_REACHABLE) || (cls != MBPF_JMP && cls != MBPF_JMP32) ||
            op == MBPF_CALL || op == MBPF_EXIT)
            continue;
        const int ja32 = cls == MBPF_JMP32 && op == MBPF_JA;
        const int64_t to = (int64_t)pc + 1 + (ja32 ? in->imm : in->off);
        if (to < 0 || to > (int64_t)pc)
            continue;
        for (uint32_t i = (uint32_t)to; i <= pc; i++)
            if (m->depth[i] < 7)
                m->depth[i]++;
    }
}

int mid_analyse(const mbpf_program *p, const mbpf_fact *facts, void *work, size_t size,
                void *scratch, mid_info *m)
{
    const uint32_t n = p->n_insns;
    if (size < mid_work_size(n))
        return -1;
    uint8_t *w = (uint8_t *)(((uintptr_t)work + 3u) & ~(uintptr_t)3u);
    for (int h = 0; h < MID_NHALVES; h++) /* every other field is set below */
        m->weight[h] = 0;
    m->n = n;
    m->live_out = (uint32_t *)(void *)w;
    m->hz_in = (uint32_t *)(void *)(w + (size_t)n * 4);
    m->depth = w + (size_t)n * 8;
    /* the depth array doubles as the tail marks until loop_depth overwrites it */
    uint8_t *tail = m->depth;
    for (uint32_t pc = 0; pc < n; pc++)
        tail[pc] = pc > 0 && is_lddw(&p->insns[pc - 1]) ? TAIL_SLOT : 0;
    uint32_t *touched = (uint32_t *)scratch + n;
    known_zero(p, facts, tail, (uint8_t *)scratch, m);
    liveness(p, facts, tail, (uint32_t *)scratch, touched, m);
    loop_depth(p, facts, m);
    for (uint32_t pc = 0; pc < n; pc++) {
        if (!(facts[pc].flags & MBPF_FACT_REACHABLE) || (pc > 0 && is_lddw(&p->insns[pc - 1])))
            continue; /* unreachable, or the second slot of an LDDW (its code is 0) */
        const uint32_t wgt = 1u << (3 * (m->depth[pc] < 3 ? m->depth[pc] : 3));
        for (uint32_t b = touched[pc]; b; b &= b - 1) /* dead halves are not written */
            m->weight[__builtin_ctz(b)] += wgt;
    }
    return 0;
}
