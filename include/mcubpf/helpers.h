/* The runtime's default helper set: ids and calling contracts (device side). Programs written in
 * C reach them through include/mcubpf/bpf_helpers.h. Every pointer argument is checked against
 * the calling program's own regions; a bad one ends the run with MBPF_FAULT_HELPER_ARG. */
#ifndef MCUBPF_HELPERS_H
#define MCUBPF_HELPERS_H

/* log(fmt, fmt_len, a, b, c): formats fmt (%d %u %x %c %%, arguments a, b, c in order) into one
 * line of at most MBPF_LOG_LINE bytes and hands it to services.log_write. Returns its length. */
#define MBPF_HELPER_LOG 1
/* kv_store(key, value) / kv_fetch(key, &value): the calling tenant's own namespace.
 * Return 0, or -1 when the store is full (store) or the key is absent (fetch; value set to 0). */
#define MBPF_HELPER_KV_STORE 2
#define MBPF_HELPER_KV_FETCH 3
/* The same on the namespace shared by every tenant allowed these two helpers. */
#define MBPF_HELPER_KV_STORE_GLOBAL 4
#define MBPF_HELPER_KV_FETCH_GLOBAL 5
/* now_ms(): milliseconds from services.now_ms (0 without it). */
#define MBPF_HELPER_NOW_MS 6
/* memcpy(dst, src, n) -> n; memcmp(a, b, n) -> <0, 0, >0. n <= MBPF_HELPER_MEM_MAX; both ranges
 * must lie in the program's regions (dst writable). */
#define MBPF_HELPER_MEMCPY 7
#define MBPF_HELPER_MEMCMP 8
/* sensor_read(channel) -> the reading, sign-extended; INT64_MIN when the channel cannot be read. */
#define MBPF_HELPER_SENSOR_READ 9

#define MBPF_HELPER_DEFAULT_COUNT 10 /* ids below this one */

/* Budget units a helper charges for its own work (mbpf_exec_charge), on top of the unit every
 * helper call costs: log, memcpy and memcmp one per 16 bytes (format or copied/compared) and log
 * MBPF_HELPER_LOG_NUMBER_COST more per decimal number wider than 32 bits, the kv helpers one
 * per 8 entries of the store they look at (a store creates an entry only while the namespace is under
 * its quota, runtime.h). The others do a bounded amount of work and charge nothing.
 * docs/runtime.md bounds the work of a unit. */
#define MBPF_HELPER_BYTES_COST(n) (((uint64_t)(n) + 15u) / 16u)
#define MBPF_HELPER_KV_COST(entries) (((uint64_t)(entries) + 7u) / 8u)
#define MBPF_HELPER_LOG_NUMBER_COST 8u
#define MBPF_LOG_LINE 96u
#define MBPF_HELPER_MEM_MAX 4096u

#endif
