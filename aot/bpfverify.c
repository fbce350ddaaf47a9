/* bpfverify: run the device's load-time check (its profile and the verifier) on the host and show
 * the verdict, its figures and, on request, the facts it hands to the translators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/cert_tool.h"
#include "aot/file_kind.h"
#include "aot/profile_args.h"
#include "aot/tool_args.h"
#include "aot/version.h"
#include "mcubpf/cert.h"
#include "mcubpf/profile.h"
#include "mcubpf/verifier.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s PROG [--section NAME] [--raw] [profile options] [--facts] [--loops]\n"
            "Check PROG (an eBPF ELF object from clang -target bpf, a bytecode container, or raw\n"
            "bytecode) as the device does when it loads it, and print the verdict: the reason of a\n"
            "rejection, or the figures of an accepted program.\n"
            "  --section NAME   program section or function (default: the only one)\n"
            "  --raw            PROG is raw bytecode, whatever it looks like\n"
            "  --rodata BYTES, --data BYTES  sizes of the regions of raw bytecode (default 0)\n"
            "  --max-insns N    program size limit (default 65536)\n"
            "  --facts          list every instruction with its facts\n"
            "  --loops          list every back edge: its loop's head, class (bounded by a\n"
            "                   constant, countable by the context length, or budgeted), trip\n"
            "                   bound and induction variable\n"
            "  --cert           print the verifier certificate (the container's, else one written\n"
            "                   here by the full verifier)\n"
            "  --check-cert     check through the certificate as a device without the full\n"
            "                   verifier does (one pass); the facts must equal the full verifier's\n"
            "  --strict         (profile) reject unless every memory access is proven; lists each\n"
            "                   access that is not\n",
            prog);
    mbpf_tool_profile_usage(f);
    fprintf(f,
            "  -h, --help       this text;  --version  the version\n"
            "Exit status: 0 accepted, 1 usage or I/O error, 2 rejected (file, profile or verifier).\n");
}

static const char *const region_names[] = {"stack", "ctx", "rodata", "data", "extra"};

static void print_mem_fact(const mbpf_fact *f)
{
    const char *region = f->region < 5 ? region_names[f->region] : "?";
    if (f->mem == MBPF_MEM_PROVEN)
        printf(" proven in %s", region);
    else if (f->mem == MBPF_MEM_GUARD_REGION)
        printf(" guard (%s)", region);
    else if (f->mem == MBPF_MEM_GUARD_ANY)
        printf(" guard (any region)");
}

static void print_line(const mbpf_loaded *l, uint32_t pc)
{
    const char *file;
    uint32_t line;
    if (!mbpf_loaded_source_line(l, pc, &file, &line))
        printf("  [%s:%u]", file, line);
}

static void list_facts(const mbpf_loaded *l, const mbpf_program *p, const mbpf_fact *facts)
{
    char dis[64];
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_fact *f = &facts[pc];
        if (!(f->flags & MBPF_FACT_REACHABLE))
            continue;
        mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
        printf("%5u%s %-28s", pc, (f->flags & MBPF_FACT_JUMP_TARGET) ? ">" : " ", dis);
        print_mem_fact(f);
        if (f->flags & MBPF_FACT_ALIGNED)
            printf(" aligned");
        if (f->flags & MBPF_FACT_HI_ZERO)
            printf(" hi32=0");
        if (f->flags & MBPF_FACT_LOOP_HEAD)
            printf(" loop head: %u trips", MBPF_FACT_TRIPS(f));
        if (f->flags & MBPF_FACT_BACKEDGE)
            printf((f->flags & MBPF_FACT_BOUNDED) ? " loop: bounded" : " loop: budgeted");
        print_line(l, pc);
        printf("\n");
    }
}

/* --loops: the loop table, one line per back edge. */
static int list_loops(const mbpf_program *p, const mbpf_profile *pr, void *arena, size_t arena_len)
{
    mbpf_verify_opts o;
    mbpf_verify_result r;
    mbpf_loop *loops = calloc(p->n_insns ? p->n_insns : 1, sizeof *loops);
    mbpf_profile_opts(pr, &o);
    if (!loops || mbpf_verify_loops(p, &o, NULL, loops, p->n_insns, arena, arena_len, &r)) {
        free(loops);
        return -1; /* accepted a moment ago: only memory can fail here */
    }
    char dis[64];
    for (uint32_t i = 0; i < r.loops && i < p->n_insns; i++) {
        const mbpf_loop *l = &loops[i];
        mbpf_disasm(&p->insns[l->latch], NULL, dis, sizeof dis);
        printf("loop %u: back edge %u (%s) to %u: ", i + 1, l->latch, dis, l->head);
        if (l->cls != MBPF_LOOP_UNBOUNDED)
            printf("exit test %u, ", l->test);
        if (l->cls == MBPF_LOOP_CONSTANT)
            printf("bounded, at most %u trips", l->trips);
        else if (l->cls == MBPF_LOOP_COUNTABLE)
            printf("countable, at most (LEN %c %lld) / %u + 1 trips", l->len_add < 0 ? '-' : '+',
                   (long long)(l->len_add < 0 ? -l->len_add : l->len_add), l->len_div);
        else
            printf("budgeted (no bound known)");
        if (l->iv_kind != MBPF_IV_NONE && l->iv_reg != MBPF_IV_NO_REG) {
            printf("; r%u %s %d at %u", l->iv_reg, l->iv_kind == MBPF_IV_ADD ? "+=" : ">>=", l->iv_step,
                   l->iv_update);
            if (l->iv_start_known)
                printf(", from %llu", (unsigned long long)l->iv_start);
        }
        printf("\n");
    }
    free(loops);
    return 0;
}

/* --strict: every access the verifier could not prove, with its source line when known. */
static void list_unproven(const mbpf_loaded *l, const mbpf_program *p, const mbpf_fact *facts)
{
    char dis[64];
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_fact *f = &facts[pc];
        if (f->mem != MBPF_MEM_GUARD_REGION && f->mem != MBPF_MEM_GUARD_ANY)
            continue;
        mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
        printf("  not proven: insn %u (%s):", pc, dis);
        print_mem_fact(f);
        print_line(l, pc);
        printf("\n");
    }
}

/* --check-cert: the checker's verdict on the certificate, and with an accepting full verifier
 * the same verdict and the same facts. Returns 0 with *checked = 1 (accepted) or -1 (rejected,
 * res says why), or 3 when checker and full verifier disagree (res->msg says where). */
static int cert_vs_full(const mbpf_program *p, const mbpf_profile *pr, const uint8_t *cert,
                        size_t cert_len, void *arena, size_t arena_len, mbpf_fact *facts,
                        mbpf_verify_result *res, int *checked)
{
    mbpf_fact *full = calloc(p->n_insns, sizeof *full);
    mbpf_verify_result fr;
    if (!full)
        return 1;
    int frc = mbpf_profile_check(p, pr, full, arena, arena_len, &fr);
    int crc = mbpf_profile_check_cert(p, pr, cert, cert_len, facts, arena, arena_len, res);
    int rc = 0;
    *checked = crc ? -1 : 1;
    if (!frc && crc) {
        /* keep the checker's line: it is what the device would say */
    } else if (frc && !crc) {
        snprintf(res->msg, sizeof res->msg, "check-cert: the checker accepts what the full verifier rejects (%.120s)", fr.msg);
        rc = 3;
    } else if (!frc) {
        for (uint32_t pc = 0; pc < p->n_insns && !rc; pc++)
            if (memcmp(&full[pc], &facts[pc], sizeof *full)) {
                snprintf(res->msg, sizeof res->msg,
                         "check-cert: facts differ at insn %u (full %02x/%02x/%02x/%02x, checked %02x/%02x/%02x/%02x)",
                         pc, full[pc].mem, full[pc].region, full[pc].flags, full[pc].aux, facts[pc].mem,
                         facts[pc].region, facts[pc].flags, facts[pc].aux);
                rc = 3;
            }
        if (!rc && (fr.mem_proven != res->mem_proven || fr.loops_bounded != res->loops_bounded ||
                    fr.alu_hi_zero != res->alu_hi_zero)) {
            snprintf(res->msg, sizeof res->msg, "check-cert: figures differ");
            rc = 3;
        }
        res->sweeps = fr.sweeps;
        res->states = fr.states;
    }
    free(full);
    return rc;
}

static int parse_size(const char *self, const char *opt, const char *v, uint32_t *out)
{
    uint64_t n;
    if (mbpf_parse_u64(v, &n) || n > UINT32_MAX) {
        fprintf(stderr, "%s: %s: '%s' is not a number\n", self, opt, v);
        return -1;
    }
    *out = (uint32_t)n;
    return 0;
}

typedef struct verify_options {
    const char *self;
    int show_facts, show_cert, check_cert, show_loops;
    uint32_t rodata_len, data_len;
} verify_options;

static int own_option(void *ctx, int argc, char **argv, int *i)
{
    verify_options *o = ctx;
    const char *a = argv[*i];
    const int has_value = *i + 1 < argc;
    if (!strcmp(a, "--facts"))
        o->show_facts = 1;
    else if (!strcmp(a, "--loops"))
        o->show_loops = 1;
    else if (!strcmp(a, "--cert"))
        o->show_cert = 1;
    else if (!strcmp(a, "--check-cert"))
        o->check_cert = 1;
    else if (!strcmp(a, "--rodata") && has_value)
        return parse_size(o->self, a, argv[++*i], &o->rodata_len) ? -1 : 1;
    else if (!strcmp(a, "--data") && has_value)
        return parse_size(o->self, a, argv[++*i], &o->data_len) ? -1 : 1;
    else
        return 0;
    return 1;
}

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    verify_options o = {self, 0, 0, 0, 0, 0, 0};
    static mbpf_tool_profile tp;
    mbpf_tool_args args;
    int ar = mbpf_tool_args_parse(&args, &tp, 0, argc, argv, usage, own_option, &o);
    if (ar != MBPF_ARGS_RUN)
        return ar == MBPF_ARGS_DONE ? 0 : 1;
    const char *in = args.in;
    const int show_facts = o.show_facts, show_cert = o.show_cert, check_cert = o.check_cert;
    const uint32_t rodata_len = o.rodata_len, data_len = o.data_len;
    if (!in) {
        usage(stderr, self);
        return 1;
    }
    mbpf_loaded l;
    if (mbpf_tool_load(&args, &l))
        return 2;
    mbpf_program prog = l.prog;
    const mbpf_program *p = &prog;
    uint8_t *zeros = calloc(1, (size_t)rodata_len + data_len + 1);
    if (zeros && rodata_len && !prog.rodata_len) { /* raw bytecode: regions of the given sizes */
        prog.rodata = zeros;
        prog.rodata_len = rodata_len;
    }
    if (zeros && data_len && !prog.data_len) {
        prog.data = zeros + rodata_len;
        prog.data_len = data_len;
    }
    size_t need = mbpf_verify_arena_need(p);
    if (need < p->n_insns)
        need = p->n_insns;
    size_t check_need = mbpf_check_arena_size(p->n_insns);
    void *arena = malloc(need > check_need ? need : check_need);
    mbpf_fact *facts = calloc(p->n_insns ? p->n_insns : 1, sizeof *facts);
    mbpf_verify_result r;
    int rc = 1, checked = 0;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    if (arena && facts && (show_cert || check_cert)) {
        rc = mbpf_tool_cert(&l, p, &tp.p, arena, need, &cert, &cert_len, check_cert, r.msg, sizeof r.msg);
        if (rc == 0 && show_cert)
            mbpf_cert_print(stdout, p, cert, cert_len);
        if (rc == 0 && check_cert)
            rc = cert_vs_full(p, &tp.p, cert, cert_len, arena, need > check_need ? need : check_need,
                              facts, &r, &checked);
        if (rc == 0 && show_cert && !check_cert) {
            rc = 1; /* printed; nothing else asked */
            goto done_ok;
        }
    }
    if (!arena || !facts) {
        fprintf(stderr, "%s: out of memory\n", self);
    } else if (rc == 3) {
        printf("%s\n", r.msg);
    } else if (rc == 4) {
        fprintf(stderr, "%s: %s\n", self, r.msg);
        rc = 2;
    } else if (checked ? checked < 0 : mbpf_profile_check(p, &tp.p, facts, arena, need, &r)) {
        printf("%s", r.msg);
        print_line(&l, r.pc);
        printf("\n");
        if ((tp.p.flags & MBPF_PROFILE_STRICT) && strstr(r.msg, "not proven"))
            list_unproven(&l, p, facts);
        rc = 2;
    } else {
        if (show_facts)
            list_facts(&l, p, facts);
        if (o.show_loops && list_loops(p, &tp.p, arena, need))
            fprintf(stderr, "%s: out of memory listing the loops\n", self);
        printf("accepted: %u instructions; memory accesses proven %u/%u; results with a known-zero "
               "upper half %u/%u (alu32 %u/%u); loops bounded %u/%u; countable by the context length %u; "
               "%u sweeps, %u states, arena %zu bytes\n",
               p->n_insns, r.mem_proven, r.mem_accesses, r.alu_hi_zero, r.alu_results,
               r.alu32_hi_zero, r.alu32_results, r.loops_bounded, r.loops, r.loops_countable, r.sweeps,
               r.states, need);
        if (checked)
            printf("checked through a certificate of %zu bytes (%.2fx the bytecode), work arena %zu "
                   "bytes + %zu for facts\n", cert_len, (double)cert_len / (8.0 * p->n_insns), check_need,
                   (size_t)p->n_insns * sizeof(mbpf_fact));
        rc = 0;
    }
    if (0) {
done_ok:
        rc = 0;
    }
    free(cert);
    free(arena);
    free(facts);
    free(zeros);
    mbpf_loaded_free(&l);
    return rc;
}
