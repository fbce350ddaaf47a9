/* Bytecode container validation on the device: the header is copied out (buf may sit in flash at
 * any alignment), every offset and length is checked in 32-bit arithmetic that cannot wrap, then
 * the hash over the whole container. */
#include <string.h>

#include "mcubpf/container.h"
#include "mcubpf/sha256.h"

static int fail(const char **err, const char *msg)
{
    *err = msg;
    return -1;
}

/* A section of len bytes at off lies after the header and inside the container, 8-aligned. */
static int section_ok(uint32_t off, uint32_t len, const mbpf_container_header *h)
{
    if (len == 0)
        return 1;
    return off >= h->header_size && off <= h->total_len && len <= h->total_len - off &&
           (off & 7u) == 0;
}

void mbpf_container_digest(const uint8_t *buf, size_t len, uint8_t out[32])
{
    mbpf_sha256_skipping(buf, len, offsetof(mbpf_container_header, sha256), out);
}

int mbpf_container_parse(const uint8_t *buf, size_t len, mbpf_container_view *out,
                         const char **err)
{
    mbpf_container_header h;
    if (!buf || len < sizeof h)
        return fail(err, "container: shorter than its header");
    memcpy(&h, buf, sizeof h);
    if (h.magic != MBPF_CONTAINER_MAGIC)
        return fail(err, "container: bad magic (not an MBPC container)");
    if (h.version != MBPF_CONTAINER_VERSION)
        return fail(err, "container: unsupported version");
    if (h.header_size != sizeof h)
        return fail(err, "container: unexpected header size");
    if (h.flags & ~MBPF_CONTAINER_FLAG_SIGNED)
        return fail(err, "container: unknown flags");
    if (h.total_len != len)
        return fail(err, "container: length does not match its header");
    /* instructions and helper ids are used in place, as 32-bit-aligned structs */
    if ((uintptr_t)buf & 3u)
        return fail(err, "container: buffer not 4-byte aligned (load it at an 8-byte aligned "
                         "address)");
    if (h.n_insns == 0 || h.n_insns > MBPF_MAX_INSNS)
        return fail(err, "container: instruction count out of range");
    if (h.insns_off & 7u)
        return fail(err, "container: instructions not 8-byte aligned");
    if (h.data_init_len > h.data_len)
        return fail(err, "container: initial data longer than the data region");
    if (h.data_len > MBPF_CONTAINER_MAX_DATA)
        return fail(err, "container: data region too large");
    if (h.n_helpers > MBPF_CONTAINER_MAX_HELPERS)
        return fail(err, "container: too many helpers");
    /* n_insns <= 65536 and n_helpers <= 128: the products below fit in 32 bits */
    if (!section_ok(h.insns_off, h.n_insns * 8u, &h) ||
        !section_ok(h.rodata_off, h.rodata_len, &h) ||
        !section_ok(h.data_off, h.data_init_len, &h) ||
        !section_ok(h.helpers_off, h.n_helpers * 4u, &h) ||
        !section_ok(h.cert_off, h.cert_len, &h))
        return fail(err, "container: a section lies outside the container");
    /* an empty section's offset is not checked: form no pointer from it */
    const uint32_t *helpers =
        h.n_helpers ? (const uint32_t *)(const void *)(buf + h.helpers_off) : NULL;
    for (uint32_t i = 1; i < h.n_helpers; i++)
        if (helpers[i] <= helpers[i - 1])
            return fail(err, "container: helper ids not in ascending order");
    uint8_t digest[32];
    mbpf_container_digest(buf, len, digest);
    if (memcmp(digest, h.sha256, 32))
        return fail(err, "container: SHA-256 mismatch (corrupted or altered)");
    out->insns = (const mbpf_insn *)(const void *)(buf + h.insns_off);
    out->n_insns = h.n_insns;
    out->rodata = h.rodata_len ? buf + h.rodata_off : NULL;
    out->rodata_len = h.rodata_len;
    out->data_init = h.data_init_len ? buf + h.data_off : NULL;
    out->data_init_len = h.data_init_len;
    out->data_len = h.data_len;
    out->helpers = helpers;
    out->n_helpers = h.n_helpers;
    out->hook = h.hook;
    out->prog_version = h.prog_version;
    out->flags = h.flags;
    out->cert = h.cert_len ? buf + h.cert_off : NULL;
    out->cert_len = h.cert_len;
    return 0;
}
