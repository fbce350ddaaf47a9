/* Loop bounds. A back edge e -> h (target at or before the jump) closes the loop [h, e]. It is
 * proven bounded when the loop is entered only through h, e is the only back edge to h, and one
 * register, the induction variable x, changes once per iteration by a constant step:
 *
 *     header: ...            inner loops allowed, but not around the update
 *             x += c         (or x -= c, or x >>= k): x's last write in the loop, never skipped;
 *                            it may go through copies, constant adds and a stack spill
 *                            ("mov r4, r3; add r4, 1; mov r3, r4", a spilled counter)
 *             ...
 *             if x < Y goto header     (or <=, >, >=, !=, the mirrored forms; or x plus a
 *                                       constant, before or after the update; or clang's
 *                                       "if (x == Y) goto out; ja header")
 *
 * with Y a constant or a register the loop never writes, whose interval is known at the header.
 * The trip bound (back edges per entry) comes from the header's state, which joins every
 * way in, or from a start value set on the only way in; it must be at most MBPF_LOOP_MAX_TRIPS
 * for the head fact. A loop whose bound grows with the context length is countable: its bound is
 * (LEN + len_add) / div + 1, for the loop table only (the budget rules charge constants). clang's
 * rotated loops (the test in a latch block before the body, several back edges into the block,
 * the update before the test or right after it: see rotated()) are countable the same way. */
#include "verifier/absint.h"

V_INLINE int is_jump(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    return (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT;
}

V_INLINE uint32_t dest(uint32_t pc, const mbpf_insn *in)
{
    int32_t rel = (MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA) ? in->imm : in->off;
    return (uint32_t)((int64_t)pc + 1 + rel);
}

V_INLINE int is_insn(const vstate *st, uint32_t pc)
{
    return !(st->marks[pc] & VM_LDDW_TAIL);
}

/* While the loop pass runs, two marks of the CFG pass that nothing reads any more (every
 * instruction is reached by then) say which instructions are jumps, so that the scans below,
 * over loops and over the program, test one byte per instruction instead of decoding each. */
#define VM_JUMP VM_REACHED     /* a jump (not a call or exit), not an LDDW tail */
#define VM_BACK_JUMP VM_QUEUED /* such a jump to itself or before */

V_INLINE int jump_at(const vstate *st, uint32_t pc)
{
    return (st->marks[pc] & VM_JUMP) != 0;
}

/* vloops counts, per instruction, the jumps that reach it (st->dfs[pc] >> 2) and the back edges
 * among them (the low 2 bits, stopping at 3: only "exactly one" matters), so that the questions
 * below about the ways into a loop look at the loop, not at the whole program. Above the count
 * (below 2^16 up to MBPF_MAX_INSNS instructions) it keeps the registers the instruction writes,
 * which the scans below ask about every instruction of a loop (larger programs, allowed by
 * max_insns, decode the instruction each time instead). */
#define NOT_ONCE 0x80000000u /* dfs[p]: p does not run once per iteration of loop once_h..once_e */
#define W_SHIFT 19           /* dfs[p] bits 19-29: the registers p writes (r0-r10) */

V_INLINE int writes_kept(const vstate *st)
{
    return st->n <= MBPF_MAX_INSNS;
}

static uint32_t jumps_into(const vstate *st, uint32_t pc)
{
    return (st->dfs[pc] & (writes_kept(st) ? (1u << W_SHIFT) - 1 : ~NOT_ONCE)) >> 2;
}

/* Does every jump into (h, e] come from inside [h, e]? */
static int entered_only_at_head(vstate *st, uint32_t h, uint32_t e)
{
    uint32_t into = 0, inside = 0;
    for (uint32_t pc = h; pc <= e; pc++) {
        if (pc > h)
            into += jumps_into(st, pc);
        if (!jump_at(st, pc))
            continue;
        const uint32_t d = dest(pc, &st->insns[pc]);
        inside += d > h && d <= e;
    }
    return into == inside;
}

/* The registers instruction in writes, bit r for register r. */
static uint32_t write_mask(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64:
    case MBPF_LDX:
    case MBPF_LD:
        return 1u << MBPF_DST(in);
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC && (in->imm & MBPF_FETCH))
            return 1u << (in->imm == MBPF_CMPXCHG ? 0 : MBPF_SRC(in));
        return 0;
    case MBPF_JMP:
    case MBPF_JMP32:
        return op == MBPF_CALL ? 0x3fu : 0; /* r0-r5 */
    default:
        return 0;
    }
}

/* Does instruction in write register r? */
V_INLINE int writes(const mbpf_insn *in, uint8_t r)
{
    return (write_mask(in) >> r) & 1;
}

/* The registers instruction pc writes (none for an LDDW tail). */
V_INLINE uint32_t writes_of(const vstate *st, uint32_t pc)
{
    if (writes_kept(st))
        return (st->dfs[pc] >> W_SHIFT) & 0x7ffu;
    return is_insn(st, pc) ? write_mask(&st->insns[pc]) : 0;
}

/* Does instruction pc write register r? */
V_INLINE int writes_at(const vstate *st, uint32_t pc, uint8_t r)
{
    return (writes_of(st, pc) >> r) & 1;
}

/* The registers some instruction of [h, e) writes. */
static uint32_t written_in(vstate *st, uint32_t h, uint32_t e)
{
    uint32_t m = 0;
    for (uint32_t pc = h; pc < e; pc++)
        m |= writes_of(st, pc);
    return m;
}

/* The only instruction of [h, e) writing r, or -1 (none, or several). */
static int64_t only_write(vstate *st, uint32_t h, uint32_t e, uint8_t r)
{
    int64_t found = -1;
    for (uint32_t pc = h; pc < e; pc++) {
        if (!writes_at(st, pc, r))
            continue;
        if (found >= 0)
            return -1;
        found = pc;
    }
    return found;
}

/* Does p run exactly once on every iteration of [h, e]: outside every inner loop, and no jump
 * from between h and p lands between p and e? (Nothing enters the loop but through h, and h has
 * no other back edge: checked by the caller.) The answer for every p of the loop is made in two
 * sweeps when a loop is first asked about, kept in the NOT_ONCE bits of dfs: the passes ask it
 * of many instructions of each loop, and a scan of the loop each time cost the most of them. */
static void mark_once(vstate *st, uint32_t h, uint32_t e)
{
    uint32_t *into = st->dfs;
    /* skipped: a jump from pc in [h, p) to d in (p, e], i.e. the farthest such d before p is
     * past p */
    uint32_t reach = 0;
    for (uint32_t p = h; p <= e; p++) {
        into[p] = reach > p ? into[p] | NOT_ONCE : into[p] & ~NOT_ONCE;
        if (jump_at(st, p)) {
            const uint32_t d = dest(p, &st->insns[p]);
            if (d <= e && d > reach)
                reach = d;
        }
    }
    /* in an inner loop: a back jump from pc in [p, e) (not e) to d in [h, p], i.e. the lowest
     * such d from p on is at or before p */
    uint32_t low = UINT32_MAX;
    for (uint32_t p = e + 1; p-- > h;) {
        if (p != e && (st->marks[p] & VM_BACK_JUMP)) {
            const uint32_t d = dest(p, &st->insns[p]);
            if (d >= h && d < low)
                low = d;
        }
        if (low <= p)
            into[p] |= NOT_ONCE;
    }
    st->once_h = h;
    st->once_e = e;
    st->once_ok = 1;
}

static int once_per_iteration(vstate *st, uint32_t h, uint32_t e, uint32_t p)
{
    if (p < h || p > e)
        return 1; /* (never asked: p is in the loop) the scan's answer: no jump in [h, e] sees p */
    if (!st->once_ok || st->once_h != h || st->once_e != e)
        mark_once(st, h, e);
    return !(st->dfs[p] & NOT_ONCE);
}

/* The value x has when the loop at h is entered, when it is a constant set in the straight-line
 * code before the only way in: falling into h, or one jump from outside the loop (e excepted).
 * Returns 0 when unknown. */
static int start_value(vstate *st, uint32_t h, uint32_t e, uint8_t x, int is32, uint64_t *v)
{
    uint32_t from = 0, ways = 0;
    const mbpf_insn *prev = h ? &st->insns[h - 1] : NULL;
    if (prev && !(st->marks[h] & VM_SUBPROG) && prev->code != MBPF_OPC_EXIT &&
        !(is_jump(prev) && MBPF_OP(prev->code) == MBPF_JA)) {
        from = h; /* falls in from h - 1 */
        ways++;
    }
    for (uint32_t pc = 0; jumps_into(st, h) > 1 && pc < st->n; pc++) /* e is one of them */
        if (pc != e && jump_at(st, pc) && dest(pc, &st->insns[pc]) == h) {
            if (pc >= h && pc <= e)
                return 0; /* a way back from inside */
            from = pc; /* the straight-line code before the jump runs first */
            if (MBPF_OP(st->insns[pc].code) != MBPF_JA || (st->marks[pc] & (VM_TARGET | VM_SUBPROG)))
                return 0; /* a conditional entry (its other way may set x otherwise), or a jump
                           * that other paths reach */
            ways++;
        }
    if (ways != 1)
        return 0;
    for (uint32_t pc = from; pc-- > 0;) {
        if (!is_insn(st, pc))
            continue;
        const mbpf_insn *in = &st->insns[pc];
        if (writes(in, x)) {
            const uint8_t cls = MBPF_CLASS(in->code);
            if (in->code == (MBPF_ALU64 | MBPF_MOV | MBPF_K) || in->code == (MBPF_ALU | MBPF_MOV | MBPF_K))
                *v = cls == MBPF_ALU ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm;
            else if (in->code == MBPF_OPC_LDDW && MBPF_SRC(in) == MBPF_LDDW_IMM64)
                *v = (uint32_t)in->imm | (uint64_t)(uint32_t)st->insns[pc + 1].imm << 32;
            else
                return 0;
            if (is32)
                *v = (uint32_t)*v;
            return 1;
        }
        if ((st->marks[pc] & (VM_TARGET | VM_SUBPROG)) || (is_jump(in) && MBPF_OP(in->code) == MBPF_JA) ||
            in->code == MBPF_OPC_EXIT)
            return 0; /* another path joins before the value is set, or none reaches here */
    }
    return 0;
}

/* The induction variable behind compared register c, and how the compared value follows from it:
 * x's value before its update in this iteration (before = 1: the value x had at the header) or
 * after it, plus a constant `off` (the compared value is x + off, modulo the compare's width). */
typedef struct ivar {
    uint8_t x, kind; /* MBPF_IV_ADD or MBPF_IV_RSH */
    uint8_t before;
    int64_t step;    /* ADD: signed step; RSH: the shift */
    int64_t off;
    uint32_t upd;    /* the update: x's last write in the loop, whose result is x's next value */
} ivar;

/* The last instruction of [h, p) writing r, or -1. */
static int64_t last_write(vstate *st, uint32_t h, uint32_t p, uint8_t r)
{
    for (uint32_t pc = p; pc-- > h;)
        if (writes_at(st, pc, r))
            return pc;
    return -1;
}

/* The store of `size` bytes at [r10 + off] that a load of them at p reads: the last instruction of
 * [h, p) that may write those bytes, when it is such a store (stx) of a register; -1 otherwise.
 * Any store not through r10, any atomic, any call may write them. */
static int64_t spill_of(vstate *st, uint32_t h, uint32_t p, int16_t off, uint32_t size)
{
    for (uint32_t pc = p; pc-- > h;) {
        if (!is_insn(st, pc))
            continue;
        const mbpf_insn *in = &st->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code);
        if ((cls == MBPF_JMP || cls == MBPF_JMP32) && MBPF_OP(in->code) == MBPF_CALL)
            return -1;
        if (cls != MBPF_ST && cls != MBPF_STX)
            continue;
        const uint32_t n = 1u << (MBPF_SIZE(in->code) == MBPF_DW ? 3 : 2 - (MBPF_SIZE(in->code) >> 3));
        if (MBPF_MODE(in->code) != MBPF_MEM || MBPF_DST(in) != MBPF_REG_FP)
            return -1;
        if ((int32_t)in->off + (int32_t)n <= off || (int32_t)off + (int32_t)size <= in->off)
            continue; /* other bytes */
        return cls == MBPF_STX && in->off == off && n == size ? (int64_t)pc : -1;
    }
    return -1;
}

/* Register r's value at p (run once per iteration of [h, e]) as the header value of some register
 * plus a constant: *base + *off. The chain follows the copies (mov), constant adds and spills
 * (a store to the stack and its reload) that last wrote r, each run once per iteration, nothing
 * else writing r (or the slot) in between. A 64-bit value needs 64-bit copies, adds and spills; a
 * 32-bit one only the low halves. *passed: the chain went through instruction mark. */
static int chain(vstate *st, uint32_t h, uint32_t e, uint32_t p, uint8_t r, int is32, uint32_t mark,
                 int depth, uint8_t *base, int64_t *off, int *passed)
{
    if (r == MBPF_REG_FP || depth > 6)
        return 0;
    const int64_t w = last_write(st, h, p, r);
    if (w < 0) {
        *base = r;
        *off = 0;
        return 1;
    }
    if ((uint32_t)w == mark) {
        *base = r;
        *off = 0;
        *passed = 1;
        return 1;
    }
    if (!once_per_iteration(st, h, e, (uint32_t)w))
        return 0;
    const mbpf_insn *in = &st->insns[w];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if (cls == MBPF_LDX) {
        const uint32_t size = MBPF_SIZE(in->code) == MBPF_DW ? 8u : MBPF_SIZE(in->code) == MBPF_W ? 4u : 0u;
        if (MBPF_MODE(in->code) != MBPF_MEM || MBPF_SRC(in) != MBPF_REG_FP || !size || (size == 4 && !is32))
            return 0;
        const int64_t sp = spill_of(st, h, (uint32_t)w, in->off, size);
        if (sp < 0 || !once_per_iteration(st, h, e, (uint32_t)sp))
            return 0;
        return chain(st, h, e, (uint32_t)sp, MBPF_SRC(&st->insns[sp]), is32, mark, depth + 1, base, off, passed);
    }
    if (cls != MBPF_ALU64 && !(is32 && cls == MBPF_ALU))
        return 0;
    if (op == MBPF_MOV && MBPF_SRCBIT(in->code) && in->off == 0 && MBPF_SRC(in) != r)
        return chain(st, h, e, (uint32_t)w, MBPF_SRC(in), is32, mark, depth + 1, base, off, passed);
    if ((op == MBPF_ADD || op == MBPF_SUB) && !MBPF_SRCBIT(in->code) &&
        chain(st, h, e, (uint32_t)w, r, is32, mark, depth + 1, base, off, passed)) {
        *off += op == MBPF_ADD ? (int64_t)in->imm : -(int64_t)in->imm;
        return 1;
    }
    return 0;
}

/* Is x an induction variable of the loop [h, e] for a compare of that width: does its last write
 * in the loop (run once per iteration) leave x's header value plus a constant step (x += c,
 * directly or through copies and spills), or shifted right by a constant (x >>= k)? That write is
 * the update: each of its results is the one before plus the step. */
static int is_iv(vstate *st, uint32_t h, uint32_t e, uint8_t x, int is32, ivar *iv)
{
    const int64_t at = last_write(st, h, e, x);
    if (at < 0 || !once_per_iteration(st, h, e, (uint32_t)at))
        return 0;
    const mbpf_insn *in = &st->insns[at];
    const uint8_t cls = MBPF_CLASS(in->code);
    uint8_t base;
    int64_t step;
    int passed = 0;
    iv->x = x;
    iv->upd = (uint32_t)at;
    /* x >>= k: any width will do, the loop only needs x to reach 0 */
    const uint8_t w = cls == MBPF_ALU ? 31 : 63;
    if ((in->code == (MBPF_ALU | MBPF_RSH | MBPF_K) || in->code == (MBPF_ALU64 | MBPF_RSH | MBPF_K)) &&
        (in->imm & w) != 0) {
        if (!chain(st, h, e, (uint32_t)at, x, cls == MBPF_ALU, UINT32_MAX, 0, &base, &step, &passed) ||
            base != x || step)
            return 0;
        iv->kind = MBPF_IV_RSH;
        iv->step = in->imm & w;
        return 1;
    }
    /* the update's width is the compare's, so that its results step modulo that width */
    if (cls != (is32 ? MBPF_ALU : MBPF_ALU64) ||
        !chain(st, h, e, e, x, is32, UINT32_MAX, 0, &base, &step, &passed) || base != x || step == 0 ||
        step > INT32_MAX || step <= INT32_MIN)
        return 0;
    iv->kind = MBPF_IV_ADD;
    iv->step = step;
    return 1;
}

/* The compared register c at p as an induction variable x plus a constant: the chain from c ends
 * at x's update (the value after it), at x's header value, or at a register the header state
 * links to x (r - x is then an exact constant on every way in). hs NULL: no links. */
static int value_at(vstate *st, const astate *hs, uint32_t h, uint32_t e, uint32_t p, uint8_t c,
                    int is32, ivar *iv)
{
    const uint32_t written = written_in(st, h, e); /* is_iv needs a write of x in [h, e) */
    for (uint8_t x = 0; x < AREGS; x++) {
        uint8_t base;
        int64_t off;
        int passed = 0;
        if (!(written >> x & 1) || !is_iv(st, h, e, x, is32, iv) || !chain(st, h, e, p, c, is32, iv->upd, 0, &base, &off, &passed))
            continue;
        iv->before = !passed;
        iv->off = off;
        if (passed || base == x)
            return 1;
        const unsigned g = hs ? A_LINK(&hs->r[base]) : 0;
        if (g && A_LINK(&hs->r[x]) == g && hs->r[base].type == T_SCALAR && hs->r[x].type == T_SCALAR) {
            iv->off += (int64_t)hs->r[base].delta - hs->r[x].delta;
            return 1;
        }
    }
    return 0;
}

/* Bit length of v. */
static uint32_t bits(uint64_t v)
{
    uint32_t n = 0;
    while (v) {
        n++;
        v >>= 1;
    }
    return n;
}

/* The conditional jump t with the negated condition (it then jumps when t falls through). */
static int negated(const mbpf_insn *t, mbpf_insn *flipped)
{
    static const uint8_t negate[][2] = {{MBPF_JEQ, MBPF_JNE}, {MBPF_JNE, MBPF_JEQ}, {MBPF_JLT, MBPF_JGE},
                                        {MBPF_JGE, MBPF_JLT}, {MBPF_JLE, MBPF_JGT}, {MBPF_JGT, MBPF_JLE},
                                        {MBPF_JSLT, MBPF_JSGE}, {MBPF_JSGE, MBPF_JSLT},
                                        {MBPF_JSLE, MBPF_JSGT}, {MBPF_JSGT, MBPF_JSLE}};
    *flipped = *t;
    for (unsigned i = 0; i < sizeof negate / sizeof negate[0]; i++)
        if (MBPF_OP(t->code) == negate[i][0]) {
            flipped->code = (uint8_t)((t->code & 0x0f) | negate[i][1]);
            return 1;
        }
    return 0;
}

/* The continue relation of compare in as "c REL y", c its dst (side 0) or its src (side 1):
 * rel[0..3] = <, <=, >, >=; *ne for !=. Returns 0 for other compares. */
static int continue_relation(const mbpf_insn *in, int side, int rel[4], int *ne)
{
    const uint8_t op = MBPF_OP(in->code);
    const int swap = side == 1;
    rel[0] = rel[1] = rel[2] = rel[3] = 0;
    *ne = op == MBPF_JNE;
    switch (op) {
    case MBPF_JLT: case MBPF_JSLT: rel[swap ? 2 : 0] = 1; break;
    case MBPF_JLE: case MBPF_JSLE: rel[swap ? 3 : 1] = 1; break;
    case MBPF_JGT: case MBPF_JSGT: rel[swap ? 0 : 2] = 1; break;
    case MBPF_JGE: case MBPF_JSGE: rel[swap ? 1 : 3] = 1; break;
    case MBPF_JNE: break;
    default: return 0;
    }
    return 1;
}

/* The other operand y of compare in (c on side `side`): a constant, or a register that [from, to]
 * never writes, with its interval and LEN bound in state hs. Returns 0 when it is neither. */
static int bound_operand(vstate *st, const astate *hs, const mbpf_insn *in, int side, uint32_t from,
                         uint32_t to, int is32, uint64_t *ylo, uint64_t *yhi, int32_t *y_ub)
{
    *y_ub = UB_NONE;
    if (side == 0 && !MBPF_SRCBIT(in->code)) {
        *ylo = *yhi = is32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm;
        return 1;
    }
    const uint8_t y = side == 0 ? MBPF_SRC(in) : MBPF_DST(in);
    if (y == MBPF_REG_FP)
        return 0;
    for (uint32_t pc = from; pc <= to; pc++)
        if (writes_at(st, pc, y))
            return 0;
    if (hs->r[y].type != T_SCALAR || hs->r[y].lo > hs->r[y].hi)
        return 0;
    *ylo = hs->r[y].lo;
    *yhi = hs->r[y].hi;
    if (is32 && *yhi > 0xffffffffull) {
        /* a 32-bit compare sees only the low half, which the 64-bit interval does not bound */
        *ylo = 0;
        *yhi = 0xffffffffull;
    }
    *y_ub = a_eff_ub(&hs->r[y], hs->len_min);
    return 1;
}

/* What bounded() found out about one loop. */
typedef struct lbound {
    uint64_t trips;        /* constant bound (back edges per entry), 0 = none */
    uint32_t div;          /* countable: trips <= (LEN + len_add) / div + 1; 0 = not countable */
    int64_t len_add;
    ivar iv;
    int iv_ok;
    int start_known;
    uint64_t start;
    uint32_t test;         /* the exit test */
} lbound;

/* Is the loop closed by the back edge at e (to header h) bounded? The bound holds for every
 * entry: it uses only what the header state says (the join of every way in), or a start value
 * set on the only way in. */
static void bounded(vstate *st, uint32_t h, uint32_t e, lbound *out)
{
    const mbpf_insn *in = &st->insns[e];
    mbpf_insn flipped;
    out->test = e;
    if (MBPF_OP(in->code) == MBPF_JA && e > h && !(st->marks[e] & VM_TARGET) && is_insn(st, e - 1)) {
        /* "if x == Y goto out; ja head": the exit test sits just before an unconditional back
         * edge; it continues on the negated condition */
        const mbpf_insn *t = &st->insns[e - 1];
        if (!is_jump(t) || MBPF_OP(t->code) == MBPF_JA || dest(e - 1, t) != e + 1 || !negated(t, &flipped))
            return;
        in = &flipped;
        out->test = e - 1;
    }
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if (op == MBPF_JA || op == MBPF_JSET || op == MBPF_JEQ)
        return;
    /* entered only through h; inner loops are fine (the update is outside them) */
    if (!entered_only_at_head(st, h, e))
        return; /* a way into the middle of the loop */
    const astate *hs = vabsint_state(st, h);
    if (!hs || !hs->reached)
        return;
    const int is32 = cls == MBPF_JMP32;
    const uint64_t wrap = is32 ? 0x7fffffffull : (1ull << 62);
    /* which side is the induction variable: try dst, then src */
    for (int side = 0; side < 2; side++) {
        uint8_t c = side == 0 ? MBPF_DST(in) : MBPF_SRC(in);
        if (side == 1 && !MBPF_SRCBIT(in->code))
            break;
        ivar iv;
        if (!value_at(st, hs, h, e, out->test, c, is32, &iv))
            continue;
        /* the bound: a constant, or a register the loop leaves alone */
        uint64_t ylo, yhi;
        int32_t y_ub;
        if (!bound_operand(st, hs, in, side, h, e, is32, &ylo, &yhi, &y_ub))
            continue;
        const areg *xv = &hs->r[iv.x];
        if (xv->type != T_SCALAR || xv->lo > xv->hi)
            continue;
        uint64_t x0 = 0;
        const int known = start_value(st, h, e, iv.x, is32 || MBPF_CLASS(st->insns[iv.upd].code) == MBPF_ALU, &x0);
        int rel[4], ne;
        if (!continue_relation(in, side, rel, &ne))
            continue;
        const int lt = rel[0], le = rel[1], gt = rel[2], ge = rel[3];
        const int is_signed = op == MBPF_JSLT || op == MBPF_JSLE || op == MBPF_JSGT || op == MBPF_JSGE;
        uint64_t trips = 0; /* with have: back edges per entry at most */
        int have = 0;
        uint32_t div = 0;
        int64_t len_add = 0;
        if (iv.kind == MBPF_IV_RSH) {
            /* continuing needs c != 0 (c != 0, c > y, c >= y >= 1): every iteration halves it at
             * least, so at most bits(first compared value) / k back edges, rounded up */
            const int nonzero = (ne && ylo == 0 && yhi == 0) || gt || (ge && ylo >= 1);
            if (!nonzero || is_signed || iv.off)
                continue;
            if (known && is32 && MBPF_CLASS(st->insns[iv.upd].code) == MBPF_ALU64 &&
                !start_value(st, h, e, iv.x, 0, &x0))
                continue; /* a 64-bit shift moves the upper half into the compared low half */
            const uint64_t top = known ? x0 : xv->hi;
            trips = ((uint64_t)bits(top) + (uint64_t)iv.step - 1) / (uint64_t)iv.step + 1;
            have = 1;
        } else if (ne) {
            /* c != Y: the compared value runs through v1, v1 + c, ... modulo the width, and the back
             * edge stops at the first that equals Y: exactly (Y - v1) / c taken when c divides it */
            if (!known || ylo != yhi)
                continue;
            const uint64_t mask = is32 || MBPF_CLASS(st->insns[iv.upd].code) == MBPF_ALU ? 0xffffffffull : ~0ull;
            if (mask != (is32 ? 0xffffffffull : ~0ull))
                continue; /* update and compare of different widths */
            const uint64_t v1 = ((iv.before ? x0 : x0 + (uint64_t)iv.step) + (uint64_t)iv.off) & mask;
            const uint64_t d = iv.step > 0 ? (uint64_t)iv.step : (uint64_t)-iv.step;
            const uint64_t span = (iv.step > 0 ? yhi - v1 : v1 - yhi) & mask;
            if (span % d)
                continue;
            trips = span / d;
            have = 1;
        } else if (iv.step > 0 && (lt || le)) {
            const uint64_t c1 = (uint64_t)iv.step, mask = is32 ? 0xffffffffull : ~0ull;
            /* the first compared value (when the start is known) */
            const uint64_t v1 = ((iv.before ? x0 : x0 + c1) + (uint64_t)iv.off) & mask;
            /* signed: a negative first value stays below Y for up to 2^63 steps (a start just
             * below the signed maximum steps to a negative one); only a known, non-negative
             * first value keeps the unsigned argument below valid */
            if (is_signed && (!known || v1 > wrap || iv.off))
                continue;
            if (MBPF_CLASS(st->insns[iv.upd].code) != (is32 ? MBPF_ALU : MBPF_ALU64))
                continue;
            if (c1 <= wrap && yhi <= wrap - c1) { /* Y + step does not wrap (nor does the sum here) */
                /* from any start: at most one step past Y (or a wrap to a small value), then
                 * (Y - c) / step steps */
                trips = (yhi + (le ? 1u : 0u)) / c1 + 2;
                if (known) {
                    /* the compared values v1 + i * step (modulo the width), i >= 0, continue
                     * while below L, and L + step does not wrap */
                    const uint64_t lim = yhi + (le ? 1u : 0u);
                    trips = v1 < lim ? (lim - v1 - 1) / c1 + 1 : 0;
                }
                have = 1;
            }
            /* countable: Y <= LEN - y_ub, so L <= LEN - y_ub + le, whatever the start */
            if (y_ub != UB_NONE && c1 <= wrap && yhi <= wrap - c1) {
                div = (uint32_t)c1;
                len_add = (int64_t)(le ? 1 : 0) - y_ub + (int64_t)c1;
            }
        } else if (iv.step < 0 && (gt || ge)) {
            /* continuing needs c >= floor >= d, so only the start could wrap below zero */
            if (MBPF_CLASS(st->insns[iv.upd].code) != (is32 ? MBPF_ALU : MBPF_ALU64) || iv.off)
                continue;
            uint64_t d = (uint64_t)(-iv.step), floor = ylo + (gt ? 1 : 0);
            uint64_t top = known ? x0 : xv->hi;
            if (floor < d || (!iv.before && (known ? x0 < d : xv->lo < d)) || top > wrap)
                continue;
            /* signed: a negative Y lets c run down past zero (an unsigned floor above top would
             * claim one trip); only Y >= 0 makes the signed and the unsigned order agree */
            if (is_signed && yhi > wrap)
                continue;
            trips = top > floor ? (top - floor) / d + 1 : 1;
            have = 1;
        } else {
            continue;
        }
        out->iv = iv;
        out->iv_ok = 1;
        out->start_known = known;
        out->start = x0;
        if (have && trips <= MBPF_LOOP_MAX_TRIPS) {
            out->trips = trips ? trips : 1; /* a head charges at least 1 */
            return;
        }
        if (div) {
            out->div = div;
            out->len_add = len_add;
            return;
        }
    }
}

/* Does the way to d leave the region [l, E] for good: d after it, or straight-line code from d
 * that ends in an `exit`? */
static int leaves(vstate *st, uint32_t l, uint32_t E, uint32_t d)
{
    if (d > E)
        return 1;
    for (uint32_t pc = d; pc >= l && pc < st->n; pc++) {
        if (!is_insn(st, pc))
            continue;
        if (st->insns[pc].code == MBPF_OPC_EXIT)
            return 1;
        if (is_jump(&st->insns[pc]))
            return 0;
    }
    return 0;
}

/* A rotated loop whose test compares the next value (c = x + off, made in the block from x) and
 * whose x is renewed right after the test, in the straight-line code its fall-through runs into
 * (clang's `j = i + 1; if (j >= n) break; i = j`): is x's only write in the region [lo, E] that
 * renewal u, with x + step as its result? Then each test that continues runs u once, and u runs
 * only then (nothing may jump into (l, u]). */
static int renewed_after_test(vstate *st, uint32_t lo, uint32_t E, uint32_t l, uint32_t t, uint8_t c,
                              int is32, ivar *iv)
{
    uint8_t x;
    int64_t off;
    int passed = 0;
    if (!chain(st, l, t, t, c, is32, UINT32_MAX, 0, &x, &off, &passed))
        return 0;
    const int64_t u = only_write(st, lo, E + 1, x);
    if (u <= (int64_t)t)
        return 0;
    for (uint32_t pc = t + 1; pc < (uint32_t)u; pc++)
        if (is_insn(st, pc) && (is_jump(&st->insns[pc]) || st->insns[pc].code == MBPF_OPC_EXIT))
            return 0;
    if (!is_iv(st, l, (uint32_t)u + 1, x, is32, iv) || iv->upd != (uint32_t)u || iv->kind != MBPF_IV_ADD)
        return 0;
    iv->before = 1;
    iv->off = off;
    return 1;
}

/* A rotated loop: clang's loop whose exit test sits in a latch block [l, t] before the body, the
 * body's `continue`s, cases and ends jumping back into the block:
 *
 *     l:  ...                straight-line code, no jumps
 *         x += c             the update u, the only write to x in the whole region [l, E]
 *         ...                copies and constant adds from x to the compared register
 *     t:  if x < Y goto b    (or the exit jumps and the body follows t); the exit leaves
 *     b:  body               any code, inner loops too; every jump back into the block lands at
 *                            or before u; the last of them, E, ends the region
 *
 * Every way from t round to t again passes one back edge into [l, u], then u, then t; nothing
 * enters the block after u, nothing in the region jumps before l, and no jump after E comes back
 * in (the region is in no outer loop, in the entry function: it runs at most once per run). So
 * the tested values step by c from whatever they start at, and the back edges into the block
 * are taken at most once per test that continues, plus once before the first test when the
 * region is entered into its body. e, a back edge to h, is one of them. The bound is LEN-relative
 * only (countable): the engines would charge a head fact at every arrival at h by fall-through. */
static void rotated(vstate *st, uint32_t h, uint32_t e, lbound *out)
{
    uint32_t t = h, l = h;
    for (; t < e; t++) {
        if (!is_insn(st, t))
            continue;
        if (st->insns[t].code == MBPF_OPC_EXIT)
            return;
        if (is_jump(&st->insns[t]))
            break;
    }
    const mbpf_insn *tj = &st->insns[t];
    if (t >= e)
        return;
    /* the continue test (t's condition or its negation) must be an unsigned <, <=, > or >=:
     * t's own condition is one of them either way (asked first: the region below costs passes
     * over the program) */
    const uint8_t top = MBPF_OP(tj->code);
    if (top != MBPF_JLT && top != MBPF_JLE && top != MBPF_JGT && top != MBPF_JGE)
        return;
    /* l: the block's first jump target (code before it only falls in, once) */
    for (uint32_t pc = h; pc > 0 && !(st->marks[pc] & VM_SUBPROG);) {
        uint32_t q = pc - 1;
        if (!is_insn(st, q))
            q--; /* the slot before is an LDDW's tail */
        if (is_jump(&st->insns[q]) || st->insns[q].code == MBPF_OPC_EXIT)
            break;
        pc = q;
        if (st->marks[pc] & VM_TARGET)
            l = pc;
    }
    /* the region [lo, E]: the block and every loop overlapping it, grown until no back edge
     * crosses its bounds (at most a few passes over the program) */
    uint32_t lo = l, E = e;
    int grown = 1;
    for (int pass = 0; grown && pass < 4; pass++) {
        grown = 0;
        for (uint32_t pc = 0; pc < st->n; pc++) {
            if (!(st->marks[pc] & VM_BACK_JUMP))
                continue;
            const uint32_t d = dest(pc, &st->insns[pc]);
            if (pc >= lo && pc <= E && d < lo) {
                lo = d;
                grown = 1;
            } else if (d >= lo && d <= E && pc > E) {
                E = pc;
                grown = 1;
            }
        }
    }
    if (grown || E >= st->first_callee || (st->marks[lo] & VM_SUBPROG && lo != 0))
        return;
    /* the continue edge: taken to b in the body with t + 1 leaving, or t + 1 with the taken one
     * leaving (then t continues on the negated condition) */
    const uint32_t taken = dest(t, tj);
    mbpf_insn cont_test;
    int falls = 0; /* t continues by falling through */
    if (taken > t + 1 && taken <= E && leaves(st, lo, E, t + 1))
        cont_test = *tj;
    else if (t + 1 <= E && taken > t && leaves(st, lo, E, taken) && negated(tj, &cont_test))
        falls = 1;
    else
        return;
    const mbpf_insn *in = &cont_test;
    const uint8_t op = MBPF_OP(in->code);
    if (op == MBPF_JSLT || op == MBPF_JSLE || op == MBPF_JSGT || op == MBPF_JSGE)
        return;
    const astate *hs = vabsint_state(st, h);
    if (!hs || !hs->reached)
        return;
    const int is32 = MBPF_CLASS(in->code) == MBPF_JMP32;
    const uint64_t wrap = is32 ? 0x7fffffffull : (1ull << 62);
    for (int side = 0; side < 2; side++) {
        if (side == 1 && !MBPF_SRCBIT(in->code))
            break;
        ivar iv;
        int rel[4], ne;
        uint64_t ylo, yhi;
        int32_t y_ub;
        const uint8_t add = (uint8_t)((is32 ? MBPF_ALU : MBPF_ALU64) | MBPF_K), c = side == 0 ? MBPF_DST(in) : MBPF_SRC(in);
        /* no jump may land in (skip_from, skip_to]: between the update and the test, or (the
         * update after the test) anywhere after l up to the update */
        uint32_t skip_from, skip_to;
        if (value_at(st, NULL, l, t, t, c, is32, &iv) && !iv.before &&
            (st->insns[iv.upd].code == (add | MBPF_ADD) || st->insns[iv.upd].code == (add | MBPF_SUB)) &&
            iv.upd >= h && only_write(st, lo, E + 1, iv.x) == (int64_t)iv.upd) {
            skip_from = iv.upd;
            skip_to = t;
        } else if (falls && h == l && renewed_after_test(st, lo, E, l, t, c, is32, &iv)) {
            skip_from = l;
            skip_to = iv.upd;
        } else {
            continue;
        }
        if (iv.kind != MBPF_IV_ADD || iv.step <= 0 || MBPF_CLASS(st->insns[iv.upd].code) != (is32 ? MBPF_ALU : MBPF_ALU64))
            continue;
        if (!continue_relation(in, side, rel, &ne) || !(rel[0] || rel[1]) ||
            !bound_operand(st, hs, in, side, lo, E, is32, &ylo, &yhi, &y_ub))
            continue;
        const uint64_t c1 = (uint64_t)iv.step;
        if (y_ub == UB_NONE || c1 > wrap || yhi > wrap - c1)
            continue;
        /* no jump into (skip_from, skip_to]; none back from after the region (it is in no
         * outer loop) */
        for (uint32_t pc = 0; pc < st->n; pc++) {
            if (!jump_at(st, pc))
                continue;
            const uint32_t d = dest(pc, &st->insns[pc]);
            if ((d > skip_from && d <= skip_to && (d <= t || (pc >= lo && pc <= E))) || (pc > E && d <= E))
                return;
        }
        out->test = t;
        out->iv = iv;
        out->iv_ok = 1;
        out->start_known = 0;
        out->div = (uint32_t)c1;
        out->len_add = (int64_t)rel[1] - y_ub + (int64_t)c1;
        return;
    }
}

/* Is e the first of several back edges to h, the others closing outer loops: each lies after e and
 * its way back runs through an exit (an `exit`, or a jump out of [h, it]) after e? Their arrivals
 * at h are entries of [h, e], charged as such; a `continue`-like second back edge (no exit on its
 * way) would charge the trip bound at every continue, and is left budgeted instead. */
static int shared_by_outer(vstate *st, uint32_t h, uint32_t e)
{
    for (uint32_t pc = h; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (!(st->marks[pc] & VM_BACK_JUMP) || dest(pc, in) != h || pc == e)
            continue;
        if (pc < e)
            return 0; /* e is not the first */
        int leaves = 0;
        for (uint32_t q = e + 1; q < pc && !leaves; q++) {
            const mbpf_insn *j = &st->insns[q];
            if (!is_insn(st, q))
                continue;
            leaves = j->code == MBPF_OPC_EXIT || (is_jump(j) && (dest(q, j) > pc || dest(q, j) < h));
        }
        if (!leaves)
            return 0;
    }
    return 1;
}

/* Back edges, which of them are bounded, the loop heads with their trip bounds and, when the
 * caller asks for it, the loop table. A head that several back edges reach (a loop with a
 * `continue`, or an outer loop sharing it) gets none: one trip bound per head is all the engines
 * charge, and which loop an entry belongs to is then not clear. */
void vloops(vstate *st, mbpf_fact *facts)
{
    uint32_t *into = st->dfs; /* the counts jumps_into reads (the CFG pass is done with dfs) */
    const uint32_t n = st->n; /* in locals: the fact stores below may alias anything */
    const mbpf_insn *insns = st->insns;
    uint8_t *marks = st->marks;
    st->once_ok = 0;
    const int keep = writes_kept(st);
    for (uint32_t pc = 0; pc < n; pc++) {
        into[pc] = keep && is_insn(st, pc) ? write_mask(&insns[pc]) << W_SHIFT : 0;
        marks[pc] &= (uint8_t)~(VM_JUMP | VM_BACK_JUMP);
    }
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &insns[pc];
        if (!is_insn(st, pc) || !is_jump(in))
            continue;
        const uint32_t d = dest(pc, in);
        marks[pc] |= (uint8_t)(d <= pc ? VM_JUMP | VM_BACK_JUMP : VM_JUMP);
        into[d] += 4u;
        if (d <= pc && (into[d] & 3u) < 3u)
            into[d]++;
    }
    for (uint32_t pc = 0; pc < n; pc++) {
        if (!(marks[pc] & VM_BACK_JUMP))
            continue;
        const uint32_t h = dest(pc, &insns[pc]);
        const uint32_t index = st->res->loops++;
        if (facts)
            facts[pc].flags |= MBPF_FACT_BACKEDGE;
        lbound b = {0};
        if ((into[h] & 3u) == 1 || shared_by_outer(st, h, pc))
            bounded(st, h, pc, &b);
        if (!b.trips && !b.div) {
            lbound r = {0};
            rotated(st, h, pc, &r);
            if (r.div)
                b = r;
        }
        if (b.trips) {
            st->res->loops_bounded++;
            if (facts) {
                facts[pc].flags |= MBPF_FACT_BOUNDED;
                facts[h].flags |= MBPF_FACT_LOOP_HEAD;
                facts[h].aux = (uint8_t)(b.trips - 1); /* 1 <= trips <= MBPF_LOOP_MAX_TRIPS */
            }
        } else if (b.div) {
            st->res->loops_countable++;
        }
        if (index >= st->loops_cap)
            continue;
        mbpf_loop *l = &st->loops[index];
        /* one entry per head and per update names its variable (a rotated loop's back edges
         * share both): the checking interpreter follows each variable from one head */
        if (b.iv_ok && ((st->marks[h] & VM_IV_HEAD) || (st->marks[b.iv.upd] & VM_IV_UPDATE)))
            b.iv_ok = 0;
        if (b.iv_ok) {
            st->marks[h] |= VM_IV_HEAD;
            st->marks[b.iv.upd] |= VM_IV_UPDATE;
        }
        l->head = h;
        l->latch = pc;
        l->test = b.test;
        l->cls = b.trips ? MBPF_LOOP_CONSTANT : b.div ? MBPF_LOOP_COUNTABLE : MBPF_LOOP_UNBOUNDED;
        l->iv_reg = b.iv_ok ? b.iv.x : MBPF_IV_NO_REG;
        l->iv_kind = b.iv_ok ? b.iv.kind : MBPF_IV_NONE;
        l->iv_start_known = (uint8_t)(b.iv_ok && b.start_known);
        l->iv_update = b.iv_ok ? b.iv.upd : 0;
        l->iv_step = b.iv_ok ? (int32_t)b.iv.step : 0;
        l->iv_start = b.iv_ok && b.start_known ? b.start : 0;
        l->trips = (uint32_t)b.trips;
        l->len_div = b.div;
        l->len_add = b.div ? b.len_add : 0;
    }
    for (uint32_t pc = 0; pc < n; pc++) /* the marks as the CFG pass left them */
        marks[pc] = (uint8_t)((marks[pc] & ~(VM_IV_HEAD | VM_IV_UPDATE | VM_JUMP | VM_BACK_JUMP)) |
                              (marks[pc] & VM_LDDW_TAIL ? 0 : VM_REACHED));
}
