/* Test vectors are compiled twice: by clang -target bpf (the program under test: r1 = context,
 * r2 = its length) and natively by the host compiler (the oracle that checks the expected value
 * written in manifest.tsv). Helpers are called through HELPER_* ids of the conformance helper set. */
#ifndef TEST_VECTOR_H
#define TEST_VECTOR_H

#include <stdint.h>

#if defined(__bpf__)
#define VECTOR(name) __attribute__((section(#name), used)) uint64_t vector_##name(uint8_t *ctx, uint64_t len)
#define NOINLINE static __attribute__((noinline))
/* helper 0 (gather_bytes) cannot be called this way: a null function pointer call is undefined */
static uint64_t (*const helper_memfrob)(void *, uint64_t) = (void *)1;
static uint64_t (*const helper_isqrt)(uint64_t) = (void *)3;
static int64_t (*const helper_strcmp)(const char *, const char *) = (void *)4;
#else
#define VECTOR(name) uint64_t vector_##name(uint8_t *ctx, uint64_t len); \
    uint64_t vector_##name(uint8_t *ctx, uint64_t len)
#define NOINLINE static __attribute__((noinline))
uint64_t helper_memfrob(void *p, uint64_t n);
uint64_t helper_isqrt(uint64_t v);
int64_t helper_strcmp(const char *a, const char *b);
#endif

#endif
