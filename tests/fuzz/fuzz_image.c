/* libFuzzer target: the device-side AOT image parser, behind the signature block check (with a
 * stand-in for the cryptography that reads every signed byte and accepts when the signature's
 * first byte is even). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/image.h"
#include "mcubpf/sign.h"
#include "tests/fuzz/stand_in_verify.h"

static const uint8_t fuzz_key[32] = {2};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mbpf_image_view v;
    const char *err;
    const uint8_t *keys[1] = {fuzz_key};
    size_t body = size;
    mbpf_sig_block blk;
    /* when the last byte is even, a block's key id is made to name the fuzzing key (a mutation
     * cannot find a SHA-256 prefix), in a copy since the input is read-only */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    if (size >= sizeof blk && !(buf[size - 1] & 1))
        mbpf_sig_key_id(fuzz_key, buf + size - sizeof blk + offsetof(mbpf_sig_block, key_id));
    if (mbpf_sig_find(buf, size, &blk, &err) == 1 &&
        mbpf_sig_check(buf, size, keys, 1, stand_in_verify, NULL, &body, &err) == 0) {
        if (body >= size)
            abort(); /* a checked block is never part of the body */
        size = body;
    }
    if (!mbpf_image_parse(buf, size, MBPF_TARGET_NONE, &v, &err)) {
        /* every section the parser hands out must lie inside the buffer */
        volatile uint8_t sink = 0;
        for (uint32_t i = 0; i < v.code_len; i++)
            sink ^= v.code[i];
        for (uint32_t i = 0; i < v.data_len; i++)
            sink ^= v.data[i];
        (void)sink;
    }
    free(buf);
    return 0;
}
