/* mbpf_verify: runs the passes over a caller-provided arena and fills the per-instruction facts. */
#include <string.h>

#include "verifier/verifier_internal.h"

/* Arena layout, per instruction: marks (1) + sub (4) + work (4) + dfs (8) + depth (1) + color (1)
 * + pointer provenance (VPROV_STATE = 43) bytes, plus alignment slack. */
#define ARENA_PER_INSN (19u + VPROV_STATE)
#define ARENA_SLACK 32u

size_t mbpf_verify_arena_size(uint32_t n_insns)
{
    return (size_t)n_insns * ARENA_PER_INSN + ARENA_SLACK;
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

int vreject(vstate *st, uint32_t pc, const char *reason)
{
    return reject_common(st, pc, reason, 0, 0);
}

int vreject_num(vstate *st, uint32_t pc, const char *reason, int64_t num)
{
    return reject_common(st, pc, reason, 1, num);
}

/* Facts that follow from single instructions: results with known-zero upper halves, constant
 * r10 accesses (checked by pre-flight to lie in the frame), back edges. Everything else is left
 * guarded (MBPF_MEM_GUARD_ANY) and budgeted. */
static void fill_facts(vstate *st, mbpf_fact *facts)
{
    mbpf_verify_result *r = st->res;
    for (uint32_t pc = 0; pc < st->n; pc++) {
        const mbpf_insn *in = &st->insns[pc];
        mbpf_fact *f = &facts[pc];
        const uint8_t cls = MBPF_CLASS(in->code), mode = MBPF_MODE(in->code);
        memset(f, 0, sizeof *f);
        if (st->marks[pc] & VM_LDDW_TAIL)
            continue;
        f->flags |= MBPF_FACT_REACHABLE;
        if (st->marks[pc] & VM_TARGET)
            f->flags |= MBPF_FACT_JUMP_TARGET;
        if (st->marks[pc] & VM_SUBPROG)
            f->flags |= MBPF_FACT_SUBPROG;
        if (cls == MBPF_ALU) {
            f->flags |= MBPF_FACT_HI_ZERO;
            r->alu32_results++;
            r->alu32_hi_zero++;
        } else if (cls == MBPF_ALU64 && in->code == (MBPF_ALU64 | MBPF_MOV | MBPF_K) && in->imm >= 0) {
            f->flags |= MBPF_FACT_HI_ZERO;
        } else if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) {
            const uint8_t base = cls == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
            if (cls == MBPF_LDX && mode == MBPF_MEM && MBPF_SIZE(in->code) != MBPF_DW)
                f->flags |= MBPF_FACT_HI_ZERO;
            r->mem_accesses++;
            if (base == MBPF_REG_FP) {
                f->mem = MBPF_MEM_PROVEN;
                f->region = MBPF_RGN_STACK;
                r->mem_proven++;
            } else {
                f->mem = MBPF_MEM_GUARD_ANY;
            }
        } else if (cls == MBPF_JMP || cls == MBPF_JMP32) {
            const uint8_t op = MBPF_OP(in->code);
            if (op != MBPF_CALL && op != MBPF_EXIT) {
                int32_t rel = (cls == MBPF_JMP32 && op == MBPF_JA) ? in->imm : in->off;
                if (rel < 0) {
                    f->flags |= MBPF_FACT_BACKEDGE;
                    r->loops++;
                }
            }
        }
    }
}

int mbpf_verify(const mbpf_program *p, const mbpf_verify_opts *opts, mbpf_fact *facts,
                void *arena, size_t arena_size, mbpf_verify_result *res)
{
    vstate st;
    memset(res, 0, sizeof *res);
    memset(&st, 0, sizeof st);
    st.prog = p;
    st.insns = p->insns;
    st.n = p->n_insns;
    st.opts = opts;
    st.res = res;
    uint32_t max = opts->max_insns ? opts->max_insns : MBPF_MAX_INSNS;
    if (st.n == 0)
        return vreject(&st, 0, "empty program");
    if (st.n > max)
        return vreject_num(&st, st.n, "program too large; instruction limit ", max);
    if (!arena || arena_size < mbpf_verify_arena_size(st.n)) {
        vreject(&st, st.n, "work arena too small");
        return -2;
    }
    uint8_t *a = (uint8_t *)(((uintptr_t)arena + 7u) & ~(uintptr_t)7u);
    memset(a, 0, (size_t)st.n * ARENA_PER_INSN);
    st.sub = (uint32_t *)a;
    st.work = st.sub + st.n;
    st.dfs = st.work + st.n;
    st.marks = (uint8_t *)(st.dfs + 2 * (size_t)st.n);
    st.depth = st.marks + st.n;
    st.color = st.depth + st.n;
    st.prov = st.color + st.n;

    if (vpreflight(&st) || vcfg(&st))
        return -1;
    if (facts) {
        fill_facts(&st, facts);
        vprovenance(&st, facts);
    }
    return 0;
}
