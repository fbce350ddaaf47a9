/* Bytecode container: what the host makes of a clang -target bpf object, so that the device
 * never parses ELF. The linked instructions, rodata, the initial part of data (the zeroed tail,
 * .bss, is not stored) and the helper ids the program calls. All fields little-endian; sections
 * start at 8-byte aligned offsets after the header; offsets are from the start of the container.
 *
 * Integrity: sha256 is the SHA-256 of the whole container with that field set to zero. It detects
 * corruption, not a hostile producer: the device still verifies the bytecode before running it
 * (through the certificate section when there is one: a certificate is checked, never trusted).
 * Authenticity: a signed container (flag SIGNED) is followed by a signature block
 * (include/mcubpf/sign.h) that total_len does not count. hook and prog_version say what the
 * program is for and which release it is, so that a device refuses another hook's program and a
 * rollback. */
#ifndef MCUBPF_CONTAINER_H
#define MCUBPF_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/isa.h"

#define MBPF_CONTAINER_MAGIC 0x4350424du /* "MBPC" */
#define MBPF_CONTAINER_VERSION 3u /* 3: the verifier certificate section */
#define MBPF_CONTAINER_FLAG_SIGNED 0x1u /* a signature block follows */
#define MBPF_CONTAINER_MAX_HELPERS 128u      /* the verifier knows helper ids 0..127 */
#define MBPF_CONTAINER_MAX_DATA 0x1000000u   /* RAM a container may ask for (as the loader) */

typedef struct mbpf_container_header {
    uint32_t magic;
    uint16_t version;
    uint16_t flags;       /* MBPF_CONTAINER_FLAG_*; other bits 0 */
    uint32_t header_size; /* sizeof(mbpf_container_header) */
    uint32_t total_len;   /* bytes of the whole container */
    uint32_t n_insns;     /* 8-byte instructions at insns_off */
    uint32_t insns_off;
    uint32_t rodata_off, rodata_len;
    uint32_t data_off;
    uint32_t data_init_len; /* bytes stored at data_off: initial .data */
    uint32_t data_len;      /* RAM of the data region: data_init_len bytes then zeros */
    uint32_t helpers_off, n_helpers; /* helper ids called with an immediate (uint32, ascending) */
    uint32_t hook;         /* the hook (attach point and context ABI) it is built for */
    uint32_t prog_version; /* release number: a device refuses one older than it loaded */
    uint32_t cert_off, cert_len; /* verifier certificate (mcubpf/cert.h); 0 bytes: none */
    uint8_t sha256[32];
} mbpf_container_header;

typedef struct mbpf_container_view {
    const mbpf_insn *insns; /* points into the buffer */
    uint32_t n_insns;
    const uint8_t *rodata;  /* NULL when rodata_len is 0 (likewise below) */
    uint32_t rodata_len;
    const uint8_t *data_init; /* the runtime copies these into the program's RAM, zeroes the rest */
    uint32_t data_init_len, data_len;
    const uint32_t *helpers;
    uint32_t n_helpers;
    uint32_t hook, prog_version;
    uint32_t flags; /* MBPF_CONTAINER_FLAG_* */
    const uint8_t *cert; /* the verifier certificate, NULL when the container has none */
    uint32_t cert_len;
} mbpf_container_view;

/* Check a container (bounds, version, flags, limits, helper order, hash) and describe it with
 * pointers into buf (the container without its signature block, which mbpf_sig_check checks), which the caller keeps alive and 8-byte aligned (4 is the minimum accepted).
 * Returns 0, or -1 with a static message "container: ..." in *err. */
int mbpf_container_parse(const uint8_t *buf, size_t len, mbpf_container_view *out,
                         const char **err);

/* SHA-256 of buf with the header's sha256 field taken as zero; len >= sizeof the header. */
void mbpf_container_digest(const uint8_t *buf, size_t len, uint8_t out[32]);

#endif
