/* bpfrun: load, verify and run an eBPF program, on the host or on an emulated device.
 * Output contract: r0 as 0x... on the last stdout line (exit 0); rejected: one line on stderr,
 * exit 2; run-time fault: one line on stderr, exit 3; usage or internal error: exit 1. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/loader.h"
#include "aot/target_run.h"
#include "mcubpf/interp.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"

#define DEFAULT_BUDGET 10000000ull

static void usage(FILE *f)
{
    fprintf(f,
            "usage: bpfrun [options] PROG\n"
            "Load PROG (an ELF object from clang -target bpf, or raw bytecode), verify it and run it.\n"
            "  --mem FILE        r1 points to a writable copy of FILE, r2 holds its length (else 0, 0)\n"
            "  --section NAME    program section or function in an ELF object (default: the only one)\n"
            "  --budget N        budget units: back edges, calls, loop entries (default %llu, 0 = unlimited)\n"
            "  --stats           print statistics on stderr (insns: N, ...)\n"
            "  --target T        host (default), thumb2 or rv32imc (emulated in QEMU)\n"
            "  --engine E        interp (default), jit or aot\n"
            "  -h, --help        this text\n"
            "Prints r0 as 0x... on the last line of stdout. Exit status: 0 ok, 1 usage, 2 rejected,\n"
            "3 fault at run time.\n",
            DEFAULT_BUDGET);
}

/* Fault line: what, where (pc and disassembly), address and size. */
static void print_fault(const mbpf_program *p, const mbpf_exec *x)
{
    char dis[64] = "?";
    if (x->fault.pc < p->n_insns)
        mbpf_disasm(&p->insns[x->fault.pc],
                    x->fault.pc + 1 < p->n_insns ? &p->insns[x->fault.pc + 1] : NULL, dis, sizeof dis);
    fprintf(stderr, "bpfrun: fault: %s at insn %u (%s)", mbpf_status_name(x->status), x->fault.pc, dis);
    if (x->status == MBPF_FAULT_MEM_READ || x->status == MBPF_FAULT_MEM_WRITE)
        fprintf(stderr, ", address 0x%" PRIx64 ", size %u", x->fault.addr, x->fault.size);
    else if (x->status == MBPF_FAULT_HELPER)
        fprintf(stderr, ", helper id %" PRIu64, x->fault.addr);
    fputc('\n', stderr);
}

static int run_host(const mbpf_program *p, const mbpf_fact *facts, uint8_t *mem, size_t mem_len,
                    uint64_t budget, int stats)
{
    static uint8_t stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH] __attribute__((aligned(8)));
    mbpf_exec x;
    memset(&x, 0, sizeof x);
    x.prog = p;
    x.ctx = mem_len ? mem : NULL;
    x.ctx_len = (uint32_t)mem_len;
    x.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    x.stack = stack;
    x.stack_len = sizeof stack;
    x.helpers = mbpf_test_helpers;
    x.n_helpers = MBPF_TEST_HELPER_COUNT;
    x.budget = budget;
    x.facts = facts; /* checked against what happens (MBPF_INTERP_CHECK_FACTS) */
    mbpf_exec_reset(&x);
    /* verified: pre-decoded, as on a device */
    size_t need = mbpf_interp_size(p, facts);
    void *code = need ? malloc(need) : NULL;
    if (!code || mbpf_interp_prepare(p, facts, code, need)) {
        fprintf(stderr, "bpfrun: program not pre-decoded\n");
        free(code);
        return 1;
    }
    mbpf_status s = mbpf_interp_exec(&x, code);
    free(code);
    if (stats)
        fprintf(stderr, "code_bytes: %zu\n", need);
    if (stats)
        fprintf(stderr, "insns: %" PRIu64 "\n", x.insns_executed);
    if (s != MBPF_OK) {
        print_fault(p, &x);
        return 3;
    }
    printf("0x%" PRIx64 "\n", x.r0);
    return 0;
}

int main(int argc, char **argv)
{
    const char *mem_path = NULL, *section = NULL, *prog_path = NULL;
    const char *target = "host", *engine = "interp";
    uint64_t budget = DEFAULT_BUDGET;
    int stats = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--mem") && has_val) {
            mem_path = argv[++i];
        } else if (!strcmp(a, "--section") && has_val) {
            section = argv[++i];
        } else if (!strcmp(a, "--budget") && has_val) {
            char *end;
            budget = strtoull(argv[++i], &end, 0);
            if (*end) {
                fprintf(stderr, "bpfrun: bad --budget value '%s'\n", argv[i]);
                return 1;
            }
        } else if (!strcmp(a, "--stats")) {
            stats = 1;
        } else if (!strcmp(a, "--target") && has_val) {
            target = argv[++i];
        } else if (!strcmp(a, "--engine") && has_val) {
            engine = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bpfrun: unknown or incomplete option '%s' (see --help)\n", a);
            return 1;
        } else if (!prog_path) {
            prog_path = a;
        } else {
            fprintf(stderr, "bpfrun: more than one program given (see --help)\n");
            return 1;
        }
    }
    if (!prog_path) {
        usage(stderr);
        return 1;
    }
    if (strcmp(engine, "interp") && strcmp(engine, "jit") && strcmp(engine, "aot")) {
        fprintf(stderr, "bpfrun: unknown engine '%s' (interp, jit, aot)\n", engine);
        return 1;
    }
    if (strcmp(target, "host") && strcmp(target, "thumb2") && strcmp(target, "rv32imc")) {
        fprintf(stderr, "bpfrun: unknown target '%s' (host, thumb2, rv32imc)\n", target);
        return 1;
    }
    if (!strcmp(target, "host") && strcmp(engine, "interp")) {
        fprintf(stderr, "bpfrun: engine '%s' needs --target thumb2 or rv32imc\n", engine);
        return 1;
    }

    char err[256];
    mbpf_loaded prog;
    if (mbpf_load_file(prog_path, section, &prog, err, sizeof err)) {
        fprintf(stderr, "bpfrun: %s\n", err);
        return 2;
    }
    uint8_t *mem = NULL;
    size_t mem_len = 0;
    if (mem_path) {
        mem = mbpf_read_file(mem_path, &mem_len, err, sizeof err);
        if (!mem) {
            fprintf(stderr, "bpfrun: %s\n", err);
            mbpf_loaded_free(&prog);
            return 1;
        }
        if (mem_len > UINT32_MAX) {
            fprintf(stderr, "bpfrun: memory file too large\n");
            return 1;
        }
    }

    int rc;
    if (strcmp(target, "host")) {
        rc = mbpf_target_run(target, engine, &prog.prog, mem, mem_len, budget, stats);
    } else {
        mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                                 MBPF_REGION_R | MBPF_REGION_W, 0};
        mbpf_verify_result vr;
        size_t arena_size = mbpf_verify_arena_size(prog.prog.n_insns);
        void *arena = malloc(arena_size);
        mbpf_fact *facts = calloc(prog.prog.n_insns, sizeof *facts);
        if (!arena || !facts) {
            fprintf(stderr, "bpfrun: out of memory\n");
            rc = 1;
        } else if (mbpf_verify(&prog.prog, &opts, facts, arena, arena_size, &vr)) {
            fprintf(stderr, "bpfrun: %s\n", vr.msg);
            rc = 2;
        } else {
            if (stats)
                fprintf(stderr, "verify: %u of %u memory accesses proven, %u of %u alu/load results "
                        "with a known-zero upper half (alu32 %u of %u), %u of %u back edges bounded, "
                        "%u sweeps, %u states\n",
                        vr.mem_proven, vr.mem_accesses, vr.alu_hi_zero, vr.alu_results, vr.alu32_hi_zero,
                        vr.alu32_results, vr.loops_bounded, vr.loops, vr.sweeps, vr.states);
            rc = run_host(&prog.prog, facts, mem, mem_len, budget, stats);
        }
        free(arena);
        free(facts);
    }
    free(mem);
    mbpf_loaded_free(&prog);
    return rc;
}
