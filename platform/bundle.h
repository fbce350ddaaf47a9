/* The file the host hands to a runner firmware over semihosting: one program, its memory and the
 * run parameters. Little-endian, fixed layout; the device never parses ELF. */
#ifndef MCUBPF_PLATFORM_BUNDLE_H
#define MCUBPF_PLATFORM_BUNDLE_H

#include <stdint.h>

#define MBPF_BUNDLE_MAGIC 0x4250424du /* "MBPB" */
#define MBPF_BUNDLE_VERSION 1u

enum { MBPF_ENGINE_INTERP = 0, MBPF_ENGINE_JIT = 1, MBPF_ENGINE_AOT = 2 };

/* Followed by: insns (n_insns * 8), rodata, data, mem, code (AOT only), each padded to 8 bytes. */
typedef struct mbpf_bundle_header {
    uint32_t magic;
    uint32_t version;
    uint32_t engine;
    uint32_t n_insns;
    uint32_t rodata_len;
    uint32_t data_len;
    uint32_t mem_len;
    uint32_t code_len;   /* AOT: translated code produced on the host */
    uint32_t code_entry; /* AOT: entry offset in the code */
    uint32_t budget_lo;
    uint32_t budget_hi;
    uint32_t reserved;
} mbpf_bundle_header;

#endif
