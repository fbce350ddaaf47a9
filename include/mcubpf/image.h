/* AOT image format: native code translated on the host plus the program's data, loadable by the
 * device runtime from RAM or in place from flash. All fields little-endian; sections start at
 * 8-byte aligned offsets after the header; offsets are from the start of the image.
 *
 * Integrity: image_sha256 is the SHA-256 of the whole image with that field set to zero;
 * src_sha256 is the SHA-256 of the source bytecode (instructions, then rodata, then data), which
 * ties an image to the program it came from. A signed image (flag SIGNED) is followed by a
 * signature block (include/mcubpf/sign.h) that total_len does not count; hook and prog_version
 * let a device refuse another hook's program and a rollback. Trust: docs/trust-model.md. */
#ifndef MCUBPF_IMAGE_H
#define MCUBPF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/jit.h"

#define MBPF_IMAGE_MAGIC 0x4950424du /* "MBPI" */
/* 5: the code takes the context and its length as arguments (mbpf_jit_fn) and reads the run's
 * budget through the block (budget_at, word 196) when it spends budget */
#define MBPF_IMAGE_VERSION 5u
#define MBPF_IMAGE_FLAG_SIGNED 0x1u /* a signature block follows */
#define MBPF_IMAGE_MAX_HELPERS 128u

typedef struct mbpf_image_header {
    uint32_t magic;
    uint16_t version;
    uint16_t target;      /* mbpf_target */
    uint32_t flags;       /* MBPF_IMAGE_FLAG_*; other bits 0 */
    uint32_t header_size; /* sizeof(mbpf_image_header) */
    uint32_t total_len;   /* bytes of the whole image */
    uint32_t entry;       /* entry offset within the code */
    uint32_t code_off, code_len;
    uint32_t rodata_off, rodata_len;
    uint32_t data_off, data_len; /* initial .data then zeroed .bss */
    uint32_t helpers_off, n_helpers; /* helper ids the code calls (uint32 each, ascending) */
    uint32_t n_insns;     /* length of the source program, for reports */
    uint32_t hook;         /* the hook (attach point and context ABI) it is built for */
    uint32_t prog_version; /* release number: a device refuses one older than it loaded */
    uint8_t src_sha256[32];
    uint8_t image_sha256[32];
} mbpf_image_header;

typedef struct mbpf_image_view {
    mbpf_target target;
    const uint8_t *code;
    uint32_t code_len, entry;
    const uint8_t *rodata;
    uint32_t rodata_len;
    const uint8_t *data; /* initial contents: the runtime copies them into the program's RAM */
    uint32_t data_len;
    const uint32_t *helpers;
    uint32_t n_helpers;
    uint32_t hook, prog_version;
    uint32_t flags; /* MBPF_IMAGE_FLAG_* */
} mbpf_image_view;

/* Check an image (bounds, version, target, hash) and describe it; buf is the image without its
 * signature block (mbpf_sig_check checks that). Returns 0, or -1 with a static message in *err.
 * `expect` = MBPF_TARGET_NONE accepts any target. */
int mbpf_image_parse(const uint8_t *buf, size_t len, mbpf_target expect, mbpf_image_view *out,
                     const char **err);

/* SHA-256 of buf with the header's image_sha256 field taken as zero; len >= sizeof the header. */
void mbpf_image_digest(const uint8_t *buf, size_t len, uint8_t out[32]);

#endif
