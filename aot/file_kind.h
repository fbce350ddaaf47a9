/* What a file given to a tool is, told by its first bytes: an eBPF ELF object, a bytecode
 * container, an AOT image, or something else (named when recognised); raw bytecode only when asked
 * for or when nothing else matches and the bytes look like a program. */
#ifndef MCUBPF_AOT_FILE_KIND_H
#define MCUBPF_AOT_FILE_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "aot/loader.h"

typedef enum mbpf_file_kind {
    MBPF_FILE_EMPTY,
    MBPF_FILE_ELF,       /* an ELF file (the loader checks that it is an eBPF object) */
    MBPF_FILE_CONTAINER, /* "MBPC": bytecode container (bpfpack) */
    MBPF_FILE_IMAGE,     /* "MBPI": AOT image (bpf2thumb, bpf2rv32) */
    MBPF_FILE_OTHER,     /* recognised, not a program (LLVM bitcode, text, archive, ...) */
    MBPF_FILE_RAW,       /* plausible raw bytecode */
    MBPF_FILE_UNKNOWN,
} mbpf_file_kind;

/* Kind of buf, and a short description ("LLVM bitcode", "AOT image for thumb2, 120 bytes of
 * code") in desc. */
mbpf_file_kind mbpf_file_detect(const uint8_t *buf, size_t len, char *desc, size_t desc_len);

/* How mbpf_load_program reads raw bytecode. */
#define MBPF_RAW_GUESS 0 /* only when nothing else matches and it looks like a program */
#define MBPF_RAW_FORCE 1 /* --raw: the file is raw bytecode, whatever its first bytes */

/* Load the program of PATH: an ELF object (section/function `section`), a container's bytecode,
 * or raw bytecode. *guessed_raw is set when the file was taken as raw bytecode without --raw.
 * Returns 0, or -1 with a one-line message saying what the file is. */
int mbpf_load_program(const char *path, const char *section, int raw, mbpf_loaded *out,
                      int *guessed_raw, char *err, size_t errlen);

/* The same from a buffer already read. */
int mbpf_load_program_buffer(const char *path, const uint8_t *buf, size_t len, const char *section,
                             int raw, mbpf_loaded *out, int *guessed_raw, char *err, size_t errlen);

/* "SELF: MSG  [file.c:LINE]" on stderr: a verifier (or profile) message with the C line of the
 * instruction it is about, when the object had line info. l may be NULL. */
void mbpf_print_verify_error(const char *self, const mbpf_loaded *l, const char *msg, uint32_t pc);

#endif
