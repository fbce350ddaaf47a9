/* Bytecode container writer: header, instructions, rodata, initial data, helper ids, then the
 * SHA-256 over the whole container. */
#include "aot/container_write.h"

#include <stdlib.h>
#include <string.h>

#include "mcubpf/sha256.h"

static uint32_t align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* Distinct helper ids called with an immediate, ascending; -1 when there are too many. */
static int helper_ids(const mbpf_program *p, uint32_t ids[MBPF_CONTAINER_MAX_HELPERS])
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_insns; i++) {
        const mbpf_insn *in = &p->insns[i];
        if (in->code == MBPF_OPC_LDDW) {
            i++; /* the second slot is data, not an instruction */
            continue;
        }
        if (in->code != MBPF_OPC_CALL || MBPF_SRC(in) != MBPF_CALL_HELPER)
            continue;
        uint32_t id = (uint32_t)in->imm, at = 0;
        while (at < n && ids[at] < id)
            at++;
        if (at < n && ids[at] == id)
            continue;
        if (n == MBPF_CONTAINER_MAX_HELPERS)
            return -1;
        memmove(ids + at + 1, ids + at, (n - at) * sizeof *ids);
        ids[at] = id;
        n++;
    }
    return (int)n;
}

uint32_t mbpf_container_data_init_len(const mbpf_program *p)
{
    uint32_t n = p->data ? p->data_len : 0;
    while (n && p->data[n - 1] == 0)
        n--;
    return n;
}

uint8_t *mbpf_container_build(const mbpf_program *p, uint32_t data_init_len, size_t *out_len)
{
    return mbpf_container_build_cert(p, data_init_len, NULL, 0, out_len);
}

uint8_t *mbpf_container_build_cert(const mbpf_program *p, uint32_t data_init_len, const uint8_t *cert,
                                   uint32_t cert_len, size_t *out_len)
{
    uint32_t ids[MBPF_CONTAINER_MAX_HELPERS];
    int n_ids = helper_ids(p, ids);
    if (!p->n_insns || p->n_insns > MBPF_MAX_INSNS || n_ids < 0 ||
        data_init_len > p->data_len || p->data_len > MBPF_CONTAINER_MAX_DATA ||
        p->rodata_len > MBPF_CONTAINER_MAX_DATA || (cert_len && !cert) || cert_len > 0xffffu)
        return NULL;
    mbpf_container_header h;
    memset(&h, 0, sizeof h);
    h.magic = MBPF_CONTAINER_MAGIC;
    h.version = MBPF_CONTAINER_VERSION;
    h.header_size = sizeof h;
    h.n_insns = p->n_insns;
    uint32_t off = align8(sizeof h);
    h.insns_off = off;
    off = align8(off + p->n_insns * 8u);
    h.rodata_off = p->rodata_len ? off : 0;
    h.rodata_len = p->rodata_len;
    off = align8(off + p->rodata_len);
    h.data_off = data_init_len ? off : 0;
    h.data_init_len = data_init_len;
    h.data_len = p->data_len;
    off = align8(off + data_init_len);
    h.n_helpers = (uint32_t)n_ids;
    h.helpers_off = n_ids ? off : 0;
    off = align8(off + h.n_helpers * 4u);
    h.cert_off = cert_len ? off : 0;
    h.cert_len = cert_len;
    off += cert_len;
    h.total_len = off;

    uint8_t *buf = calloc(1, off);
    if (!buf)
        return NULL;
    memcpy(buf + h.insns_off, p->insns, (size_t)p->n_insns * sizeof(mbpf_insn));
    if (p->rodata_len)
        memcpy(buf + h.rodata_off, p->rodata, p->rodata_len);
    if (data_init_len)
        memcpy(buf + h.data_off, p->data, data_init_len);
    if (n_ids)
        memcpy(buf + h.helpers_off, ids, h.n_helpers * 4u);
    if (cert_len)
        memcpy(buf + h.cert_off, cert, cert_len);
    memcpy(buf, &h, sizeof h);
    mbpf_container_digest(buf, off, h.sha256);
    memcpy(buf, &h, sizeof h);
    *out_len = off;
    return buf;
}
