/* mbpf_verify: runs the passes over a caller-provided arena and fills the per-instruction facts. */
#include <string.h>

#include "verifier/absint.h"

/* Arena layout, per instruction: marks (1) + sub (4) + work (4) + dfs (8) + depth (1) + color (1);
 * then one abstract state per join point. */
#define ARENA_PER_INSN 19u
#define ARENA_SLACK 16u

size_t mbpf_verify_arena_size(uint32_t n_insns)
{
    return (size_t)n_insns * (ARENA_PER_INSN + sizeof(astate)) + sizeof(astate) + ARENA_SLACK;
}

/* Join points: jump targets and function entries, at most one per jump or call, plus the entry,
 * plus the instruction after each conditional back edge. */
static uint32_t join_points_bound(const mbpf_program *p)
{
    uint32_t k = 1;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_insn *in = &p->insns[pc];
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (in->code == MBPF_OPC_LDDW)
            pc++;
        else if ((cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_EXIT)
            k += op != MBPF_JA && op != MBPF_CALL && in->off < 0 ? 2u : 1u;
    }
    return k;
}

size_t mbpf_verify_arena_need(const mbpf_program *p)
{
    return (size_t)p->n_insns * ARENA_PER_INSN + (size_t)join_points_bound(p) * sizeof(astate) + ARENA_SLACK;
}

/* Minimal formatting into res->msg: "verify: insn PC (DISASM): reason[NUM]". */
static size_t append(char *buf, size_t pos, size_t cap, const char *s)
{
    while (*s && pos + 1 < cap)
        buf[pos++] = *s++;
    buf[pos] = '\0';
    return pos;
}

static size_t append_num(char *buf, size_t pos, size_t cap, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    while (n && pos + 1 < cap)
        buf[pos++] = tmp[--n];
    buf[pos] = '\0';
    return pos;
}

static int reject_common(vstate *st, uint32_t pc, const char *reason, int has_num, int64_t num)
{
    mbpf_verify_result *r = st->res;
    char dis[64];
    size_t cap = sizeof r->msg, pos = 0;
    r->pc = pc;
    pos = append(r->msg, pos, cap, "verify: ");
    if (pc < st->n) {
        mbpf_disasm(&st->insns[pc], pc + 1 < st->n ? &st->insns[pc + 1] : NULL, dis, sizeof dis);
        pos = append(r->msg, pos, cap, "insn ");
        pos = append_num(r->msg, pos, cap, pc);
        pos = append(r->msg, pos, cap, " (");
        pos = append(r->msg, pos, cap, dis);
        pos = append(r->msg, pos, cap, "): ");
    }
    pos = append(r->msg, pos, cap, reason);
    if (has_num)
        append_num(r->msg, pos, cap, num);
    return -1;
}

void vzero_words(void *p, size_t bytes)
{
    uint32_t *w = (uint32_t *)p;
    for (size_t i = 0; i < bytes / 4; i++)
        w[i] = 0;
}

int vreject(vstate *st, uint32_t pc, const char *reason)
{
    return reject_common(st, pc, reason, 0, 0);
}

int vreject_num(vstate *st, uint32_t pc, const char *reason, int64_t num)
{
    return reject_common(st, pc, reason, 1, num);
}

/* Structural facts from the CFG pass; memory, HI_ZERO and loop facts come from the abstract
 * interpreter and the loop pass. */
static void fill_facts(vstate *st, mbpf_fact *facts)
{
    for (uint32_t pc = 0; pc < st->n; pc++) {
        mbpf_fact *f = &facts[pc];
        memset(f, 0, sizeof *f);
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        f->flags |= MBPF_FACT_REACHABLE;
        if (st->marks[pc] & VM_TARGET)
            f->flags |= MBPF_FACT_JUMP_TARGET;
        if (st->marks[pc] & VM_SUBPROG)
            f->flags |= MBPF_FACT_SUBPROG;
    }
}

int mbpf_verify(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                void *arena, size_t arena_size, mbpf_verify_result *res)
{
    return mbpf_verify_loops(p, opts, facts, NULL, 0, arena, arena_size, res);
}

int mbpf_verify_loops(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                      mbpf_loop *loops, uint32_t loops_cap, void *arena, size_t arena_size,
                      mbpf_verify_result *res)
{
    vstate st;
    memset(&st, 0, sizeof st);
    st.loops = loops;
    st.loops_cap = loops ? loops_cap : 0;
    return vverify(&st, p, opts, facts, arena, arena_size, res);
}

int vverify(vstate *st, const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
            void *arena, size_t arena_size, mbpf_verify_result *res)
{
    vzero_words(res, sizeof *res);
    st->prog = p;
    st->insns = p->insns;
    st->n = p->n_insns;
    st->opts = opts;
    st->res = res;
    uint32_t max = opts->max_insns ? opts->max_insns : MBPF_MAX_INSNS;
    if (st->n == 0)
        return vreject(st, 0, "empty program");
    if (st->n > max)
        return vreject_num(st, st->n, "program too large; instruction limit ", max);
    if (!arena || arena_size < mbpf_verify_arena_need(p)) {
        vreject(st, st->n, "work arena too small");
        return -2;
    }
    uint8_t *a = (uint8_t *)(((uintptr_t)arena + 7u) & ~(uintptr_t)7u);
    memset(a, 0, (size_t)st->n * ARENA_PER_INSN);
    st->sub = (uint32_t *)(void *)a;
    st->work = st->sub + st->n;
    st->dfs = st->work + st->n;
    st->marks = (uint8_t *)(st->dfs + 2 * (size_t)st->n);
    st->depth = st->marks + st->n;
    st->color = st->depth + st->n;
    st->states = (void *)(a + (((size_t)st->n * ARENA_PER_INSN + 7u) & ~(size_t)7u));

    if (vpreflight(st) || vcfg(st))
        return -1;
    st->first_callee = st->n;
    for (uint32_t pc = st->n; pc-- > 1;)
        if (st->marks[pc] & VM_SUBPROG)
            st->first_callee = pc;
    if (facts)
        fill_facts(st, facts);
    if (vabsint(st, facts))
        return -1;
    vloops(st, facts);
    return 0;
}
