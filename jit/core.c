/* Translator core: two passes over the program through a backend. All branch forms a backend
 * picks depend only on the measuring pass's offsets, so both passes emit the same sizes and the
 * output is deterministic (the same bytes on host and device). */
#include <string.h>

#include "jit/jit_core.h"
#include "jit/mid/mid_access.h"

void jit_emit16(jit_ctx *c, uint16_t v)
{
    if (c->final_pass) {
        if (c->pos + 2 > c->cap) {
            c->overflow = 1;
        } else {
            c->code[c->pos] = (uint8_t)v;
            c->code[c->pos + 1] = (uint8_t)(v >> 8);
        }
    }
    c->pos += 2;
}

void jit_emit32(jit_ctx *c, uint32_t v)
{
    if (c->final_pass) {
        if (c->pos + 4 > c->cap) {
            c->overflow = 1;
        } else {
            c->code[c->pos] = (uint8_t)v;
            c->code[c->pos + 1] = (uint8_t)(v >> 8);
            c->code[c->pos + 2] = (uint8_t)(v >> 16);
            c->code[c->pos + 3] = (uint8_t)(v >> 24);
        }
    }
    c->pos += 4;
}

void jit_mark_insn(jit_ctx *c, uint32_t pc)
{
    if (!c->final_pass)
        c->insn_off[pc] = c->pos;
}

void jit_mark_stub(jit_ctx *c, uint32_t id)
{
    if (!c->final_pass && id < JIT_MAX_STUBS)
        c->stub_off[id] = c->pos;
}

uint32_t jit_insn_offset(const jit_ctx *c, uint32_t pc)
{
    return c->insn_off[pc];
}

uint32_t jit_stub_offset(const jit_ctx *c, uint32_t id)
{
    return id < JIT_MAX_STUBS ? c->stub_off[id] : 0;
}

int jit_fail(jit_ctx *c, uint32_t pc, const char *msg)
{
    if (!c->err) {
        c->err = msg;
        c->err_pc = pc;
    }
    return MBPF_JIT_ERR_UNSUPPORTED;
}

int jit_region_bounds(uint8_t rgn, int write, uint32_t *start, uint32_t *end)
{
    switch (rgn) {
    case MBPF_RGN_STACK:
        *start = MBPF_JB_STACK_BASE;
        *end = 0;
        return 1;
    case MBPF_RGN_CTX:
        *start = MBPF_JB_CTX;
        *end = write ? MBPF_JB_CTX_END_W : MBPF_JB_CTX_END_R;
        return 1;
    case MBPF_RGN_DATA:
        *start = MBPF_JB_DATA;
        *end = MBPF_JB_DATA_END;
        return 1;
    case MBPF_RGN_RODATA:
        *start = MBPF_JB_RODATA;
        *end = MBPF_JB_RODATA_END;
        return !write;
    default:
        return 0;
    }
}

uint32_t jit_jump_target(uint32_t pc, const mbpf_insn *in)
{
    const int ja32 = MBPF_CLASS(in->code) == MBPF_JMP32 && MBPF_OP(in->code) == MBPF_JA;
    return (uint32_t)((int64_t)pc + 1 + (ja32 ? in->imm : in->off));
}

int jit_needs_budget(const mbpf_fact *f)
{
    return (f->flags & MBPF_FACT_BACKEDGE) && !(f->flags & MBPF_FACT_BOUNDED);
}

void jit_checked_fact(const jit_ctx *c, uint32_t pc, mbpf_fact *out)
{
    const mbpf_fact *f = &c->facts[pc];
    out->region = f->region; /* field by field: no library call for a byte-aligned struct copy */
    out->flags = f->flags;
    out->aux = f->aux;
    out->mem = c->mem[pc];
}

void jit_check_accesses(jit_ctx *c)
{
    uint32_t need = 0;
    for (uint32_t pc = 0; pc < c->prog->n_insns; pc++) {
        const mbpf_insn *in = &c->prog->insns[pc];
        const uint8_t mem = mid_access_check(in, &c->facts[pc]);
        c->mem[pc] = mem;
        if (!(c->facts[pc].flags & MBPF_FACT_REACHABLE))
            continue;
        const int call = MBPF_CLASS(in->code) == MBPF_JMP && MBPF_OP(in->code) == MBPF_CALL;
        if (call && !(in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL))
            need |= JIT_CONTEXT_ARGS; /* a helper, through the trampoline */
        if (mem > MBPF_MEM_PROVEN)
            need |= JIT_CONTEXT_ARGS | JIT_CONTEXT_ENDS; /* a guard, the check stub, a full check */
        if ((c->facts[pc].flags & MBPF_FACT_BACKEDGE) || call) /* bounded ones: charged before the loop */
            need |= JIT_CONTEXT_BUDGET;
    }
    if (need & JIT_CONTEXT_ARGS) /* the routines charge helper calls */
        need |= JIT_CONTEXT_BUDGET;
    c->context = need;
}

int jit_emit_body(jit_ctx *c, const jit_backend_ops *ops, void *b)
{
    const mbpf_program *p = c->prog;
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_fact *f = &c->facts[pc];
        const mbpf_insn *in = &p->insns[pc];
        if (!(f->flags & MBPF_FACT_REACHABLE)) {
            jit_mark_insn(c, pc);
            continue;
        }
        if ((f->flags & MBPF_FACT_SUBPROG) && pc != 0)
            ops->function_entry(b);
        jit_mark_insn(c, pc);
        mbpf_fact checked;
        jit_checked_fact(c, pc, &checked);
        int rc = ops->insn(b, pc, in, &checked);
        if (rc)
            return rc;
        if (in->code == MBPF_OPC_LDDW) {
            pc++;
            jit_mark_insn(c, pc); /* the second slot emits nothing of its own */
        }
    }
    jit_mark_insn(c, p->n_insns);
    return 0;
}

/* Work arena: the offset table, the middle end's arrays, one cold-path record, one byte of
 * branch forms and one of checked access kinds per instruction. */
static size_t offsets_size(uint32_t n)
{
    return ((size_t)n + 1) * sizeof(uint32_t);
}

static size_t cold_size(uint32_t n)
{
    return (size_t)n * 2 * sizeof(uint32_t) + (((size_t)n + 3u) & ~(size_t)3u);
}

static size_t mem_size(uint32_t n)
{
    return ((size_t)n + 3u) & ~(size_t)3u;
}

typedef uint32_t __attribute__((may_alias)) jit_word;

/* Word loops: the library memset and memcpy are byte-wise at -Os. */
void jit_zero_words(void *to, size_t bytes)
{
    jit_word *d = (jit_word *)to;
    for (size_t i = 0; i < bytes / sizeof *d; i++)
        d[i] = 0;
}

void jit_copy_words(void *to, const void *from, size_t bytes)
{
    jit_word *d = (jit_word *)to;
    const jit_word *s = (const jit_word *)from;
    for (size_t i = 0; i < bytes / sizeof *d; i++)
        d[i] = s[i];
}

size_t mbpf_jit_work_size(uint32_t n_insns)
{
    return offsets_size(n_insns) + cold_size(n_insns) + mem_size(n_insns) + mid_work_size(n_insns) +
           mid_loops_work_size() + 8;
}

int mbpf_jit_translate(mbpf_target t, const mbpf_program *p, const mbpf_fact *facts,
                       const mbpf_jit_opts *opts, uint8_t *code, uint32_t code_cap, void *work,
                       size_t work_size, mbpf_jit_result *res)
{
    int (*emit)(jit_ctx *);
    jit_ctx c;
    jit_zero_words(res, sizeof *res);
    /* a device translates only for itself: the other backend stays out of its image */
#if !defined(__riscv)
    if (t == MBPF_TARGET_THUMB2)
        emit = mbpf_t2_emit_program;
    else
#endif
#if !(defined(__arm__) || defined(__thumb__))
    if (t == MBPF_TARGET_RV32IMC)
        emit = mbpf_rv_emit_program;
    else
#endif
    {
        res->err = "unknown target";
        return MBPF_JIT_ERR_TARGET;
    }
    if (!facts) {
        res->err = "translation needs the verifier's facts";
        return MBPF_JIT_ERR_UNSUPPORTED;
    }
    if (!work || work_size < mbpf_jit_work_size(p->n_insns)) {
        res->err = "work arena too small";
        return MBPF_JIT_ERR_WORK;
    }
    jit_zero_words(&c, sizeof c);
    c.prog = p;
    c.facts = facts;
    c.code = code;
    c.cap = code_cap;
    uint8_t *w = (uint8_t *)(((uintptr_t)work + 3u) & ~(uintptr_t)3u);
    c.insn_off = (uint32_t *)(void *)w;
    jit_zero_words(c.insn_off, offsets_size(p->n_insns));
    w += offsets_size(p->n_insns);
    c.cold = (uint32_t *)(void *)w;
    c.cold_cap = p->n_insns;
    c.forms = (uint8_t *)(c.cold + 2 * (size_t)p->n_insns); /* zeroed with the cold words */
    w += cold_size(p->n_insns);
    c.mem = w;
    jit_check_accesses(&c);
    w += mem_size(p->n_insns);
    mid_info mid; /* both backends are built on the middle end; its fixpoints borrow the cold
                   * records (cold_size(n) >= mid_scratch_size(n)), unused until the passes */
    if (mid_analyse(p, facts, w, mid_work_size(p->n_insns), c.cold, &mid)) {
        res->err = "work arena too small";
        return MBPF_JIT_ERR_WORK;
    }
    jit_zero_words(c.cold, cold_size(p->n_insns));
    c.mid = &mid;
    /* loop versioning: both backends, rotated loops (entered inside) included */
    c.loops = mid_loops_find(p, facts, &mid, w + mid_work_size(p->n_insns), mid_loops_work_size(),
                             ML_SHAPE_ROTATED);

    int rc = emit(&c); /* measuring pass */
    uint32_t measured = c.pos;
    if (!rc && measured > code_cap) {
        res->err = "code buffer too small";
        res->code_len = measured;
        return MBPF_JIT_ERR_NOSPACE;
    }
    if (!rc) {
        c.final_pass = 1;
        c.pos = 0;
        c.err = NULL; /* a branch the writing pass finds out of reach fails where it is emitted */
        rc = emit(&c);
        if (!rc && c.err)
            rc = MBPF_JIT_ERR_UNSUPPORTED;
    }
    if (!rc && (c.overflow || c.pos != measured)) {
        res->err = "internal error: passes disagree on code size";
        return MBPF_JIT_ERR_UNSUPPORTED;
    }
    if (rc) {
        res->err = c.err ? c.err : "translation failed";
        res->err_pc = c.err_pc;
        return rc;
    }
    res->code_len = c.pos;
    res->entry_off = 0;
    mid_loops_left(p, facts, c.loops, &res->guards_left, &res->budget_left);
    if (opts && opts->insn_offsets)
        memcpy(opts->insn_offsets, c.insn_off, ((size_t)p->n_insns + 1) * sizeof(uint32_t));
    return MBPF_JIT_OK;
}
