/* Host-side certificate helpers for the tools: get a program's certificate, print one. */
#ifndef MCUBPF_AOT_CERT_TOOL_H
#define MCUBPF_AOT_CERT_TOOL_H

#include <stdio.h>

#include "aot/loader.h"
#include "mcubpf/cert.h"
#include "mcubpf/profile.h"

/* The certificate of p under pr: the one the loaded container carries, else one written by the
 * full verifier (with partial != 0 also for a program it rejects) into a malloc'd *cert.
 * Returns 0, or 4 with a message in err. */
int mbpf_tool_cert(const mbpf_loaded *l, const mbpf_program *p, const mbpf_profile *pr, void *arena,
                   size_t arena_len, uint8_t **cert, size_t *cert_len, int partial, char *err,
                   size_t errlen);

/* Write a certificate into a malloc'd buffer (the full verifier must accept p). Returns NULL
 * with a message in err. */
uint8_t *mbpf_tool_cert_build(const mbpf_program *p, const mbpf_profile *pr, size_t *cert_len,
                              char *err, size_t errlen);

/* Print cert in a readable form: header, each state, the loop claims. */
void mbpf_cert_print(FILE *f, const mbpf_program *p, const uint8_t *cert, size_t len);

#endif
