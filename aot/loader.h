/* Host-side program loader: relocatable ELF objects from clang -target bpf, or raw bytecode. */
#ifndef MCUBPF_AOT_LOADER_H
#define MCUBPF_AOT_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "mcubpf/vm.h"

/* Source position of an instruction (from the object's BTF line info, present with clang -g). */
typedef struct mbpf_src_line {
    uint32_t pc;       /* first instruction of the line's code */
    uint32_t file_off; /* file name: offset in mbpf_loaded.strings */
    uint32_t line;
} mbpf_src_line;

typedef struct mbpf_loaded {
    mbpf_program prog; /* points into the buffers below */
    mbpf_insn *insns;
    uint8_t *rodata;
    uint8_t *data;     /* .data followed by zeroed .bss */
    char name[64];     /* section of the program ("raw" for raw bytecode) */
    mbpf_src_line *lines; /* sorted by pc; NULL without debug info */
    uint32_t n_lines;
    char *strings;     /* the BTF string table the lines refer to */
    uint32_t strings_len;
    uint8_t *cert;     /* a container's verifier certificate (NULL: none) */
    uint32_t cert_len;
} mbpf_loaded;

/* The source file and line of instruction pc: 0, or -1 when the object had no line info. */
int mbpf_loaded_source_line(const mbpf_loaded *l, uint32_t pc, const char **file, uint32_t *line);

/* Load PATH: an ELF object (section or function name `section`, NULL = the only program) or raw
 * bytecode (a multiple of 8 bytes). Returns 0, or -1 with a one-line message in err. */
int mbpf_load_file(const char *path, const char *section, mbpf_loaded *out, char *err, size_t errlen);
int mbpf_load_buffer(const uint8_t *buf, size_t len, const char *section, mbpf_loaded *out,
                     char *err, size_t errlen);
/* Raw bytecode (a multiple of 8 bytes), whatever it looks like. */
int mbpf_load_raw(const uint8_t *buf, size_t len, mbpf_loaded *out, char *err, size_t errlen);
void mbpf_loaded_free(mbpf_loaded *l);

/* Read a whole file into a malloc'd buffer (NUL-terminated for convenience). */
uint8_t *mbpf_read_file(const char *path, size_t *len, char *err, size_t errlen);

#endif
