/* Program generators for the in-process differential fuzzer. "random" is the device
 * differential generator (tests/diff/randprog.c); the others aim at what breaks a sandbox:
 * pointers plus large or wrapping offsets, JMP32 and signed compares on pointers, offset
 * additions that overflow, spills and fills of pointers, accesses at region edges, helper calls
 * with region pointers, and writes aimed at another tenant's memory. */
#ifndef MCUBPF_TESTS_UNICORN_GEN_H
#define MCUBPF_TESTS_UNICORN_GEN_H

#include <stdint.h>

#include "mcubpf/isa.h"

#define GEN_MAX_INSNS 2048

typedef struct gen_prog {
    mbpf_insn insns[GEN_MAX_INSNS];
    uint32_t n;
    uint8_t rodata[64], data[64];
    uint32_t rodata_len, data_len, ctx_len;
    uint64_t budget; /* 0: the driver's */
} gen_prog;

typedef void (*gen_fn)(uint32_t seed, gen_prog *out);

typedef struct gen_kind {
    const char *name;
    const char *aim;
    gen_fn fn;
} gen_kind;

extern const gen_kind gen_kinds[];
extern const unsigned gen_count;

/* The memory every program runs with unless its generator says otherwise: a 64-byte context,
 * 32 bytes of rodata, 64 bytes of zeroed data (regression inputs run with it). */
void gen_defaults(gen_prog *out);

/* Index of the generator called name, or -1. */
int gen_find(const char *name);

#endif
