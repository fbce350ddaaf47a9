/* libFuzzer target: the device-side bytecode container parser, behind the signature block
 * check. The check runs with a stand-in for the cryptography (it reads every signed byte and
 * accepts when the signature's first byte is even), so that inputs reach the parser through a
 * signature block as well as without one. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/container.h"
#include "mcubpf/sign.h"
#include "tests/fuzz/stand_in_verify.h"

static const uint8_t fuzz_key[32] = {1};

/* Signed inputs are checked, then parsed without their block; the rest are parsed whole. A
 * block's key id is made to name the fuzzing key when the input's last byte is even (a
 * mutation cannot find a SHA-256 prefix). */
static size_t body_of(uint8_t *buf, size_t size)
{
    const uint8_t *keys[1] = {fuzz_key};
    size_t body = size;
    const char *err;
    mbpf_sig_block blk;
    if (size >= sizeof blk && !(buf[size - 1] & 1))
        mbpf_sig_key_id(fuzz_key, buf + size - sizeof blk + offsetof(mbpf_sig_block, key_id));
    if (mbpf_sig_find(buf, size, &blk, &err) == 1 &&
        mbpf_sig_check(buf, size, keys, 1, stand_in_verify, NULL, &body, &err) == 0 &&
        body >= size)
        abort(); /* a checked block is never part of the body */
    return body;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the parser needs a 4-byte aligned buffer; libFuzzer's usually is, but do not rely on it */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    mbpf_container_view v;
    const char *err;
    size = body_of(buf, size);
    if (!mbpf_container_parse(buf, size, &v, &err)) {
        /* every section the parser hands out must lie inside the buffer */
        volatile uint8_t sink = 0;
        const uint8_t *insns = (const uint8_t *)v.insns;
        for (uint32_t i = 0; i < v.n_insns * 8u; i++)
            sink ^= insns[i];
        for (uint32_t i = 0; i < v.rodata_len; i++)
            sink ^= v.rodata[i];
        for (uint32_t i = 0; i < v.data_init_len; i++)
            sink ^= v.data_init[i];
        for (uint32_t i = 0; i < v.n_helpers; i++)
            sink ^= (uint8_t)v.helpers[i];
        (void)sink;
    }
    /* and a misaligned copy is refused, never read in place */
    uint8_t *odd = malloc(size + 1);
    if (odd) {
        memcpy(odd + 1, data, size);
        if (!mbpf_container_parse(odd + 1, size, &v, &err))
            abort();
        free(odd);
    }
    free(buf);
    return 0;
}
