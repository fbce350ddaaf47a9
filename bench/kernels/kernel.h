/* One source per benchmark kernel, compiled twice: by clang -target bpf (an eBPF program whose
 * context is the input buffer: r1 = buffer, r2 = length) and natively by gcc for the same target,
 * so that both run the same algorithm on the same bytes. */
#ifndef BENCH_KERNEL_H
#define BENCH_KERNEL_H

#include <stdint.h>

#if defined(__bpf__)
#define KERNEL(name)                                                                              \
    __attribute__((section("bench/" #name), used)) uint64_t bench_##name(uint8_t *buf, uint64_t len)
#define HELPER static __attribute__((always_inline)) inline
#else
#define KERNEL(name) uint64_t bench_##name(uint8_t *buf, uint64_t len); \
    uint64_t bench_##name(uint8_t *buf, uint64_t len)
#define HELPER static inline
#endif

/* Little-endian reads that compile to plain loads on every target. */
HELPER uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
HELPER uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

#endif
