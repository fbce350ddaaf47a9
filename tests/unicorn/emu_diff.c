/* emu-diff: the deterministic driver of the in-process differential fuzzer.
 *
 *   emu-diff [--gen NAME[,NAME...]] [--seed S] [--count N] [--seconds T] [--budget B]
 *            [--minimise DIR] [--allow-budget] [--strict-align] [--forge-proven [--expect-escapes]]
 *            [--verbose] [--dump] [FILE...]
 *
 * Runs programs N seeds from S of each generator (all by default, interleaved) through
 * diff_check, or for T seconds; with FILEs and none of --gen, --count, --seconds, only the FILEs. Each FILE is a regression input (raw bytecode, run with the
 * default memory of gen.h): it passes when the verifier rejects it or every engine agrees.
 * Prints one line per finding kind the first time it is seen (with the seed and the time it
 * took), counts per generator and class, and programs per second. Exit status 1 when there was
 * a finding (a budget-rule difference counts unless --allow-budget), 2 on bad usage. With
 * --minimise, the first program of each generator and class that shows a finding is shrunk and
 * written to DIR/GEN-CLASS-SEED.bin. --strict-align makes misaligned RV32 accesses traps (cores
 * that trap on them); --dump prints each program with the verifier's facts.
 *
 * --forge-proven translates programs as if every guarded access were proven (diff.h): the wild
 * accesses a wrong proof would allow. The translator's defence in depth (jit/mid/mid_access.h)
 * must keep them inside the regions, so this is a finding like any other. --expect-escapes is the
 * oracle's self-test, for the build of this driver whose translator trusts every proof
 * (emu-diff-trusting): the exit status is then inverted, 0 only when both an access outside the
 * sandbox (or a changed guard) and a write into the victim zone were seen, 1 when the oracle
 * missed them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mcubpf/verifier.h"
#include "tests/unicorn/diff.h"
#include "tests/unicorn/gen.h"
#include "tests/unicorn/minimise.h"

static volatile sig_atomic_t current_gen = -1;
static volatile uint32_t current_seed;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The checking interpreter stops the process on a wrong verifier fact: say which program. */
static void on_trap(int sig)
{
    char buf[160];
    int n = snprintf(buf, sizeof buf,
                     "emu-diff: signal %d while checking %s seed %u (a trap in the checking "
                     "interpreter is a wrong verifier fact)\n",
                     sig, current_gen >= 0 ? gen_kinds[current_gen].name : "a regression input",
                     (unsigned)current_seed);
    if (n > 0)
        (void)!write(2, buf, (size_t)n);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int load_file(const char *path, gen_prog *p)
{
    gen_defaults(p);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "emu-diff: cannot open %s\n", path);
        return -1;
    }
    size_t len = fread(p->insns, 1, sizeof p->insns, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    if (more || len == 0 || len % 8) {
        fprintf(stderr, "emu-diff: %s: not raw bytecode of at most %u instructions\n", path,
                GEN_MAX_INSNS);
        return -1;
    }
    p->n = (uint32_t)(len / 8);
    return 0;
}

static int save_file(const char *dir, const char *gen, diff_class c, uint32_t seed, const gen_prog *p)
{
    static const char *short_names[DIFF_NCLASS] = {"victim", "escape", "mismatch", "budget", "interp",
                                                   "agree", "rejected", "untranslated"};
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%s-%u.bin", dir, gen, short_names[c], (unsigned)seed);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p->insns, 8, p->n, f) != p->n) {
        fprintf(stderr, "emu-diff: cannot write %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    printf("  minimised to %u instructions: %s\n", (unsigned)p->n, path);
    return 0;
}

/* The program with the verifier's facts of the last check (for --dump). */
static void dump(const gen_prog *p)
{
    const mbpf_fact *f = diff_last_facts();
    static const char *mem[] = {"", " [proven]", " [guard region]", " [guard any]"};
    for (uint32_t i = 0; i < p->n; i++) {
        char buf[96];
        mbpf_disasm(&p->insns[i], i + 1 < p->n ? &p->insns[i + 1] : NULL, buf, sizeof buf);
        printf("  %3u: %s%s\n", (unsigned)i, buf, f[i].mem < 4 ? mem[f[i].mem] : "");
        if (p->insns[i].code == MBPF_OPC_LDDW)
            i++;
    }
}

static int is_finding(diff_class c, int allow_budget)
{
    return c < DIFF_AGREE && !(allow_budget && c == DIFF_BUDGET);
}

int main(int argc, char **argv)
{
    uint32_t seed = 1, count = 1000;
    double seconds = 0;
    uint64_t budget = 2000;
    const char *gens = NULL, *min_dir = NULL;
    int verbose = 0, allow_budget = 0, strict_align = 0, forge = 0, expect_escapes = 0, n_files = 0, count_given = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--seed") && v) seed = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(a, "--count") && v) count = (uint32_t)strtoul(argv[++i], NULL, 0), count_given = 1;
        else if (!strcmp(a, "--seconds") && v) seconds = strtod(argv[++i], NULL);
        else if (!strcmp(a, "--budget") && v) budget = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(a, "--gen") && v) gens = argv[++i];
        else if (!strcmp(a, "--minimise") && v) min_dir = argv[++i];
        else if (!strcmp(a, "--verbose")) verbose = 1;
        else if (!strcmp(a, "--dump")) verbose = 2;
        else if (!strcmp(a, "--allow-budget")) allow_budget = 1;
        else if (!strcmp(a, "--strict-align")) strict_align = 1;
        else if (!strcmp(a, "--forge-proven")) forge = 1;
        else if (!strcmp(a, "--expect-escapes")) expect_escapes = 1;
        else if (a[0] == '-') {
            fprintf(stderr, "usage: emu-diff [--gen NAME,...] [--seed S] [--count N] [--seconds T] "
                            "[--budget B] [--minimise DIR] [--allow-budget] [--strict-align] "
                            "[--forge-proven [--expect-escapes]] "
                            "[--verbose] [--dump] [FILE...]\n"
                            "generators:");
            for (unsigned g = 0; g < gen_count; g++)
                fprintf(stderr, " %s", gen_kinds[g].name);
            fprintf(stderr, "\n");
            return 2;
        } else files[n_files++] = argv[i];
    }
    int use[32] = {0}, n_use = 0;
    if (gens) {
        char *list = strdup(gens);
        for (char *t = strtok(list, ","); t; t = strtok(NULL, ",")) {
            int g = gen_find(t);
            if (g < 0) {
                fprintf(stderr, "emu-diff: no generator called %s\n", t);
                return 2;
            }
            use[n_use++] = g;
        }
        free(list);
    } else if (!n_files || seconds > 0 || count_given) {
        for (unsigned g = 0; g < gen_count; g++)
            use[n_use++] = (int)g;
    }
    if (diff_init())
        return 2;
    if (strict_align)
        diff_strict_align();
    signal(SIGILL, on_trap);
    signal(SIGTRAP, on_trap);

    static gen_prog prog;
    diff_result r;
    int failed = 0;

    /* regression inputs first */
    for (int i = 0; i < n_files; i++) {
        if (load_file(files[i], &prog)) {
            failed = 1;
            continue;
        }
        current_gen = -1;
        diff_input in = {prog.insns, prog.n, prog.rodata, prog.rodata_len, prog.data, prog.data_len,
                         prog.ctx_len, prog.budget ? prog.budget : budget, forge};
        diff_class c = diff_check(&in, &r);
        int bad = is_finding(c, allow_budget) || c == DIFF_UNTRANSLATED;
        printf("%s %s: %s%s%s\n", bad ? "FAIL" : "ok  ", files[i], diff_class_name(c),
               c == DIFF_AGREE ? "" : ": ", c == DIFF_AGREE ? "" : r.msg);
        failed |= bad;
        if (verbose > 1)
            dump(&prog);
    }

    /* generated programs */
    uint64_t counts[32][DIFF_NCLASS] = {{0}}, stops[32] = {0}, faults[32] = {0};
    int seen[32][DIFF_NCLASS] = {{0}};
    uint64_t total = 0, runs = 0;
    double t0 = now(), elapsed = 0;
    for (uint32_t k = 0; n_use && (seconds > 0 || k < count); k++) {
        if (seconds > 0 && (k & 15) == 0 && now() - t0 >= seconds)
            break;
        for (int u = 0; u < n_use; u++) {
            int g = use[u];
            uint32_t s = seed + k;
            current_gen = g;
            current_seed = s;
            gen_kinds[g].fn(s, &prog);
            diff_input in = {prog.insns, prog.n, prog.rodata, prog.rodata_len, prog.data, prog.data_len,
                             prog.ctx_len, prog.budget ? prog.budget : budget, forge};
            diff_class c = prog.n ? diff_check(&in, &r) : DIFF_REJECTED;
            counts[g][c]++;
            if (c == DIFF_AGREE) {
                stops[g] += r.interp_status == MBPF_FAULT_BUDGET;
                faults[g] += r.interp_status != MBPF_OK && r.interp_status != MBPF_FAULT_BUDGET;
            }
            total++;
            runs += r.emu_runs;
            if (verbose && (c == DIFF_REJECTED || c == DIFF_UNTRANSLATED || verbose > 1))
                printf("%s seed %u %s: %s\n", gen_kinds[g].name, (unsigned)s, diff_class_name(c), r.msg);
            if (verbose > 1)
                dump(&prog);
            if (c < DIFF_AGREE && (!seen[g][c] || verbose)) {
                printf("%s: %s seed %u after %.2f s (%llu programs of it): %s\n", diff_class_name(c),
                       gen_kinds[g].name, (unsigned)s, now() - t0,
                       (unsigned long long)(counts[g][DIFF_AGREE] + counts[g][DIFF_BUDGET] + counts[g][DIFF_MISMATCH] +
                                            counts[g][DIFF_ESCAPE] + counts[g][DIFF_VICTIM] + counts[g][DIFF_TRAP] +
                                            counts[g][DIFF_REJECTED] + counts[g][DIFF_UNTRANSLATED]),
                       r.msg);
                if (min_dir && !seen[g][c]) {
                    double m0 = now();
                    diff_class mc = minimise(&prog, c, budget);
                    t0 += now() - m0; /* shrinking is not search time */
                    if (mc == c)
                        save_file(min_dir, gen_kinds[g].name, c, s, &prog);
                }
                seen[g][c] = 1;
            }
            if (is_finding(c, allow_budget))
                failed = 1;
        }
    }
    elapsed = now() - t0;
    if (n_use) {
        printf("%-13s %9s %9s %8s %8s %9s %7s | %7s %7s %7s %7s %7s\n", "generator", "programs",
               "agree", "(faults", "budget)", "rejected", "untrans", "budget", "mismat", "escape",
               "tenant", "interp");
        for (int u = 0; u < n_use; u++) {
            int g = use[u];
            uint64_t *c = counts[g], n = 0;
            for (int i = 0; i < DIFF_NCLASS; i++)
                n += c[i];
            printf("%-13s %9llu %9llu %8llu %8llu %9llu %7llu | %7llu %7llu %7llu %7llu %7llu\n",
                   gen_kinds[g].name, (unsigned long long)n, (unsigned long long)c[DIFF_AGREE],
                   (unsigned long long)faults[g], (unsigned long long)stops[g],
                   (unsigned long long)c[DIFF_REJECTED], (unsigned long long)c[DIFF_UNTRANSLATED],
                   (unsigned long long)c[DIFF_BUDGET], (unsigned long long)c[DIFF_MISMATCH],
                   (unsigned long long)c[DIFF_ESCAPE], (unsigned long long)c[DIFF_VICTIM],
                   (unsigned long long)c[DIFF_TRAP]);
        }
        printf("emu-diff: %llu programs, %llu translated runs in %.1f s: %.0f programs/s, %.0f "
               "executions/s (interpreter + Thumb-2 + RV32 per accepted program)\n",
               (unsigned long long)total, (unsigned long long)runs, elapsed,
               elapsed > 0 ? (double)total / elapsed : 0.0,
               elapsed > 0 ? (double)runs / elapsed : 0.0);
    }
    free(files);
    if (forge && expect_escapes) {
        uint64_t escapes = 0, victims = 0;
        for (int u = 0; u < n_use; u++) {
            escapes += counts[use[u]][DIFF_ESCAPE];
            victims += counts[use[u]][DIFF_VICTIM];
        }
        int seen_all = escapes && victims;
        printf("emu-diff: oracle self-test (forged proofs): %llu escapes, %llu cross-tenant writes "
               "detected: %s\n", (unsigned long long)escapes, (unsigned long long)victims,
               seen_all ? "ok" : "MISSED");
        return !seen_all;
    }
    printf("emu-diff: %s\n", failed ? "FINDINGS" : "no findings");
    return failed;
}
