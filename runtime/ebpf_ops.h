/* eBPF operation semantics shared by the interpreter and the translated code's runtime routines,
 * so that both engines compute exactly the same thing (no C undefined behaviour anywhere). */
#ifndef MCUBPF_EBPF_OPS_H
#define MCUBPF_EBPF_OPS_H

#include <stdint.h>
#include <string.h>

#include "mcubpf/isa.h"

/* Unaligned-safe little-endian memory access. __builtin_memcpy so that freestanding builds (where
 * plain memcpy is an opaque library call) still compile it to plain loads and stores. */
static inline uint64_t ebpf_load(uint64_t addr, uint32_t size)
{
    const void *p = (const void *)(uintptr_t)addr;
    if (size == 1) { uint8_t v; __builtin_memcpy(&v, p, 1); return v; }
    if (size == 2) { uint16_t v; __builtin_memcpy(&v, p, 2); return v; }
    if (size == 4) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}

static inline void ebpf_store(uint64_t addr, uint32_t size, uint64_t val)
{
    void *p = (void *)(uintptr_t)addr;
    if (size == 1) { uint8_t v = (uint8_t)val; __builtin_memcpy(p, &v, 1); }
    else if (size == 2) { uint16_t v = (uint16_t)val; __builtin_memcpy(p, &v, 2); }
    else if (size == 4) { uint32_t v = (uint32_t)val; __builtin_memcpy(p, &v, 4); }
    else __builtin_memcpy(p, &val, 8);
}

/* Signed division and modulo: x/0 = 0, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0, on magnitudes. */
static inline uint64_t ebpf_sdiv64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return 0;
    int neg = (int)((a ^ b) >> 63);
    uint64_t ua = (a >> 63) ? 0 - a : a, ub = (b >> 63) ? 0 - b : b;
    uint64_t q = ua / ub;
    return neg ? 0 - q : q;
}

static inline uint64_t ebpf_smod64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    uint64_t ua = (a >> 63) ? 0 - a : a, ub = (b >> 63) ? 0 - b : b;
    uint64_t r = ua % ub;
    return (a >> 63) ? 0 - r : r;
}

/* Atomic read-modify-write of `size` (4 or 8) bytes at a checked address. *src receives the old
 * value for FETCH forms; cmpxchg compares with and writes the old value to *r0. Returns 0 for an
 * invalid operation. (The caller provides atomicity: engines run a program on one core and the
 * device-side routine masks interrupts.) */
static inline int ebpf_atomic(int32_t imm, uint64_t addr, uint32_t size, uint64_t *src, uint64_t *r0)
{
    uint64_t mask = size == 8 ? ~0ull : 0xffffffffull;
    size = size == 8 ? 8 : 4; /* the only sizes: no code for the others */
    uint64_t old = ebpf_load(addr, size), s = *src & mask, nv;
    switch (imm & ~MBPF_FETCH) {
    case MBPF_ADD: nv = old + s; break;
    case MBPF_OR: nv = old | s; break;
    case MBPF_AND: nv = old & s; break;
    case MBPF_XOR: nv = old ^ s; break;
    case MBPF_XCHG & ~MBPF_FETCH:
        if (!(imm & MBPF_FETCH))
            return 0;
        nv = s;
        break;
    case MBPF_CMPXCHG & ~MBPF_FETCH:
        if (!(imm & MBPF_FETCH))
            return 0;
        nv = (old == (*r0 & mask)) ? s : old;
        ebpf_store(addr, size, nv);
        *r0 = old;
        return 1;
    default:
        return 0;
    }
    ebpf_store(addr, size, nv & mask);
    if (imm & MBPF_FETCH)
        *src = old;
    return 1;
}

#endif
