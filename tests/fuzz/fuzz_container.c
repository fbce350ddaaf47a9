/* libFuzzer target: the device-side bytecode container parser. */
#include <stdlib.h>
#include <string.h>

#include "mcubpf/container.h"

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
