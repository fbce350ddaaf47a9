/* For eBPF programs written in C (clang -target bpf): the runtime's default helpers
 * (include/mcubpf/helpers.h) as callable declarations. */
#ifndef MCUBPF_BPF_HELPERS_H
#define MCUBPF_BPF_HELPERS_H

#include <stdint.h>

#include "mcubpf/helpers.h"

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

/* Log a string literal with up to three arguments. */
#define MBPF_LOG(fmt, a, b, c) mbpf_log(fmt, sizeof(fmt) - 1, (uint64_t)(a), (uint64_t)(b), (uint64_t)(c))

#endif
