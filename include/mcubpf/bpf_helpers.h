/* For eBPF programs written in C (clang -O2 -target bpf -ffreestanding -Iinclude): section
 * placement, the runtime's default helpers (include/mcubpf/helpers.h) as callable declarations,
 * and a way to declare a device's own helpers. Guide: docs/writing-programs.md. */
#ifndef MCUBPF_BPF_HELPERS_H
#define MCUBPF_BPF_HELPERS_H

#include <stdint.h>

#include "mcubpf/helpers.h"

/* Put a program (its entry function) in its own section: SEC("filter") uint64_t f(void *ctx,
 * uint64_t len). Tools pick the program by this name (--section). */
#ifndef SEC
#define SEC(name) __attribute__((section(name), used))
#endif

/* A helper of id `id` with this prototype, called like a function. The default set below uses
 * it; a device's own helpers are declared the same way with the ids the device gives them. */
#define MBPF_HELPER_FN(ret, name, id, ...) static ret (*const name)(__VA_ARGS__) = (void *)(id)

MBPF_HELPER_FN(int64_t, mbpf_log, MBPF_HELPER_LOG, const char *fmt, uint64_t fmt_len, uint64_t a,
               uint64_t b, uint64_t c);
MBPF_HELPER_FN(int64_t, mbpf_kv_store, MBPF_HELPER_KV_STORE, uint32_t key, uint64_t value);
MBPF_HELPER_FN(int64_t, mbpf_kv_fetch, MBPF_HELPER_KV_FETCH, uint32_t key, uint64_t *value);
MBPF_HELPER_FN(int64_t, mbpf_kv_store_global, MBPF_HELPER_KV_STORE_GLOBAL, uint32_t key,
               uint64_t value);
MBPF_HELPER_FN(int64_t, mbpf_kv_fetch_global, MBPF_HELPER_KV_FETCH_GLOBAL, uint32_t key,
               uint64_t *value);
MBPF_HELPER_FN(uint64_t, mbpf_now_ms, MBPF_HELPER_NOW_MS, void);
MBPF_HELPER_FN(int64_t, mbpf_memcpy, MBPF_HELPER_MEMCPY, void *dst, const void *src, uint64_t n);
MBPF_HELPER_FN(int64_t, mbpf_memcmp, MBPF_HELPER_MEMCMP, const void *a, const void *b, uint64_t n);
MBPF_HELPER_FN(int64_t, mbpf_sensor_read, MBPF_HELPER_SENSOR_READ, uint32_t channel);

/* Log a string literal with up to three arguments (%d %u %x %c %%). */
#define MBPF_LOG(fmt, a, b, c) mbpf_log(fmt, sizeof(fmt) - 1, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c))

/* sensor_read's value when the channel cannot be read. */
#define MBPF_SENSOR_ERROR INT64_MIN

#endif
