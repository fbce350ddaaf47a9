/* Control flow: functions (local call targets), jump targets inside their function and never into
 * an LDDW tail, functions ending in exit or ja, no unreachable code, bounded call depth without
 * recursion. */
#include "verifier/verifier_internal.h"

static int is_local_call(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL;
}

/* Sets *t to the target of a jump instruction; returns 0 when it is not a jump (exit, call, other
 * classes). */
static int jump_target(uint32_t pc, const mbpf_insn *in, int64_t *t)
{
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if ((cls != MBPF_JMP && cls != MBPF_JMP32) || op == MBPF_CALL || op == MBPF_EXIT)
        return 0;
    *t = (int64_t)pc + 1 + ((cls == MBPF_JMP32 && op == MBPF_JA) ? in->imm : in->off);
    return 1;
}

static int is_terminator(const mbpf_insn *in)
{
    return in->code == MBPF_OPC_EXIT || in->code == (MBPF_JMP | MBPF_JA) ||
           in->code == (MBPF_JMP32 | MBPF_JA);
}

static int mark_functions(vstate *st)
{
    st->marks[0] |= VM_SUBPROG;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (in->code == MBPF_OPC_LDDW && pc + 1 < st->n)
            st->marks[pc + 1] |= VM_LDDW_TAIL;
    }
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        if (is_local_call(in)) {
            int64_t t = (int64_t)pc + 1 + in->imm;
            if (t < 0 || t >= st->n)
                return vreject(st, pc, "call target outside the program");
            if (st->marks[t] & VM_LDDW_TAIL)
                return vreject(st, pc, "call target is the second slot of an lddw");
            st->marks[t] |= VM_SUBPROG;
        }
    }
    uint32_t f = 0;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        if (pc && (st->marks[pc] & VM_SUBPROG))
            f++;
        st->sub[pc] = f;
    }
    st->n_subs = f + 1;
    return 0;
}

static int check_jumps(vstate *st)
{
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        int64_t t;
        if (jump_target(pc, in, &t)) {
            if (t < 0 || t >= st->n)
                return vreject(st, pc, "jump target outside the program");
            if (st->marks[t] & VM_LDDW_TAIL)
                return vreject(st, pc, "jump into the second slot of an lddw");
            if (st->sub[t] != st->sub[pc])
                return vreject(st, pc, "jump leaves its function");
            st->marks[t] |= VM_TARGET;
        }
        /* the last instruction of each function must not fall through */
        uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
        if ((next >= st->n || (st->marks[next] & VM_SUBPROG)) && !is_terminator(in))
            return vreject(st, pc, "function does not end with exit or ja");
    }
    return 0;
}

static void push(vstate *st, uint32_t *top, uint32_t pc)
{
    if (!(st->marks[pc] & VM_QUEUED)) {
        st->marks[pc] |= VM_QUEUED;
        st->work[(*top)++] = pc;
    }
}

static int check_reachable(vstate *st)
{
    uint32_t top = 0;
    push(st, &top, 0);
    while (top) {
        uint32_t pc = st->work[--top];
        const mbpf_insn *in = &st->insns[pc];
        st->marks[pc] |= VM_REACHED;
        int64_t t;
        if (jump_target(pc, in, &t))
            push(st, &top, (uint32_t)t);
        if (is_local_call(in))
            push(st, &top, (uint32_t)((int64_t)pc + 1 + in->imm));
        if (!is_terminator(in)) {
            uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
            if (next < st->n)
                push(st, &top, next);
        }
    }
    for (uint32_t pc = 0; pc < st->n; pc++)
        if (!(st->marks[pc] & (VM_REACHED | VM_LDDW_TAIL)))
            return vreject(st, pc, "unreachable instruction");
    return 0;
}

/* Depth-first walk of the call graph without recursion: dfs holds (function, resume pc) pairs. */
static int check_call_depth(vstate *st)
{
    uint32_t top = 0;
    uint32_t *start = st->work; /* reuse: first instruction of each function */
    for (uint32_t pc = 0; pc < st->n; pc++)
        if (st->marks[pc] & VM_SUBPROG)
            start[st->sub[pc]] = pc;
    st->dfs[0] = 0;
    st->dfs[1] = 0;
    st->color[0] = 1;
    top = 1;
    while (top) {
        uint32_t f = st->dfs[2 * (top - 1)], pc = st->dfs[2 * (top - 1) + 1];
        int descended = 0;
        for (; pc < st->n && st->sub[pc] == f; pc++) {
            const mbpf_insn *in = &st->insns[pc];
            if ((st->marks[pc] & VM_LDDW_TAIL) || !is_local_call(in))
                continue;
            uint32_t g = st->sub[(uint32_t)((int64_t)pc + 1 + in->imm)];
            if (st->color[g] == 1)
                return vreject(st, pc, "recursive local call");
            if (st->color[g] == 0) {
                st->dfs[2 * (top - 1) + 1] = pc; /* resume here to account for g's depth */
                st->color[g] = 1;
                st->dfs[2 * top] = g;
                st->dfs[2 * top + 1] = start[g];
                top++;
                descended = 1;
                break;
            }
            if ((uint32_t)st->depth[g] + 1 > st->depth[f]) {
                if (st->depth[g] + 1 > MBPF_MAX_CALL_DEPTH)
                    return vreject_num(st, pc, "local calls nest too deep; limit ", MBPF_MAX_CALL_DEPTH);
                st->depth[f] = (uint8_t)(st->depth[g] + 1);
            }
        }
        if (descended)
            continue;
        if (st->depth[f] == 0)
            st->depth[f] = 1;
        st->color[f] = 2;
        top--;
    }
    return 0;
}

int vcfg(vstate *st)
{
    int rc = mark_functions(st);
    if (!rc)
        rc = check_jumps(st);
    if (!rc)
        rc = check_reachable(st);
    if (!rc)
        rc = check_call_depth(st);
    return rc;
}
