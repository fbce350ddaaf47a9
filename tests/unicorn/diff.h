/* One program, every engine: verify it with the device verifier, translate it for Thumb-2 and
 * RV32, run it in the host interpreter (with the verifier's facts) and in each translation under
 * the emulator, all on the same sandbox memory, and compare r0, status, fault kind, pc, address
 * and size, the final bytes of every writable region, and the guard and victim zones. */
#ifndef MCUBPF_TESTS_UNICORN_DIFF_H
#define MCUBPF_TESTS_UNICORN_DIFF_H

#include <stdint.h>

#include "mcubpf/vm.h"

/* What a program is run with. rodata and data are the initial contents. */
typedef struct diff_input {
    const mbpf_insn *insns;
    uint32_t n_insns;
    const uint8_t *rodata;
    uint32_t rodata_len; /* each at most one page */
    const uint8_t *data;
    uint32_t data_len;
    uint32_t ctx_len;
    uint64_t budget;
    int forge_proven; /* oracle self-test: translate as if every guarded access were proven (the
                       * interpreter keeps the verifier's facts), so that translated code makes
                       * the wild accesses a wrong proof would allow */
} diff_input;

/* Outcome classes, worst first. */
typedef enum diff_class {
    DIFF_VICTIM,     /* another tenant's memory (the victim zone) changed: cross-tenant write */
    DIFF_ESCAPE,     /* translated code accessed memory outside the sandbox, or a guard changed */
    DIFF_MISMATCH,   /* translated code and interpreter disagree (r0, status, fault, memory) */
    DIFF_BUDGET,     /* they disagree only about where the budget ran out: a budget-rule difference */
    DIFF_TRAP,       /* the interpreter itself went outside the sandbox (should never happen) */
    DIFF_AGREE,      /* every engine agrees */
    DIFF_REJECTED,   /* the verifier rejected the program */
    DIFF_UNTRANSLATED, /* a backend could not translate it (out of space, ...) */
    DIFF_NCLASS
} diff_class;

const char *diff_class_name(diff_class c);

typedef struct diff_result {
    diff_class cls;
    int target;         /* mbpf_target the finding is about (0: none / interpreter) */
    char msg[512];      /* one line, for reports */
    uint32_t emu_runs;  /* translated runs performed */
    mbpf_status interp_status; /* how the interpreter's run ended (when there was one) */
} diff_result;

/* Set up the sandbox and both emulators; -1 with a message on stderr. */
int diff_init(void);

/* Misaligned RV32 accesses are traps from now on (emu_strict_align). */
void diff_strict_align(void);

/* Check one program; quiet except through r. */
diff_class diff_check(const diff_input *in, diff_result *r);

/* The verifier's facts for the program diff_check last verified. */
const struct mbpf_fact *diff_last_facts(void);

#endif
