/* The file the host hands to a runner firmware over semihosting: one program, its memory and the
 * run parameters. Little-endian, fixed layout; the device never parses ELF. */
#ifndef MCUBPF_PLATFORM_BUNDLE_H
#define MCUBPF_PLATFORM_BUNDLE_H

#include <stdint.h>

#define MBPF_BUNDLE_MAGIC 0x4250424du /* "MBPB" */
#define MBPF_BUNDLE_VERSION 2u

enum { MBPF_ENGINE_INTERP = 0, MBPF_ENGINE_JIT = 1, MBPF_ENGINE_AOT = 2 };

/* mbpf_bundle_header.flags */
#define MBPF_BUNDLE_RUNTIME 0x1u /* run through the runtime API as a tenant's program: code holds a
                                  * bytecode container or an AOT image, the default helpers are
                                  * registered; otherwise the engine runs the bytecode directly
                                  * with the conformance helpers */

/* Records after the code in runtime mode: kv entries to preload, then settings. */
enum { MBPF_BUNDLE_SET_HELPER = 0, /* id: a stand-in helper returning value */
       MBPF_BUNDLE_SET_SENSOR = 1, /* id: channel whose reading is value */
       MBPF_BUNDLE_SET_NOW = 2 };  /* now_ms returns value */
typedef struct mbpf_bundle_setting {
    uint32_t kind, id;
    uint64_t value;
} mbpf_bundle_setting;

/* Followed by: insns (n_insns * 8), rodata, data, mem, code, kv entries (n_kv * 16), settings
 * (n_settings * 16), each padded to 8 bytes. In runtime mode insns, rodata and data are empty. */
typedef struct mbpf_bundle_header {
    uint32_t magic;
    uint32_t version;
    uint32_t engine;
    uint32_t n_insns;
    uint32_t rodata_len;
    uint32_t data_len;
    uint32_t mem_len;
    uint32_t code_len;   /* AOT: translated code produced on the host; runtime mode: the file */
    uint32_t code_entry; /* AOT: entry offset in the code */
    uint32_t budget_lo;
    uint32_t budget_hi;
    uint32_t flags;      /* MBPF_BUNDLE_* */
    /* runtime mode: the tenant */
    uint32_t helper_mask;
    uint32_t ctx_flags;
    uint32_t stack_len;
    uint32_t ctx_min_len;
    uint32_t profile_flags; /* MBPF_PROFILE_* */
    uint32_t n_kv;
    uint32_t n_settings;
    uint32_t reserved;
} mbpf_bundle_header;

#endif
