/* Host-side writer of AOT images (include/mcubpf/image.h). */
#ifndef MCUBPF_AOT_IMAGE_WRITE_H
#define MCUBPF_AOT_IMAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/image.h"

/* Builds an image in a malloc'd buffer; deterministic (same inputs, same bytes). */
uint8_t *mbpf_image_build(mbpf_target t, const mbpf_program *p, const uint8_t *code,
                          uint32_t code_len, uint32_t entry, size_t *out_len);

#endif
