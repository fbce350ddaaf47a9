/* Conformance-suite helpers. Every pointer argument is checked against the caller's regions;
 * work that grows with an argument is charged to the budget, one unit per 16 bytes (the default
 * helpers' rate, include/mcubpf/helpers.h). */
#include "mcubpf/helpers.h"
#include "mcubpf/test_helpers.h"

static uint64_t gather_bytes(mbpf_exec *x, const uint64_t a[5])
{
    (void)x;
    return (a[0] & 0xff) << 32 | (a[1] & 0xff) << 24 | (a[2] & 0xff) << 16 | (a[3] & 0xff) << 8 |
           (a[4] & 0xff);
}

static uint64_t memfrob(mbpf_exec *x, const uint64_t a[5])
{
    if (!mbpf_exec_check(x, a[0], a[1], MBPF_REGION_R | MBPF_REGION_W)) {
        mbpf_exec_stop(x, MBPF_FAULT_HELPER_ARG, 0);
        return 0;
    }
    if (!mbpf_exec_charge(x, MBPF_HELPER_BYTES_COST(a[1])))
        return 0;
    uint8_t *p = (uint8_t *)(uintptr_t)a[0];
    for (uint64_t i = 0; i < a[1]; i++)
        p[i] ^= 42;
    return 0;
}

static uint64_t no_op(mbpf_exec *x, const uint64_t a[5])
{
    (void)x;
    (void)a;
    return 0;
}

static uint64_t isqrt(mbpf_exec *x, const uint64_t a[5])
{
    (void)x;
    uint64_t v = a[0], res = 0, bit = 1ull << 62;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= res + bit) {
            v -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return res;
}

/* Byte-by-byte so that each byte is checked before it is read. */
static uint64_t str_cmp(mbpf_exec *x, const uint64_t a[5])
{
    for (uint64_t i = 0;; i++) {
        if (i % 16u == 0 && !mbpf_exec_charge(x, 1))
            return 0;
        if (!mbpf_exec_check(x, a[0] + i, 1, MBPF_REGION_R) ||
            !mbpf_exec_check(x, a[1] + i, 1, MBPF_REGION_R)) {
            mbpf_exec_stop(x, MBPF_FAULT_HELPER_ARG, 0);
            return 0;
        }
        uint8_t c1 = *(const uint8_t *)(uintptr_t)(a[0] + i);
        uint8_t c2 = *(const uint8_t *)(uintptr_t)(a[1] + i);
        if (c1 != c2 || c1 == 0)
            return (uint64_t)((int64_t)c1 - (int64_t)c2);
    }
}

static uint64_t unwind(mbpf_exec *x, const uint64_t a[5])
{
    if (a[0] == 0)
        mbpf_exec_stop(x, MBPF_FAULT_STOPPED, 0);
    return a[0];
}

const mbpf_helper_fn mbpf_test_helpers[MBPF_TEST_HELPER_COUNT] = {
    gather_bytes, memfrob, no_op, isqrt, str_cmp, unwind,
};
