/* The load and trust messages of the runtime, the image parser and the signature block, each
 * with its short code. MBPF_WITH_MESSAGES=0 (include/mcubpf/config.h) keeps only the codes in
 * the firmware; this list is where a host tool or a reader turns a code back into its text. The
 * code's letter is the part that refused: I image, S signature block, T trust policy, R runtime. */
#ifndef MCUBPF_RUNTIME_MESSAGES_H
#define MCUBPF_RUNTIME_MESSAGES_H

#include "mcubpf/config.h"

#if MBPF_WITH_MESSAGES
#define MBPF_MSG(code, text) text
#else
#define MBPF_MSG(code, text) code
#endif

#define MSG_IMAGE_SHORT MBPF_MSG("I1", "image: shorter than its header")
#define MSG_IMAGE_MAGIC MBPF_MSG("I2", "image: bad magic")
#define MSG_IMAGE_VERSION MBPF_MSG("I3", "image: unsupported version or header")
#define MSG_IMAGE_LENGTH MBPF_MSG("I4", "image: length does not match its header")
#define MSG_IMAGE_OTHER_TARGET MBPF_MSG("I5", "image: built for another target")
#define MSG_IMAGE_UNKNOWN_TARGET MBPF_MSG("I6", "image: unknown target")
#define MSG_IMAGE_SECTION MBPF_MSG("I7", "image: a section lies outside the image")
#define MSG_IMAGE_ENTRY MBPF_MSG("I8", "image: entry point outside the code")
#define MSG_IMAGE_HASH MBPF_MSG("I9", "image: SHA-256 mismatch (corrupted or altered)")

#define MSG_SIG_VERSION MBPF_MSG("S1", "signature: unsupported signature block version")
#define MSG_SIG_ALG MBPF_MSG("S2", "signature: unknown signature algorithm")
#define MSG_SIG_RESERVED MBPF_MSG("S3", "signature: reserved field of the signature block is not zero")
#define MSG_SIG_LENGTH MBPF_MSG("S4", "signature: signed length does not match the buffer")
#define MSG_SIG_UNSIGNED MBPF_MSG("S5", "signature: not signed")
#define MSG_SIG_NO_CHECK MBPF_MSG("S6", "signature: no signature check registered")
#define MSG_SIG_BAD MBPF_MSG("S7", "signature: does not verify (altered after signing, or forged)")
#define MSG_SIG_UNKNOWN_KEY MBPF_MSG("S8", "signature: signed by a key that is not registered")

#define MSG_TRUST_REQUIRED \
    MBPF_MSG("T1", "signature: not signed (the policy requires a signature by a registered key)")
#define MSG_TRUST_BLOCK_MISSING MBPF_MSG("T2", "signature: marked signed but its signature block is missing")
#define MSG_TRUST_NOT_MARKED MBPF_MSG("T3", "signature: signature block on an artefact not marked signed")
#define MSG_TRUST_AOT_UNSIGNED \
    MBPF_MSG("T4", "signature: AOT image not signed (images need a signature by a registered key)")
#define MSG_TRUST_OTHER_HOOK MBPF_MSG("T5", "runtime: program built for another hook")
#define MSG_TRUST_ROLLBACK \
    MBPF_MSG("T6", "runtime: older version than the one loaded for this hook (rollback)")
#define MSG_TRUST_NO_ROOM MBPF_MSG("T7", "runtime: no room to record the version of another hook")

#define MSG_RT_DATA_SIZE MBPF_MSG("R1", "runtime: program data larger than the slot's buffer")
#define MSG_RT_NO_NATIVE MBPF_MSG("R2", "runtime: no native engine in this build")
#define MSG_RT_AOT_POLICY MBPF_MSG("R3", "runtime: AOT images are not accepted (policy)")
#define MSG_RT_CODE_ALIGN MBPF_MSG("R4", "runtime: image code is not 4-byte aligned in memory")
#define MSG_RT_HELPER MBPF_MSG("R5", "runtime: image calls a helper outside the tenant's permissions")
#define MSG_RT_ARGS MBPF_MSG("R6", "runtime: missing program slot, tenant, stack or buffer")
#define MSG_RT_TENANT_ID \
    MBPF_MSG("R7", "runtime: tenant ids 0xfffffffe and 0xffffffff are reserved (kv markers)")
#define MSG_RT_MAGIC MBPF_MSG("R8", "runtime: neither a bytecode container nor an AOT image")
#define MSG_RT_NO_BYTECODE \
    MBPF_MSG("R9", "runtime: bytecode containers are not accepted in this build (AOT images only)")
#define MSG_RT_BUSY MBPF_MSG("R10", "runtime: load, replace, unload or run from inside a run (a helper)")
#define MSG_RT_REPLACE MBPF_MSG("R11", "runtime: replace needs a loaded program")

#endif
