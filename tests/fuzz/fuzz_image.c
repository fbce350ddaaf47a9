/* libFuzzer target: the device-side AOT image parser. */
#include "mcubpf/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mbpf_image_view v;
    const char *err;
    if (!mbpf_image_parse(data, size, MBPF_TARGET_NONE, &v, &err)) {
        /* every section the parser hands out must lie inside the buffer */
        volatile uint8_t sink = 0;
        for (uint32_t i = 0; i < v.code_len; i++)
            sink ^= v.code[i];
        for (uint32_t i = 0; i < v.data_len; i++)
            sink ^= v.data[i];
        (void)sink;
    }
    return 0;
}
