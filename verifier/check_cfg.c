/* The certificate checker's control-flow checks: the same rules as the full verifier's CFG pass
 * (cfg.c: functions, jump targets inside their function and never into an LDDW tail, functions
 * ending in exit or ja, no unreachable code, bounded call depth) in 5 bytes per instruction:
 * the marks and one 32-bit word per instruction, used as a 16-bit function index and a 16-bit
 * worklist, then depth of each function (both fit 16 bits: MBPF_MAX_INSNS is 65536). */
#include "verifier/check.h"

V_INLINE int is_local_call(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL;
}

/* The target of a jump; 0 when in is no jump. */
V_INLINE int jump_target(uint32_t pc, const mbpf_insn *in, int64_t *t)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if ((cls != MBPF_JMP && cls != MBPF_JMP32) || op == MBPF_CALL || op == MBPF_EXIT)
        return 0;
    *t = (int64_t)pc + 1 + ((cls == MBPF_JMP32 && op == MBPF_JA) ? in->imm : in->off);
    return 1;
}

/* Marks LDDW tails (*tails: how many) and function entries; *calls: the program has local
 * calls. */
static int functions(vstate *st, int *calls, uint32_t *tails)
{
    const uint32_t n = st->n; /* in locals: the byte stores to marks may alias anything */
    const mbpf_insn *insns = st->insns;
    uint8_t *marks = st->marks;
    uint32_t lddw_tails = 0;
    int local_calls = 0;
    marks[0] |= VM_SUBPROG;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &insns[pc];
        if (in->code == MBPF_OPC_LDDW) {
            if (pc + 1 < n) {
                marks[++pc] |= VM_LDDW_TAIL;
                lddw_tails++;
            }
            continue;
        }
        if (!is_local_call(in))
            continue;
        int64_t t = (int64_t)pc + 1 + in->imm;
        if (t < 0 || t >= n)
            return vreject(st, pc, "call target outside the program");
        marks[t] |= VM_SUBPROG; /* a target in an lddw's tail: rejected once all are marked */
        local_calls = 1;
    }
    *calls = local_calls;
    *tails = lddw_tails;
    return 0;
}

/* Function index of each instruction (none needed without local calls: one function), jump
 * targets, functions ending in exit or ja; counts the back edges. */
static int jumps(vstate *st, uint16_t *sub, int calls, uint32_t *back_edges)
{
    uint32_t f = 0;
    st->first_callee = st->n;
    *back_edges = 0;
    for (uint32_t pc = 1; calls && pc < st->n; pc++) {
        if (st->marks[pc] & VM_SUBPROG) {
            if (st->marks[pc] & VM_LDDW_TAIL)
                return vreject(st, pc, "call target is the second slot of an lddw");
            if (!f)
                st->first_callee = pc;
            f++;
        }
        sub[pc] = (uint16_t)f;
    }
    sub[0] = 0;
    const uint32_t n = st->n;
    const mbpf_insn *insns = st->insns;
    uint8_t *marks = st->marks;
    uint32_t back = 0;
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &insns[pc];
        if (marks[pc] & VM_LDDW_TAIL)
            continue;
        int64_t t;
        if (jump_target(pc, in, &t)) {
            if (t < 0 || t >= n)
                return vreject(st, pc, "jump target outside the program");
            if (marks[t] & VM_LDDW_TAIL)
                return vreject(st, pc, "jump into the second slot of an lddw");
            if (calls && sub[t] != sub[pc])
                return vreject(st, pc, "jump leaves its function");
            marks[t] |= VM_TARGET;
            back += t <= pc;
            if (in->code != (MBPF_JMP | MBPF_JA) && in->code != (MBPF_JMP32 | MBPF_JA) &&
                (pc + 1 >= n || (marks[pc + 1] & VM_SUBPROG)))
                return vreject(st, pc, "function does not end with exit or ja");
            continue;
        }
        const uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
        if ((next >= n || (marks[next] & VM_SUBPROG)) && in->code != MBPF_OPC_EXIT)
            return vreject(st, pc, "function does not end with exit or ja");
    }
    *back_edges = back;
    return 0;
}

static void push(vstate *st, uint16_t *work, uint32_t *top, uint32_t pc)
{
    if (!(st->marks[pc] & VM_REACHED)) {
        st->marks[pc] |= VM_REACHED;
        work[(*top)++] = (uint16_t)pc;
    }
}

/* Every instruction reachable from the entry through fall-through, jumps and calls: a worklist
 * of pcs, each pushed once, each followed along its fall-through while that reaches new code
 * (straight-line code costs no push). Every instruction but the `tails` LDDW tails (never
 * reached: no jump or call lands on one) reached: nothing is unreachable; else the first one
 * is named. */
static int reachable(vstate *st, uint16_t *work, uint32_t tails)
{
    const uint32_t n = st->n;
    const mbpf_insn *insns = st->insns;
    uint8_t *marks = st->marks;
    uint32_t top = 0, reached = 0;
    push(st, work, &top, 0);
    while (top) {
        for (uint32_t pc = work[--top];; reached++) {
            const mbpf_insn *in = &insns[pc];
            int64_t t;
            if (jump_target(pc, in, &t)) {
                push(st, work, &top, (uint32_t)t);
                if (MBPF_OP(in->code) == MBPF_JA)
                    break;
            } else if (in->code == MBPF_OPC_EXIT) {
                break;
            } else if (is_local_call(in)) {
                push(st, work, &top, (uint32_t)((int64_t)pc + 1 + in->imm));
            }
            const uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
            if (next >= n || (marks[next] & VM_REACHED))
                break;
            marks[next] |= VM_REACHED;
            pc = next;
        }
        reached++;
    }
    if (reached + tails == n)
        return 0;
    for (uint32_t pc = 0; pc < n; pc++)
        if (!(marks[pc] & (VM_REACHED | VM_LDDW_TAIL)))
            return vreject(st, pc, "unreachable instruction");
    return 0;
}

/* depth[entry of f] = 1 + the deepest depth of a function f calls, by passes over the program
 * (functions are contiguous); a chain deeper than the limit, or a cycle, exceeds it. */
static int call_depth(vstate *st, uint16_t *depth)
{
    for (uint32_t pc = 0; pc < st->n; pc++)
        depth[pc] = (st->marks[pc] & VM_SUBPROG) ? 1u : 0u;
    for (uint32_t pass = 0; pass <= MBPF_MAX_CALL_DEPTH; pass++) {
        int changed = 0;
        uint32_t entry = 0;
        for (uint32_t pc = 0; pc < st->n; pc++) {
            if (st->marks[pc] & VM_SUBPROG)
                entry = pc;
            const mbpf_insn *in = &st->insns[pc];
            if ((st->marks[pc] & VM_LDDW_TAIL) || !is_local_call(in))
                continue;
            uint32_t g = (uint32_t)((int64_t)pc + 1 + in->imm);
            if (depth[g] + 1u > depth[entry]) {
                if (depth[g] + 1u > MBPF_MAX_CALL_DEPTH)
                    return vreject_num(st, pc, "local calls nest too deep (or recurse); limit ",
                                       MBPF_MAX_CALL_DEPTH);
                depth[entry] = (uint16_t)(depth[g] + 1u);
                changed = 1;
            }
        }
        if (!changed)
            return 0;
    }
    return vreject_num(st, 0, "local calls nest too deep (or recurse); limit ", MBPF_MAX_CALL_DEPTH);
}

int vcheck_cfg(vstate *st, uint32_t *scratch, uint32_t *back_edges)
{
    uint16_t *sub = (uint16_t *)(void *)scratch, *depth = sub + st->n;
    int calls = 0;
    uint32_t tails = 0;
    for (uint32_t pc = 0, n = st->n; pc < n; pc++)
        st->marks[pc] = 0; /* n and marks stay in registers: nothing else is stored */
    if (functions(st, &calls, &tails) || jumps(st, sub, calls, back_edges) || reachable(st, depth, tails))
        return -1;
    return calls ? call_depth(st, depth) : 0;
}
