/* bpfverify: run the device verifier on the host and show its verdict, its figures and, on
 * request, the facts it hands to the translators for every instruction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/loader.h"
#include "mcubpf/verifier.h"

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s PROG [--section NAME] [--ctx rw|ro|none] [--ctx-min BYTES] [--helpers MASK]\n"
            "       [--max-insns N] [--rodata BYTES] [--data BYTES] [--facts]\n"
            "Verify PROG (ELF object from clang -target bpf, or raw bytecode) as the device would and\n"
            "print the verdict: the reason of a rejection, or the figures of an accepted program.\n"
            "  --section NAME   program section or function (default: the only one)\n"
            "  --ctx MODE       access the embedder grants to the context (default rw)\n"
            "  --ctx-min BYTES  the embedder promises contexts of at least BYTES bytes (default 0)\n"
            "  --helpers MASK   helper ids (bit n = id n, 0..63) the program may call (default: all)\n"
            "  --max-insns N    program size limit (default 65536)\n"
            "  --rodata BYTES, --data BYTES  sizes of the regions of raw bytecode (default 0)\n"
            "  --facts          list every instruction with its facts\n"
            "Exit status: 0 accepted, 1 usage or I/O error, 2 rejected.\n",
            prog);
}

static const char *const region_names[] = {"stack", "ctx", "rodata", "data", "extra"};

static void list_facts(const mbpf_program *p, const mbpf_fact *facts)
{
    char dis[64];
    for (uint32_t pc = 0; pc < p->n_insns; pc++) {
        const mbpf_fact *f = &facts[pc];
        if (!(f->flags & MBPF_FACT_REACHABLE))
            continue;
        mbpf_disasm(&p->insns[pc], pc + 1 < p->n_insns ? &p->insns[pc + 1] : NULL, dis, sizeof dis);
        printf("%5u%s %-28s", pc, (f->flags & MBPF_FACT_JUMP_TARGET) ? ">" : " ", dis);
        const char *region = f->region < 5 ? region_names[f->region] : "?";
        if (f->mem == MBPF_MEM_PROVEN)
            printf(" proven in %s", region);
        else if (f->mem == MBPF_MEM_GUARD_REGION)
            printf(" guard (%s)", region);
        else if (f->mem == MBPF_MEM_GUARD_ANY)
            printf(" guard (any region)");
        if (f->flags & MBPF_FACT_ALIGNED)
            printf(" aligned");
        if (f->flags & MBPF_FACT_HI_ZERO)
            printf(" hi32=0");
        if (f->flags & MBPF_FACT_LOOP_HEAD)
            printf(" loop head: %u trips", MBPF_FACT_TRIPS(f));
        if (f->flags & MBPF_FACT_BACKEDGE)
            printf((f->flags & MBPF_FACT_BOUNDED) ? " loop: bounded" : " loop: budgeted");
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    const char *in = NULL, *section = NULL;
    mbpf_verify_opts opts = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    int show_facts = 0;
    uint32_t rodata_len = 0, data_len = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, self);
            return 0;
        } else if (!strcmp(a, "--facts")) {
            show_facts = 1;
        } else if (!strcmp(a, "--section") && v) {
            section = argv[++i];
        } else if (!strcmp(a, "--ctx") && v) {
            i++;
            opts.ctx_flags = !strcmp(v, "rw") ? (MBPF_REGION_R | MBPF_REGION_W)
                             : !strcmp(v, "ro") ? MBPF_REGION_R
                             : !strcmp(v, "none") ? 0u : 99u;
            if (opts.ctx_flags == 99u) {
                fprintf(stderr, "%s: --ctx takes rw, ro or none\n", self);
                return 1;
            }
        } else if (!strcmp(a, "--rodata") && v) {
            rodata_len = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--data") && v) {
            data_len = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--max-insns") && v) {
            opts.max_insns = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--ctx-min") && v) {
            opts.ctx_min_len = (uint32_t)strtoul(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--helpers") && v) {
            opts.helper_mask_lo = strtoull(argv[++i], NULL, 0);
            opts.helper_mask_hi = 0;
        } else if (a[0] == '-' || in) {
            usage(stderr, self);
            return 1;
        } else {
            in = a;
        }
    }
    if (!in) {
        usage(stderr, self);
        return 1;
    }
    char err[256];
    mbpf_loaded l;
    if (mbpf_load_file(in, section, &l, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", self, err);
        return 1;
    }
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
    void *arena = malloc(need);
    mbpf_fact *facts = calloc(p->n_insns ? p->n_insns : 1, sizeof *facts);
    mbpf_verify_result r;
    int rc = 1;
    if (!arena || !facts) {
        fprintf(stderr, "%s: out of memory\n", self);
    } else if (mbpf_verify(p, &opts, facts, arena, need, &r)) {
        printf("%s\n", r.msg);
        rc = 2;
    } else {
        if (show_facts)
            list_facts(p, facts);
        printf("accepted: %u instructions; memory accesses proven %u/%u; results with a known-zero "
               "upper half %u/%u (alu32 %u/%u); loops bounded %u/%u; %u sweeps, %u states, arena "
               "%zu bytes\n",
               p->n_insns, r.mem_proven, r.mem_accesses, r.alu_hi_zero, r.alu_results,
               r.alu32_hi_zero, r.alu32_results, r.loops_bounded, r.loops, r.sweeps, r.states, need);
        rc = 0;
    }
    free(arena);
    free(facts);
    free(zeros);
    mbpf_loaded_free(&l);
    return rc;
}
