/* Host-side writer of bytecode containers (include/mcubpf/container.h). */
#ifndef MCUBPF_AOT_CONTAINER_WRITE_H
#define MCUBPF_AOT_CONTAINER_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/container.h"
#include "mcubpf/vm.h"

/* Builds a container of p in a malloc'd buffer, storing the first data_init_len bytes of p->data
 * (the rest of the data region is zeroed by the device). Deterministic. Returns NULL when p cannot
 * be described (no instructions or too many, data_init_len > data_len, data region or helper list
 * over the container's limits) or memory runs out. */
uint8_t *mbpf_container_build(const mbpf_program *p, uint32_t data_init_len, size_t *out_len);

/* The same with a verifier certificate (cert_len bytes; NULL: none) in its own section. */
uint8_t *mbpf_container_build_cert(const mbpf_program *p, uint32_t data_init_len, const uint8_t *cert,
                                   uint32_t cert_len, size_t *out_len);

/* Bytes of p's data up to its last non-zero byte: all a container needs to store, since the tail
 * is zero either way. */
uint32_t mbpf_container_data_init_len(const mbpf_program *p);

#endif
