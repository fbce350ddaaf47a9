/* AOT image validation on the device: every offset and length is checked before use, then the
 * hash over the whole image. */
#include <string.h>

#include "mcubpf/image.h"
#include "mcubpf/sha256.h"
#include "runtime/messages.h"

static int section_ok(uint32_t off, uint32_t len, uint32_t total, uint32_t header)
{
    if (len == 0)
        return 1;
    return off >= header && off <= total && len <= total - off && (off & 7u) == 0;
}

static int fail(const char **err, const char *msg)
{
    *err = msg;
    return -1;
}

void mbpf_image_digest(const uint8_t *buf, size_t len, uint8_t out[32])
{
    mbpf_sha256_skipping(buf, len, offsetof(mbpf_image_header, image_sha256), out);
}

int mbpf_image_parse(const uint8_t *buf, size_t len, mbpf_target expect, mbpf_image_view *out,
                     const char **err)
{
    mbpf_image_header h;
    if (!buf || len < sizeof h)
        return fail(err, MSG_IMAGE_SHORT);
    memcpy(&h, buf, sizeof h);
    if (h.magic != MBPF_IMAGE_MAGIC)
        return fail(err, MSG_IMAGE_MAGIC);
    if (h.version != MBPF_IMAGE_VERSION || h.header_size != sizeof h ||
        (h.flags & ~MBPF_IMAGE_FLAG_SIGNED))
        return fail(err, MSG_IMAGE_VERSION);
    if (h.total_len != len)
        return fail(err, MSG_IMAGE_LENGTH);
    if (expect != MBPF_TARGET_NONE && h.target != (uint16_t)expect)
        return fail(err, MSG_IMAGE_OTHER_TARGET);
    if (h.target != MBPF_TARGET_THUMB2 && h.target != MBPF_TARGET_RV32IMC)
        return fail(err, MSG_IMAGE_UNKNOWN_TARGET);
    if (!h.code_len || !section_ok(h.code_off, h.code_len, h.total_len, h.header_size) ||
        !section_ok(h.rodata_off, h.rodata_len, h.total_len, h.header_size) ||
        !section_ok(h.data_off, h.data_len, h.total_len, h.header_size) ||
        h.n_helpers > MBPF_IMAGE_MAX_HELPERS ||
        !section_ok(h.helpers_off, h.n_helpers * 4u, h.total_len, h.header_size))
        return fail(err, MSG_IMAGE_SECTION);
    if (h.entry >= h.code_len || (h.entry & 1u))
        return fail(err, MSG_IMAGE_ENTRY);
    uint8_t digest[32];
    mbpf_image_digest(buf, len, digest);
    if (memcmp(digest, h.image_sha256, 32))
        return fail(err, MSG_IMAGE_HASH);
    out->target = (mbpf_target)h.target;
    out->code = buf + h.code_off;
    out->code_len = h.code_len;
    out->entry = h.entry;
    out->rodata = h.rodata_len ? buf + h.rodata_off : NULL;
    out->rodata_len = h.rodata_len;
    out->data = h.data_len ? buf + h.data_off : NULL;
    out->data_len = h.data_len;
    out->helpers = h.n_helpers ? (const uint32_t *)(const void *)(buf + h.helpers_off) : NULL;
    out->n_helpers = h.n_helpers;
    out->hook = h.hook;
    out->prog_version = h.prog_version;
    out->flags = h.flags;
    return 0;
}
