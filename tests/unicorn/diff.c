/* The differential check of one program on every engine (diff.h). */
#include "tests/unicorn/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/jit.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "tests/exec_setup.h"
#include "tests/unicorn/emu.h"
#include "tests/unicorn/sandbox.h"

#define EMU_TIMEOUT_US 20000000u /* a run that wanders off (a wrong jump) must not hang the fuzzer;
                                 * far above any real run, even on a loaded machine */

static emu *engines[2];
static const mbpf_target targets[2] = {MBPF_TARGET_THUMB2, MBPF_TARGET_RV32IMC};
static const char *target_names[2] = {"thumb2", "rv32"};

static mbpf_fact facts[MBPF_MAX_INSNS], forged[MBPF_MAX_INSNS];
static uint8_t code[2][SB_CODE_LEN];
static void *arena;
static size_t arena_size;

const char *diff_class_name(diff_class c)
{
    static const char *names[DIFF_NCLASS] = {
        "cross-tenant write", "sandbox escape", "mismatch", "budget-rule difference",
        "interpreter outside the sandbox", "agree", "rejected", "not translated"};
    return c < DIFF_NCLASS ? names[c] : "?";
}

const mbpf_fact *diff_last_facts(void)
{
    return facts;
}

int diff_init(void)
{
    if (sb_init())
        return -1;
    for (int t = 0; t < 2; t++)
        if (!(engines[t] = emu_open(targets[t])))
            return -1;
    return 0;
}

void diff_strict_align(void)
{
    emu_strict_align(engines[1]);
}

static void *arena_for(size_t n)
{
    if (n > arena_size) {
        free(arena);
        arena = malloc(n);
        arena_size = arena ? n : 0;
    }
    return arena;
}

/* What one engine's run left behind. */
typedef struct run_out {
    mbpf_status status;
    uint64_t r0;
    mbpf_fault fault;
    emu_trap trap;
    uint32_t damage; /* first changed guard or victim byte, 0 = none */
    uint8_t stack[SB_STACK_LEN], ctx[SB_CTX_MAX], data[SB_DATA_MAX];
} run_out;

static run_out outs[3];

static void start_run(const diff_input *in, const sb_layout *l, mbpf_program *p, mbpf_exec *x)
{
    sb_reset(l, in->rodata, in->data);
    test_exec_init(x, p, sb_ptr(sb_region_start(SB_RGN_CTX)), in->ctx_len, sb_ptr(sb_region_start(SB_RGN_STACK)),
                   SB_STACK_LEN, in->budget, facts);
}

static void end_run(const diff_input *in, const sb_layout *l, const mbpf_exec *x, mbpf_status s,
                    run_out *o)
{
    o->status = s;
    o->r0 = x->r0;
    o->fault = x->fault;
    o->damage = sb_guard_damage(l);
    memcpy(o->stack, sb_ptr(sb_region_start(SB_RGN_STACK)), SB_STACK_LEN);
    memcpy(o->ctx, sb_ptr(sb_region_start(SB_RGN_CTX)), in->ctx_len);
    memcpy(o->data, sb_ptr(sb_region_start(SB_RGN_DATA)), in->data_len);
}

static int is_mem_fault(mbpf_status s)
{
    return s == MBPF_FAULT_MEM_READ || s == MBPF_FAULT_MEM_WRITE;
}

static void describe(const sb_layout *l, const char *who, const run_out *o, char *buf, size_t n)
{
    char where[96];
    if (o->status == MBPF_OK) {
        snprintf(buf, n, "%s: ok r0=0x%llx", who, (unsigned long long)o->r0);
    } else if (is_mem_fault(o->status)) {
        sb_describe(l, o->fault.addr, where, sizeof where);
        snprintf(buf, n, "%s: %s at pc %u, %s, size %u", who, mbpf_status_name(o->status),
                 (unsigned)o->fault.pc, where, (unsigned)o->fault.size);
    } else {
        snprintf(buf, n, "%s: %s at pc %u (0x%llx)", who, mbpf_status_name(o->status),
                 (unsigned)o->fault.pc, (unsigned long long)o->fault.addr);
    }
}

static const char *first_memory_difference(const diff_input *in, const run_out *a, const run_out *b,
                                           uint32_t *off)
{
    struct { const char *name; const uint8_t *x, *y; uint32_t len; } rg[3] = {
        {"stack", a->stack, b->stack, SB_STACK_LEN},
        {"ctx", a->ctx, b->ctx, in->ctx_len},
        {"data", a->data, b->data, in->data_len},
    };
    for (int i = 0; i < 3; i++)
        if (memcmp(rg[i].x, rg[i].y, rg[i].len))
            for (uint32_t k = 0; k < rg[i].len; k++)
                if (rg[i].x[k] != rg[i].y[k]) {
                    *off = k;
                    return rg[i].name;
                }
    return NULL;
}

/* Compare target t's run with the interpreter's; DIFF_AGREE or the finding. */
static diff_class compare(const diff_input *in, const sb_layout *l, int t, const run_out *ref,
                          const run_out *o, diff_result *r)
{
    char a[160], b[224], where[96];
    const char *name = target_names[t];
    describe(l, "interp", ref, a, sizeof a);
    r->target = targets[t];
    if (o->damage) {
        sb_describe(l, o->damage, where, sizeof where);
        int victim = o->damage >= SB_VICTIM_MAP && o->damage < SB_VICTIM_MAP + SB_MAP_LEN;
        snprintf(r->msg, sizeof r->msg, "%s: %s changed at %s; %s", name,
                 victim ? "another tenant's memory" : "a guard zone", where, a);
        return victim ? DIFF_VICTIM : DIFF_ESCAPE;
    }
    if (o->trap.kind != EMU_TRAP_NONE) {
        sb_describe(l, o->trap.addr, where, sizeof where);
        int escape = o->trap.kind == EMU_TRAP_READ || o->trap.kind == EMU_TRAP_WRITE ||
                     o->trap.kind == EMU_TRAP_FETCH;
        snprintf(r->msg, sizeof r->msg, "%s: %s (%s, size %u, native pc +0x%x); %s", name,
                 emu_trap_name(o->trap.kind), where, (unsigned)o->trap.size,
                 (unsigned)o->trap.native_pc, a);
        return escape ? DIFF_ESCAPE : DIFF_MISMATCH;
    }
    describe(l, name, o, b, sizeof b);
    int same = o->status == ref->status;
    if (same && o->status == MBPF_OK)
        same = o->r0 == ref->r0;
    else if (same)
        same = o->fault.pc == ref->fault.pc &&
               (!is_mem_fault(o->status) ||
                ((uint32_t)o->fault.addr == (uint32_t)ref->fault.addr && o->fault.size == ref->fault.size)) &&
               (o->status != MBPF_FAULT_HELPER || o->fault.addr == ref->fault.addr);
    if (!same) {
        snprintf(r->msg, sizeof r->msg, "%s; %s", a, b);
        if (o->status == MBPF_FAULT_BUDGET || ref->status == MBPF_FAULT_BUDGET)
            return DIFF_BUDGET;
        return DIFF_MISMATCH;
    }
    uint32_t off;
    const char *rg = first_memory_difference(in, ref, o, &off);
    if (rg) {
        snprintf(r->msg, sizeof r->msg, "%s: %s+%u differs after the run (both: %s)", name, rg,
                 (unsigned)off, a);
        return DIFF_MISMATCH;
    }
    return DIFF_AGREE;
}

diff_class diff_check(const diff_input *in, diff_result *r)
{
    memset(r, 0, sizeof *r);
    if (in->ctx_len > SB_CTX_MAX || in->rodata_len > SB_RODATA_MAX || in->data_len > SB_DATA_MAX ||
        in->n_insns == 0 || in->n_insns > MBPF_MAX_INSNS) {
        snprintf(r->msg, sizeof r->msg, "input does not fit the sandbox");
        return r->cls = DIFF_REJECTED;
    }
    sb_layout l = {in->ctx_len, in->rodata_len, in->data_len};
    mbpf_program p = {in->insns, in->n_insns, in->rodata_len ? sb_ptr(sb_region_start(SB_RGN_RODATA)) : NULL,
                      in->rodata_len, in->data_len ? sb_ptr(sb_region_start(SB_RGN_DATA)) : NULL,
                      in->data_len};
    sb_reset(&l, in->rodata, in->data); /* the verifier reads the program's data */
    mbpf_verify_opts vo = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    size_t need = mbpf_verify_arena_need(&p), work = mbpf_jit_work_size(in->n_insns);
    void *ar = arena_for(need > work ? need : work);
    if (!ar) {
        snprintf(r->msg, sizeof r->msg, "out of memory");
        return r->cls = DIFF_REJECTED;
    }
    if (mbpf_verify(&p, &vo, facts, ar, need, &vr)) {
        snprintf(r->msg, sizeof r->msg, "%s", vr.msg);
        return r->cls = DIFF_REJECTED;
    }
    const mbpf_fact *tf = facts;
    if (in->forge_proven) {
        for (uint32_t i = 0; i < in->n_insns; i++) {
            forged[i] = facts[i];
            if (forged[i].mem == MBPF_MEM_GUARD_REGION || forged[i].mem == MBPF_MEM_GUARD_ANY)
                forged[i].mem = MBPF_MEM_PROVEN;
        }
        tf = forged;
    }
    mbpf_jit_result jr[2];
    for (int t = 0; t < 2; t++)
        if (mbpf_jit_translate(targets[t], &p, tf, NULL, code[t], sizeof code[t], ar, work, &jr[t])) {
            snprintf(r->msg, sizeof r->msg, "%s: insn %u: %s", target_names[t], (unsigned)jr[t].err_pc,
                     jr[t].err ? jr[t].err : "translation failed");
            r->target = targets[t];
            return r->cls = DIFF_UNTRANSLATED;
        }

    mbpf_exec x;
    start_run(in, &l, &p, &x);
    end_run(in, &l, &x, mbpf_interp_run(&x), &outs[2]);
    r->interp_status = outs[2].status;
    if (outs[2].damage) {
        char where[96];
        sb_describe(&l, outs[2].damage, where, sizeof where);
        snprintf(r->msg, sizeof r->msg, "interp: a guard zone changed at %s", where);
        return r->cls = DIFF_TRAP;
    }
    diff_class worst = DIFF_AGREE;
    for (int t = 0; t < 2; t++) {
        emu_load(engines[t], code[t], jr[t].code_len);
        start_run(in, &l, &p, &x);
        mbpf_status s = emu_run(engines[t], &x, jr[t].entry_off, EMU_TIMEOUT_US, &outs[t].trap);
        end_run(in, &l, &x, s, &outs[t]);
        r->emu_runs++;
        diff_result rt;
        memset(&rt, 0, sizeof rt);
        diff_class c = compare(in, &l, t, &outs[2], &outs[t], &rt);
        if (c < worst) {
            worst = c;
            r->target = rt.target;
            memcpy(r->msg, rt.msg, sizeof r->msg);
        }
    }
    return r->cls = worst;
}
