/* File kinds by magic (aot/file_kind.h). */
#include "aot/file_kind.h"
#include "mcubpf/verifier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/container.h"
#include "mcubpf/image.h"
#include "mcubpf/sign.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *target_name(uint32_t t)
{
    return t == MBPF_TARGET_THUMB2 ? "thumb2" : t == MBPF_TARGET_RV32IMC ? "rv32imc" : "an unknown target";
}

static int mostly_text(const uint8_t *buf, size_t len)
{
    size_t printable = 0;
    for (size_t i = 0; i < len; i++)
        printable += (buf[i] >= 0x20 && buf[i] < 0x7f) || buf[i] == '\n' || buf[i] == '\r' ||
                     buf[i] == '\t';
    return printable == len;
}

/* Raw bytecode that could be a program: whole instructions, every opcode of a real class with a
 * register field in range, and the last instruction an exit or a jump. */
static int plausible_raw(const uint8_t *buf, size_t len)
{
    if (len == 0 || len % 8 || len / 8 > MBPF_MAX_INSNS || mostly_text(buf, len))
        return 0;
    uint8_t last = buf[len - 8];
    if (last != MBPF_OPC_EXIT && last != (MBPF_JMP | 0x00))
        return 0;
    for (size_t i = 0; i < len; i += 8)
        if ((buf[i + 1] & 0x0f) > 10)
            return 0;
    return 1;
}

mbpf_file_kind mbpf_file_detect(const uint8_t *buf, size_t len, char *desc, size_t desc_len)
{
    if (len == 0) {
        snprintf(desc, desc_len, "an empty file");
        return MBPF_FILE_EMPTY;
    }
    if (len >= 4 && !memcmp(buf, "\177ELF", 4)) {
        snprintf(desc, desc_len, "an ELF file");
        return MBPF_FILE_ELF;
    }
    if (len >= 4 && le32(buf) == MBPF_CONTAINER_MAGIC) {
        snprintf(desc, desc_len, "a bytecode container (bpfpack)");
        return MBPF_FILE_CONTAINER;
    }
    if (len >= 4 && le32(buf) == MBPF_IMAGE_MAGIC) {
        if (len >= sizeof(mbpf_image_header)) {
            mbpf_image_header h;
            memcpy(&h, buf, sizeof h);
            snprintf(desc, desc_len, "an AOT image for %s (%u bytes of code, from %u eBPF instructions)",
                     target_name(h.target), h.code_len, h.n_insns);
        } else {
            snprintf(desc, desc_len, "a truncated AOT image");
        }
        return MBPF_FILE_IMAGE;
    }
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } others[] = {
        {"BC\xc0\xde", 4, "LLVM bitcode (compile with clang -c, without -emit-llvm)"},
        {"\xde\xc0\x17\x0b", 4, "LLVM bitcode (compile with clang -c, without -emit-llvm)"},
        {"!<arch>\n", 8, "an ar archive (give the object itself)"},
        {"\x1f\x8b", 2, "a gzip file"},
        {"MBPB", 4, "a runner bundle"},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (len >= others[i].len && !memcmp(buf, others[i].magic, others[i].len)) {
            snprintf(desc, desc_len, "%s", others[i].what);
            return MBPF_FILE_OTHER;
        }
    if (plausible_raw(buf, len)) {
        snprintf(desc, desc_len, "raw bytecode (%zu instructions)", len / 8);
        return MBPF_FILE_RAW;
    }
    if (mostly_text(buf, len)) {
        snprintf(desc, desc_len, "a text file%s",
                 strstr((const char *)buf, "#include") || strstr((const char *)buf, "int ")
                     ? " (C source? compile it with clang -O2 -target bpf -c)" : "");
        return MBPF_FILE_OTHER;
    }
    snprintf(desc, desc_len, "not an ELF object, container, AOT image or plausible raw bytecode");
    return MBPF_FILE_UNKNOWN;
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* A container's bytecode as a loaded program (data: the stored part, then zeros). */
static int load_container(const char *path, const uint8_t *buf, size_t len, mbpf_loaded *out,
                          char *err, size_t errlen)
{
    /* the parser wants an 8-byte aligned buffer */
    uint8_t *copy = malloc(len + 8);
    if (!copy)
        return fail(err, errlen, path, "out of memory");
    memcpy(copy, buf, len);
    mbpf_container_view v;
    const char *why = NULL;
    int rc = -1;
    /* a signed container: the host tools take its bytecode (bpfkey check checks the signature,
     * the device checks it at load), parsed without its signature block */
    mbpf_sig_block blk;
    int sig = mbpf_sig_find(copy, len, &blk, &why);
    if (sig < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        goto done;
    }
    if (sig == 1)
        len = blk.signed_len;
    if (mbpf_container_parse(copy, len, &v, &why)) {
        snprintf(err, errlen, "%s: %s", path, why ? why : "container: malformed");
        goto done;
    }
    memset(out, 0, sizeof *out);
    out->insns = malloc((size_t)v.n_insns * sizeof(mbpf_insn) + 1);
    out->rodata = malloc((size_t)v.rodata_len + 1);
    out->data = calloc(1, (size_t)v.data_len + 1);
    if (!out->insns || !out->rodata || !out->data) {
        mbpf_loaded_free(out);
        fail(err, errlen, path, "out of memory");
        goto done;
    }
    memcpy(out->insns, v.insns, (size_t)v.n_insns * sizeof(mbpf_insn));
    if (v.rodata_len)
        memcpy(out->rodata, v.rodata, v.rodata_len);
    if (v.data_init_len)
        memcpy(out->data, v.data_init, v.data_init_len);
    out->prog.insns = out->insns;
    out->prog.n_insns = v.n_insns;
    out->prog.rodata = v.rodata_len ? out->rodata : NULL;
    out->prog.rodata_len = v.rodata_len;
    out->prog.data = v.data_len ? out->data : NULL;
    out->prog.data_len = v.data_len;
    if (v.cert_len) {
        out->cert = malloc(v.cert_len);
        if (!out->cert) {
            mbpf_loaded_free(out);
            fail(err, errlen, path, "out of memory");
            goto done;
        }
        memcpy(out->cert, v.cert, v.cert_len);
        out->cert_len = v.cert_len;
    }
    snprintf(out->name, sizeof out->name, "container");
    rc = 0;
done:
    free(copy);
    return rc;
}

int mbpf_load_program_buffer(const char *path, const uint8_t *buf, size_t len, const char *section,
                             int raw, mbpf_loaded *out, int *guessed_raw, char *err, size_t errlen)
{
    char desc[160], msg[400];
    memset(out, 0, sizeof *out);
    if (guessed_raw)
        *guessed_raw = 0;
    if (raw == MBPF_RAW_FORCE) {
        if (section)
            return fail(err, errlen, path, "--section does not apply to raw bytecode");
        if (mbpf_load_raw(buf, len, out, msg, sizeof msg))
            return fail(err, errlen, path, msg);
        return 0;
    }
    mbpf_file_kind k = mbpf_file_detect(buf, len, desc, sizeof desc);
    switch (k) {
    case MBPF_FILE_ELF:
        if (mbpf_load_buffer(buf, len, section, out, msg, sizeof msg))
            return fail(err, errlen, path, msg);
        return 0;
    case MBPF_FILE_CONTAINER:
        if (section)
            return fail(err, errlen, path, "--section does not apply to a container (one program)");
        return load_container(path, buf, len, out, err, errlen);
    case MBPF_FILE_IMAGE:
        snprintf(msg, sizeof msg, "%s: it holds native code, no bytecode (bpfpack --info shows "
                 "images; bpfrun runs them with --target and --engine aot)", desc);
        return fail(err, errlen, path, msg);
    case MBPF_FILE_RAW:
        if (section)
            return fail(err, errlen, path, "--section given, but this is not an ELF object");
        if (mbpf_load_raw(buf, len, out, msg, sizeof msg))
            return fail(err, errlen, path, msg);
        if (guessed_raw)
            *guessed_raw = 1;
        return 0;
    default:
        snprintf(msg, sizeof msg, "%s%s", desc,
                 k == MBPF_FILE_UNKNOWN ? " (--raw reads any file as raw bytecode)" : "");
        return fail(err, errlen, path, msg);
    }
}

/* A device's message names the instruction by its opcode alone ("insn 6 (op 0x85): ...", see
 * MBPF_WITH_DISASM): the full disassembly in its place, from the program held here. */
static const char *full_line(const mbpf_loaded *l, const char *msg, uint32_t pc, char *buf, size_t cap)
{
    const char *op = strstr(msg, " (op 0x");
    const char *end = op ? strstr(op, "): ") : NULL;
    if (!l || !end || pc >= l->prog.n_insns)
        return msg;
    char dis[64];
    const mbpf_insn *in = &l->prog.insns[pc];
    mbpf_disasm(in, pc + 1 < l->prog.n_insns ? in + 1 : NULL, dis, sizeof dis);
    snprintf(buf, cap, "%.*s (%s%s", (int)(op - msg), msg, dis, end);
    return buf;
}

void mbpf_print_verify_error(const char *self, const mbpf_loaded *l, const char *msg, uint32_t pc)
{
    const char *file;
    uint32_t line;
    char full[512];
    msg = full_line(l, msg, pc, full, sizeof full);
    if (l && !mbpf_loaded_source_line(l, pc, &file, &line))
        fprintf(stderr, "%s: %s  [%s:%u]\n", self, msg, file, line);
    else
        fprintf(stderr, "%s: %s\n", self, msg);
}

int mbpf_load_program(const char *path, const char *section, int raw, mbpf_loaded *out,
                      int *guessed_raw, char *err, size_t errlen)
{
    size_t len;
    memset(out, 0, sizeof *out);
    uint8_t *buf = mbpf_read_file(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = mbpf_load_program_buffer(path, buf, len, section, raw, out, guessed_raw, err, errlen);
    free(buf);
    return rc;
}
