/* Loop bounds. A back edge is proven bounded when it closes an innermost loop of the shape
 * clang emits for counted loops:
 *
 *     header: ...            the only way in from outside is through the header
 *             x += c         the only write to x in the loop, never skipped by a jump
 *             ...
 *             if x < Y goto header     (or <=, or the mirrored forms; c < 0 with > and >=)
 *
 * with Y a constant (or a register the loop never writes, whose interval is known at the
 * header) and the trip count, from x's interval at the header, at most MBPF_LOOP_MAX_TRIPS.
 * Such a loop needs no budget check. Only innermost loops qualify, so that the iterations a run
 * performs without budget stay at most (budget + 1) x MBPF_LOOP_MAX_TRIPS per bounded loop. */
#include "verifier/absint.h"

static int is_jump(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    return (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT;
}

static uint32_t dest(uint32_t pc, const mbpf_insn *in)
{
    int32_t rel = (MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA) ? in->imm : in->off;
    return (uint32_t)((int64_t)pc + 1 + rel);
}

/* Does instruction in write register r? */
static int writes(const mbpf_insn *in, uint8_t r)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64:
    case MBPF_LDX:
    case MBPF_LD:
        return MBPF_DST(in) == r;
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC && (in->imm & MBPF_FETCH))
            return r == (in->imm == MBPF_CMPXCHG ? 0 : MBPF_SRC(in));
        return 0;
    case MBPF_JMP:
    case MBPF_JMP32:
        return op == MBPF_CALL && r <= 5;
    default:
        return 0;
    }
}

/* The single `x += c` (or `x -= c`) of the loop [h, e), or -1. */
static int64_t single_add(const vstate *st, uint32_t h, uint32_t e, uint8_t x, uint8_t alu_cls,
                          uint32_t *at, int32_t *step)
{
    int64_t found = -1;
    for (uint32_t pc = h; pc < e; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (st->marks[pc] & VM_LDDW_TAIL || !writes(in, x))
            continue;
        const int add = in->code == (alu_cls | MBPF_ADD | MBPF_K), sub = in->code == (alu_cls | MBPF_SUB | MBPF_K);
        if (found >= 0 || !(add || sub) || in->imm == 0 || in->imm == INT32_MIN)
            return -1;
        found = pc;
        *at = pc;
        *step = add ? in->imm : -in->imm;
    }
    return found;
}

static uint64_t trips_max(void)
{
    return MBPF_LOOP_MAX_TRIPS;
}

/* The value x has when the loop at h is entered, when it is a constant set in the straight-line
 * code before h (the only way in, checked by the caller). Returns 0 when unknown. */
static int start_value(const vstate *st, uint32_t h, uint32_t e, uint8_t x, int is32, uint64_t *v)
{
    const mbpf_insn *prev = h ? &st->insns[h - 1] : NULL;
    if (!prev || (st->marks[h] & VM_SUBPROG) || prev->code == MBPF_OPC_EXIT ||
        (is_jump(prev) && MBPF_OP(prev->code) == MBPF_JA))
        return 0; /* h is not entered by falling into it */
    for (uint32_t pc = 0; pc < st->n; pc++)
        if (pc != e && !(st->marks[pc] & VM_LDDW_TAIL) && is_jump(&st->insns[pc]) && dest(pc, &st->insns[pc]) == h)
            return 0; /* nor only that way */
    for (uint32_t pc = h; pc-- > 0;) {
        if (st->marks[pc] & VM_LDDW_TAIL)
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
        if (st->marks[pc] & (VM_TARGET | VM_SUBPROG))
            return 0; /* another path joins before the value is set */
    }
    return 0;
}

/* Is the loop closed by the back edge at e (to header h) bounded? Returns the most times the
 * back edge can be taken per entry into the loop (at least 1), 0 when not bounded. The bound
 * holds for every entry: it uses only what the header state says (the join of every way in), or
 * a start value set on the only way in. */
static uint64_t bounded(const vstate *st, uint32_t h, uint32_t e)
{
    const mbpf_insn *in = &st->insns[e];
    mbpf_insn flipped;
    if (MBPF_OP(in->code) == MBPF_JA && e > h && !(st->marks[e] & (VM_TARGET | VM_LDDW_TAIL))) {
        /* "if x == Y goto out; ja head": the exit test sits just before an unconditional back
         * edge; it continues on the negated condition */
        static const uint8_t negate[][2] = {{MBPF_JEQ, MBPF_JNE}, {MBPF_JNE, MBPF_JEQ}, {MBPF_JLT, MBPF_JGE},
                                            {MBPF_JGE, MBPF_JLT}, {MBPF_JLE, MBPF_JGT}, {MBPF_JGT, MBPF_JLE},
                                            {MBPF_JSLT, MBPF_JSGE}, {MBPF_JSGE, MBPF_JSLT},
                                            {MBPF_JSLE, MBPF_JSGT}, {MBPF_JSGT, MBPF_JSLE}};
        const mbpf_insn *t = &st->insns[e - 1];
        if ((st->marks[e - 1] & VM_LDDW_TAIL) || !is_jump(t) || MBPF_OP(t->code) == MBPF_JA || dest(e - 1, t) != e + 1)
            return 0;
        flipped = *t;
        flipped.code = 0;
        for (unsigned i = 0; i < sizeof negate / sizeof negate[0]; i++)
            if (MBPF_OP(t->code) == negate[i][0])
                flipped.code = (uint8_t)((t->code & 0x0f) | negate[i][1]);
        if (!flipped.code)
            return 0;
        in = &flipped;
    }
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if (op == MBPF_JA || op == MBPF_JSET || op == MBPF_JEQ)
        return 0;
    /* innermost, entered only through h, closed only by e */
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *j = &st->insns[pc];
        if (st->marks[pc] & VM_LDDW_TAIL || !is_jump(j))
            continue;
        uint32_t d = dest(pc, j);
        int inside = pc >= h && pc <= e;
        if (inside && pc != e && d <= pc)
            return 0; /* another back edge inside (or a second one to h) */
        if (!inside && d > h && d <= e)
            return 0; /* a way into the middle of the loop */
    }
    const astate *hs = vabsint_state(st, h);
    if (!hs || !hs->reached)
        return 0;
    const uint8_t alu = cls == MBPF_JMP32 ? MBPF_ALU : MBPF_ALU64;
    const uint64_t wrap = cls == MBPF_JMP32 ? 0x7fffffffull : (1ull << 62);
    /* which side is the induction variable: try dst, then src */
    for (int side = 0; side < 2; side++) {
        uint8_t x = side == 0 ? MBPF_DST(in) : MBPF_SRC(in);
        if (side == 1 && !MBPF_SRCBIT(in->code))
            break;
        if (x == MBPF_REG_FP)
            continue;
        uint32_t add_pc = 0;
        int32_t step = 0;
        if (single_add(st, h, e, x, alu, &add_pc, &step) < 0)
            continue;
        /* the add runs on every iteration: no jump from before it lands after it */
        int skipped = 0;
        for (uint32_t pc = h; pc < add_pc && !skipped; pc++)
            if (!(st->marks[pc] & VM_LDDW_TAIL) && is_jump(&st->insns[pc]) && dest(pc, &st->insns[pc]) > add_pc &&
                dest(pc, &st->insns[pc]) <= e)
                skipped = 1;
        if (skipped)
            continue;
        int64_t c = step;
        /* the bound: a constant, or a register the loop leaves alone */
        uint64_t ylo, yhi;
        if (side == 0 && !MBPF_SRCBIT(in->code)) {
            ylo = yhi = cls == MBPF_JMP32 ? (uint32_t)in->imm : (uint64_t)(int64_t)in->imm;
        } else {
            uint8_t y = side == 0 ? MBPF_SRC(in) : MBPF_DST(in);
            if (y == MBPF_REG_FP)
                continue;
            int touched = 0;
            for (uint32_t pc = h; pc <= e && !touched; pc++)
                touched = !(st->marks[pc] & VM_LDDW_TAIL) && writes(&st->insns[pc], y);
            if (touched || hs->r[y].type != T_SCALAR)
                continue;
            ylo = hs->r[y].lo;
            yhi = hs->r[y].hi;
        }
        const areg *xv = &hs->r[x];
        if (xv->type != T_SCALAR || yhi > wrap)
            continue;
        uint64_t x0 = 0;
        int known = start_value(st, h, e, x, cls == MBPF_JMP32, &x0);
        if (op == MBPF_JNE) {
            /* x != Y: counts exactly to Y from a known start in steps that land on it */
            uint64_t d = c > 0 ? (uint64_t)c : (uint64_t)(-c);
            if (!known || ylo != yhi || x0 > wrap)
                continue;
            uint64_t span = c > 0 ? yhi - x0 : x0 - yhi;
            if ((c > 0 ? x0 >= yhi : x0 <= yhi) || span % d || span / d > trips_max())
                continue;
            return span / d;
        }
        /* continue-relation as "x REL y" */
        int lt = 0, le = 0, gt = 0, ge = 0;
        int swap = side == 1;
        switch (op) {
        case MBPF_JLT: case MBPF_JSLT: swap ? (gt = 1) : (lt = 1); break;
        case MBPF_JLE: case MBPF_JSLE: swap ? (ge = 1) : (le = 1); break;
        case MBPF_JGT: case MBPF_JSGT: swap ? (lt = 1) : (gt = 1); break;
        case MBPF_JGE: case MBPF_JSGE: swap ? (le = 1) : (ge = 1); break;
        default: continue;
        }
        uint64_t trips;
        const int is_signed = op == MBPF_JSLT || op == MBPF_JSLE || op == MBPF_JSGT || op == MBPF_JSGE;
        if (c > 0 && (lt || le)) {
            /* signed: a negative start stays below Y for up to 2^63 steps; only a known,
             * non-negative start keeps the unsigned argument below valid */
            if (is_signed && (!known || x0 > wrap))
                continue;
            /* from any start: at most one step past Y (or a wrap to a small value), then
             * (Y - x) / c steps */
            if (yhi + (uint64_t)c > wrap)
                continue;
            trips = (yhi + (le ? 1u : 0u)) / (uint64_t)c + 2;
            if (known && x0 <= wrap) {
                /* from x0 < L = Y (+1 for <=) without wrapping: the back edge is taken for
                 * x0 + i*c < L, i >= 1, that is (L - x0 - 1) / c times */
                uint64_t lim = yhi + (le ? 1u : 0u);
                trips = x0 < lim ? (lim - x0 - 1) / (uint64_t)c : 0;
                if (trips == 0)
                    trips = 1;
            }
        } else if (c < 0 && (gt || ge)) {
            /* continuing needs x >= floor >= d, so only the start could wrap below zero */
            uint64_t d = (uint64_t)(-c), floor = ylo + (gt ? 1 : 0);
            uint64_t top = known ? x0 : xv->hi;
            if (floor < d || (known ? x0 < d : xv->lo < d) || top > wrap)
                continue;
            trips = top > floor ? (top - floor) / d + 1 : 1;
        } else {
            continue;
        }
        if (trips <= trips_max())
            return trips;
    }
    return 0;
}

/* Back edges, which of them are bounded, and the loop heads with their trip bounds. A head that
 * several back edges reach (a loop with a `continue`, or an outer loop sharing it) gets none: one
 * trip bound per head is all the engines charge, and which loop an entry belongs to is then not
 * clear. */
void vloops(vstate *st, mbpf_fact *facts)
{
    uint32_t *edges = st->dfs; /* per head: back edges reaching it (the CFG pass is done with dfs) */
    for (uint32_t pc = 0; pc < st->n; pc++)
        edges[pc] = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (!(st->marks[pc] & VM_LDDW_TAIL) && is_jump(in) && dest(pc, in) <= pc)
            edges[dest(pc, in)]++;
    }
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (st->marks[pc] & VM_LDDW_TAIL || !is_jump(in))
            continue;
        uint32_t h = dest(pc, in);
        if (h > pc)
            continue;
        st->res->loops++;
        if (facts)
            facts[pc].flags |= MBPF_FACT_BACKEDGE;
        uint64_t trips = edges[h] == 1 ? bounded(st, h, pc) : 0;
        if (trips) {
            st->res->loops_bounded++;
            if (facts) {
                facts[pc].flags |= MBPF_FACT_BOUNDED;
                facts[h].flags |= MBPF_FACT_LOOP_HEAD;
                facts[h].aux = (uint8_t)(trips - 1); /* 1 <= trips <= MBPF_LOOP_MAX_TRIPS */
            }
        }
    }
}
