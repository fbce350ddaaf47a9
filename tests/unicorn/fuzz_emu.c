/* libFuzzer target of the in-process differential fuzzer: the input picks a generator (first
 * byte) and a seed (next four), the rest patches the generated program as (index, byte offset,
 * value) triples, as in fuzz_facts. Every accepted program runs in the interpreter and in both
 * translations under the emulator (diff.h); any disagreement, access outside the sandbox,
 * changed guard zone or write to the victim zone is printed and stops the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unicorn/diff.h"
#include "tests/unicorn/gen.h"

/* Unicorn allocates as it translates, so libFuzzer would run a leak scan of the whole process
 * (the emulator's code cache included) after nearly every input: ten times the cost of the run. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static gen_prog prog;
    if (!ready) {
        if (diff_init())
            abort();
        ready = 1;
    }
    if (size < 5)
        return 0;
    const gen_kind *g = &gen_kinds[data[0] % gen_count];
    uint32_t seed;
    memcpy(&seed, data + 1, 4);
    g->fn(seed, &prog);
    if (!prog.n)
        return 0;
    for (size_t i = 5; i + 3 <= size; i += 3) {
        uint32_t at = ((uint32_t)data[i] | (uint32_t)data[i + 1] << 8) % (prog.n * 8);
        ((uint8_t *)prog.insns)[at] = data[i + 2];
    }
    diff_input in = {prog.insns, prog.n, prog.rodata, prog.rodata_len, prog.data, prog.data_len,
                     prog.ctx_len, prog.budget ? prog.budget : 2000, 0};
    diff_result r;
    diff_class c = diff_check(&in, &r);
    if (c < DIFF_AGREE) {
        fprintf(stderr, "fuzz_emu: %s (%s seed %u): %s\n", diff_class_name(c), g->name,
                (unsigned)seed, r.msg);
        __builtin_trap();
    }
    return 0;
}
