/* AOT image writer: header, code, rodata, data, helper imports, then the two SHA-256 digests. */
#include "aot/image_write.h"

#include <stdlib.h>
#include <string.h>

#include "mcubpf/sha256.h"

static uint32_t align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* Helper ids called with an immediate, ascending and unique. */
static uint32_t helper_imports(const mbpf_program *p, uint32_t ids[MBPF_IMAGE_MAX_HELPERS])
{
    uint8_t seen[MBPF_IMAGE_MAX_HELPERS] = {0};
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_insns; i++) {
        const mbpf_insn *in = &p->insns[i];
        if (in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_HELPER && in->imm >= 0 &&
            (uint32_t)in->imm < MBPF_IMAGE_MAX_HELPERS)
            seen[in->imm] = 1;
        if (in->code == MBPF_OPC_LDDW)
            i++;
    }
    for (uint32_t id = 0; id < MBPF_IMAGE_MAX_HELPERS; id++)
        if (seen[id])
            ids[n++] = id;
    return n;
}

uint8_t *mbpf_image_build(mbpf_target t, const mbpf_program *p, const uint8_t *code,
                          uint32_t code_len, uint32_t entry, size_t *out_len)
{
    uint32_t ids[MBPF_IMAGE_MAX_HELPERS];
    mbpf_image_header h;
    memset(&h, 0, sizeof h);
    h.magic = MBPF_IMAGE_MAGIC;
    h.version = MBPF_IMAGE_VERSION;
    h.target = (uint16_t)t;
    h.header_size = sizeof h;
    h.entry = entry;
    h.n_insns = p->n_insns;
    h.n_helpers = helper_imports(p, ids);
    uint32_t off = align8(sizeof h);
    h.code_off = off;
    h.code_len = code_len;
    off = align8(off + code_len);
    h.rodata_off = p->rodata_len ? off : 0;
    h.rodata_len = p->rodata_len;
    off = align8(off + p->rodata_len);
    h.data_off = p->data_len ? off : 0;
    h.data_len = p->data_len;
    off = align8(off + p->data_len);
    h.helpers_off = h.n_helpers ? off : 0;
    off += h.n_helpers * 4u;
    h.total_len = off;

    mbpf_sha256_ctx s;
    mbpf_sha256_init(&s);
    mbpf_sha256_update(&s, p->insns, (size_t)p->n_insns * sizeof(mbpf_insn));
    if (p->rodata_len)
        mbpf_sha256_update(&s, p->rodata, p->rodata_len);
    if (p->data_len)
        mbpf_sha256_update(&s, p->data, p->data_len);
    mbpf_sha256_final(&s, h.src_sha256);

    uint8_t *img = calloc(1, off);
    if (!img)
        return NULL;
    memcpy(img + h.code_off, code, code_len);
    if (p->rodata_len)
        memcpy(img + h.rodata_off, p->rodata, p->rodata_len);
    if (p->data_len)
        memcpy(img + h.data_off, p->data, p->data_len);
    if (h.n_helpers)
        memcpy(img + h.helpers_off, ids, h.n_helpers * 4u);
    memcpy(img, &h, sizeof h); /* image_sha256 still zero */
    mbpf_sha256(img, off, h.image_sha256);
    memcpy(img, &h, sizeof h);
    *out_len = off;
    return img;
}
