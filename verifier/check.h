/* Private parts of the certificate checker (check.c, check_cfg.c). */
#ifndef MCUBPF_VERIFIER_CHECK_H
#define MCUBPF_VERIFIER_CHECK_H

#include "verifier/verifier_internal.h"

/* The CFG rules of cfg.c in st->marks plus scratch (one word per instruction). Sets
 * st->first_callee and *back_edges (jumps to themselves or before). Returns -1 on rejection. */
int vcheck_cfg(vstate *st, uint32_t *scratch, uint32_t *back_edges);

#endif
