/* ELF loader for clang -target bpf objects (libelf), and raw bytecode.
 *
 * The program is the selected executable section followed by every other executable section it
 * calls into (transitively). .rodata* sections are merged into one read-only blob; .data* then
 * .bss* into one writable blob. LDDW relocations to them become MBPF_LDDW_REGION references;
 * cross-section local calls get their relative immediates fixed. Every offset, size and index
 * from the file is checked before use. */
#include "aot/loader.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R_BPF_64_64 1
#define R_BPF_64_32 10
#define MAX_SECTIONS 4096

enum { SEC_OTHER, SEC_CODE, SEC_RODATA, SEC_DATA, SEC_BSS, SEC_MAPS };

typedef struct sec_info {
    int kind;
    const char *name;
    const uint8_t *bytes; /* NULL for NOBITS */
    size_t size;
    size_t rel_index;     /* SHT_REL section applying to it, 0 = none */
    int64_t base;         /* code: first insn index in the program (-1 = not included);
                           * data kinds: byte offset in the merged blob */
    Elf_Data *rel_data;   /* code: its relocations, and the entry (+1) for each insn, 0 = none */
    uint32_t *rel_at;
} sec_info;

typedef struct code_unit {
    size_t sec;
    uint32_t start, end;  /* instruction range in the section */
    int64_t base;         /* first instruction in the program, -1 = not linked in */
} code_unit;

typedef struct elf_ctx {
    Elf *elf;
    size_t nsec;
    sec_info *secs;
    Elf_Data *symtab;
    size_t symtab_link, nsyms;
    code_unit *units;     /* sorted by section and start */
    size_t n_units;
    code_unit **order;    /* linked units in program order */
    size_t n_order;
    char *err;
    size_t errlen;
} elf_ctx;

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

uint8_t *mbpf_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            fclose(f);
            fail(err, errlen, "%s: out of memory", path);
            return NULL;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        uint8_t *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fail(err, errlen, "%s: read error", path);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

void mbpf_loaded_free(mbpf_loaded *l)
{
    free(l->insns);
    free(l->rodata);
    free(l->data);
    free(l->lines);
    free(l->strings);
    free(l->cert);
    memset(l, 0, sizeof *l);
}

int mbpf_load_raw(const uint8_t *buf, size_t len, mbpf_loaded *out, char *err, size_t errlen)
{
    if (len == 0)
        return fail(err, errlen, "load: empty file");
    if (len % 8)
        return fail(err, errlen, "load: raw bytecode length %zu is not a multiple of 8 bytes", len);
    if (len / 8 > MBPF_MAX_INSNS)
        return fail(err, errlen, "load: %zu instructions exceed the limit of %d", len / 8,
                    MBPF_MAX_INSNS);
    out->insns = malloc(len);
    if (!out->insns)
        return fail(err, errlen, "load: out of memory");
    memcpy(out->insns, buf, len);
    out->prog.insns = out->insns;
    out->prog.n_insns = (uint32_t)(len / 8);
    snprintf(out->name, sizeof out->name, "raw");
    return 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Names from the file go into messages: anything unprintable or absurdly long is shown as "?". */
static const char *printable(const char *name)
{
    if (!name || !*name)
        return "?";
    size_t n = 0;
    for (const char *p = name; *p; p++, n++)
        if (*p < 0x20 || *p > 0x7e || n > 64)
            return "?";
    return name;
}

static int classify(elf_ctx *c, size_t shstrndx)
{
    for (size_t i = 1; i < c->nsec; i++) {
        Elf_Scn *scn = elf_getscn(c->elf, i);
        GElf_Shdr sh;
        if (!scn || !gelf_getshdr(scn, &sh))
            return fail(c->err, c->errlen, "load: bad section header %zu", i);
        const char *name = elf_strptr(c->elf, shstrndx, sh.sh_name);
        sec_info *s = &c->secs[i];
        s->name = printable(name);
        s->base = -1;
        if (sh.sh_type == SHT_SYMTAB) {
            if (c->symtab)
                return fail(c->err, c->errlen, "load: more than one symbol table");
            c->symtab = elf_getdata(scn, NULL);
            c->symtab_link = sh.sh_link;
            if (!c->symtab || sh.sh_entsize != sizeof(Elf64_Sym))
                return fail(c->err, c->errlen, "load: malformed symbol table");
            c->nsyms = c->symtab->d_size / sizeof(Elf64_Sym);
            continue;
        }
        if (sh.sh_type == SHT_REL) {
            if (sh.sh_info >= c->nsec || sh.sh_info == 0)
                return fail(c->err, c->errlen, "load: relocation section %s targets bad section %u",
                            s->name, (unsigned)sh.sh_info);
            c->secs[sh.sh_info].rel_index = i;
            continue;
        }
        if (sh.sh_type == SHT_RELA)
            return fail(c->err, c->errlen, "load: RELA relocations (%s) are not produced by clang "
                        "-target bpf and are not supported", s->name);
        if (!strcmp(s->name, "maps") || !strcmp(s->name, ".maps") || starts_with(s->name, "maps/")) {
            s->kind = SEC_MAPS;
            continue;
        }
        if (sh.sh_type != SHT_PROGBITS && sh.sh_type != SHT_NOBITS)
            continue;
        if (sh.sh_type == SHT_PROGBITS && sh.sh_size) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (!d || d->d_size != sh.sh_size || !d->d_buf)
                return fail(c->err, c->errlen, "load: section %s lies outside the file", s->name);
            s->bytes = d->d_buf;
        }
        s->size = sh.sh_size;
        if (sh.sh_flags & SHF_EXECINSTR) {
            if (sh.sh_type != SHT_PROGBITS || sh.sh_size % 8)
                return fail(c->err, c->errlen, "load: code section %s size %zu is not a multiple of 8",
                            s->name, (size_t)sh.sh_size);
            if (sh.sh_size)
                s->kind = SEC_CODE;
        } else if (sh.sh_flags & SHF_ALLOC) {
            if (sh.sh_type == SHT_NOBITS)
                s->kind = SEC_BSS;
            else if (sh.sh_flags & SHF_WRITE)
                s->kind = SEC_DATA;
            else
                s->kind = SEC_RODATA;
        }
    }
    return 0;
}

/* CO-RE relocations live in .BTF.ext (after the func/line info); they would change field offsets,
 * so an object that has any cannot be run as compiled. Header: magic u16, version u8, flags u8,
 * hdr_len u32, then off/len pairs for func_info, line_info and (hdr_len >= 32) core_relo. */
static int check_btf_ext(elf_ctx *c, const sec_info *s)
{
    if (!s->bytes || s->size < 8)
        return 0;
    uint32_t w[8];
    size_t n = s->size < sizeof w ? s->size : sizeof w;
    memset(w, 0, sizeof w);
    memcpy(w, s->bytes, n);
    if ((w[0] & 0xffff) != 0xeb9f)
        return 0;
    if (w[1] >= 32 && n >= 32 && w[7] != 0)
        return fail(c->err, c->errlen, "load: the object has CO-RE (BTF) relocations in .BTF.ext; "
                    "CO-RE is not supported");
    return 0;
}

/* Relocations inside .data/.rodata mean pointers in initialised data; their values would need the
 * run-time address of a region, which a program cannot hold in memory. Refuse them. */
static int check_data_relocs(elf_ctx *c)
{
    for (size_t i = 1; i < c->nsec; i++) {
        sec_info *s = &c->secs[i];
        if (!strcmp(s->name, ".BTF.ext") && check_btf_ext(c, s))
            return -1;
        if (s->kind != SEC_RODATA && s->kind != SEC_DATA)
            continue;
        if (!s->rel_index)
            continue;
        GElf_Shdr rsh;
        Elf_Scn *rscn = elf_getscn(c->elf, s->rel_index);
        if (rscn && gelf_getshdr(rscn, &rsh) && rsh.sh_size)
            return fail(c->err, c->errlen, "load: section %s holds relocated values (pointers in "
                        "initialised data), which are not supported", s->name);
    }
    return 0;
}

static int get_sym(elf_ctx *c, uint32_t idx, GElf_Sym *sym, const char **name)
{
    if (!c->symtab || idx == 0 || idx >= c->nsyms || !gelf_getsym(c->symtab, (int)idx, sym))
        return fail(c->err, c->errlen, "load: relocation refers to bad symbol index %u", idx);
    *name = printable(elf_strptr(c->elf, c->symtab_link, sym->st_name));
    return 0;
}

/* Find the program: a code section by name, a function symbol by name, or the only candidate. */
static int select_program(elf_ctx *c, const char *want, size_t *sec_out, uint64_t *entry_off)
{
    *entry_off = 0;
    if (want) {
        for (size_t i = 1; i < c->nsec; i++)
            if (c->secs[i].kind == SEC_CODE && !strcmp(c->secs[i].name, want)) {
                *sec_out = i;
                return 0;
            }
        for (size_t k = 1; k < c->nsyms; k++) {
            GElf_Sym sym;
            if (!gelf_getsym(c->symtab, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
                continue;
            const char *n = elf_strptr(c->elf, c->symtab_link, sym.st_name);
            if (n && !strcmp(n, want) && sym.st_shndx < c->nsec &&
                c->secs[sym.st_shndx].kind == SEC_CODE && sym.st_value % 8 == 0 &&
                sym.st_value < c->secs[sym.st_shndx].size) {
                *sec_out = sym.st_shndx;
                *entry_off = sym.st_value / 8;
                return 0;
            }
        }
        return fail(c->err, c->errlen, "load: no program section or function named '%s'", want);
    }
    size_t found = 0, count = 0, text = 0;
    char names[256] = "";
    for (size_t i = 1; i < c->nsec; i++) {
        if (c->secs[i].kind != SEC_CODE)
            continue;
        if (!strcmp(c->secs[i].name, ".text")) {
            text = i;
            continue;
        }
        count++;
        found = i;
        if (strlen(names) + strlen(c->secs[i].name) + 3 < sizeof names) {
            strcat(names, count > 1 ? ", " : "");
            strcat(names, c->secs[i].name);
        }
    }
    if (count == 1) {
        *sec_out = found;
        return 0;
    }
    if (count == 0 && text) {
        /* several global functions in .text: which one is the program is not ours to guess */
        size_t globals = 0;
        char fnames[256] = "";
        for (size_t k = 1; k < c->nsyms; k++) {
            GElf_Sym sym;
            if (!gelf_getsym(c->symtab, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
                GELF_ST_BIND(sym.st_info) != STB_GLOBAL || sym.st_shndx != text)
                continue;
            const char *n = printable(elf_strptr(c->elf, c->symtab_link, sym.st_name));
            globals++;
            if (strlen(fnames) + strlen(n) + 3 < sizeof fnames) {
                strcat(fnames, globals > 1 ? ", " : "");
                strcat(fnames, n);
            }
        }
        if (globals > 1)
            return fail(c->err, c->errlen,
                        "load: .text holds several global functions (%s); choose one with --section "
                        "NAME (or put the program in its own section, SEC(\"name\"))", fnames);
        *sec_out = text;
        return 0;
    }
    if (count == 0)
        return fail(c->err, c->errlen, "load: the object contains no code");
    return fail(c->err, c->errlen, "load: several programs (%s); choose one with --section", names);
}

/* Code is laid out per function: a unit runs from a function symbol (or the section start) to the
 * next one. Only the units reachable from the entry through local calls are linked in, so unused
 * functions in .text do not become unreachable code in the program. */
static int cmp_unit(const void *pa, const void *pb)
{
    const code_unit *a = pa, *b = pb;
    if (a->sec != b->sec)
        return a->sec < b->sec ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int build_units(elf_ctx *c)
{
    size_t cap = c->nsec + c->nsyms, n = 0;
    c->units = calloc(cap ? cap : 1, sizeof *c->units);
    if (!c->units)
        return fail(c->err, c->errlen, "load: out of memory");
    for (size_t i = 1; i < c->nsec; i++)
        if (c->secs[i].kind == SEC_CODE)
            c->units[n++] = (code_unit){i, 0, 0, -1};
    for (size_t k = 1; k < c->nsyms; k++) {
        GElf_Sym sym;
        if (!gelf_getsym(c->symtab, (int)k, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
            continue;
        if (sym.st_shndx >= c->nsec || c->secs[sym.st_shndx].kind != SEC_CODE)
            continue;
        if (sym.st_value % 8 || sym.st_value >= c->secs[sym.st_shndx].size)
            return fail(c->err, c->errlen, "load: function symbol at bad offset 0x%llx in %s",
                        (unsigned long long)sym.st_value, c->secs[sym.st_shndx].name);
        c->units[n++] = (code_unit){sym.st_shndx, (uint32_t)(sym.st_value / 8), 0, -1};
    }
    qsort(c->units, n, sizeof *c->units, cmp_unit);
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (m == 0 || c->units[m - 1].sec != c->units[k].sec ||
            c->units[m - 1].start != c->units[k].start)
            c->units[m++] = c->units[k];
    for (size_t k = 0; k < m; k++) {
        int last = k + 1 == m || c->units[k + 1].sec != c->units[k].sec;
        c->units[k].end = last ? (uint32_t)(c->secs[c->units[k].sec].size / 8) : c->units[k + 1].start;
    }
    c->n_units = m;
    return 0;
}

/* The unit of section sec holding instruction idx, or NULL. */
static code_unit *find_unit(elf_ctx *c, size_t sec, uint64_t idx)
{
    size_t lo = 0, hi = c->n_units;
    while (lo < hi) { /* first unit after (sec, idx) */
        size_t mid = lo + (hi - lo) / 2;
        const code_unit *u = &c->units[mid];
        if (u->sec < sec || (u->sec == sec && u->start <= idx))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    code_unit *u = &c->units[lo - 1];
    return u->sec == sec && idx >= u->start && idx < u->end ? u : NULL;
}

/* Index each code section's relocations by instruction, checking offsets once. */
static int index_relocs(elf_ctx *c)
{
    for (size_t i = 1; i < c->nsec; i++) {
        sec_info *s = &c->secs[i];
        if (s->kind != SEC_CODE || !s->rel_index)
            continue;
        s->rel_data = elf_getdata(elf_getscn(c->elf, s->rel_index), NULL);
        if (!s->rel_data)
            return fail(c->err, c->errlen, "load: unreadable relocations for %s", s->name);
        s->rel_at = calloc(s->size / 8, sizeof *s->rel_at);
        if (!s->rel_at)
            return fail(c->err, c->errlen, "load: out of memory");
        size_t nrel = s->rel_data->d_size / sizeof(Elf64_Rel);
        for (size_t r = 0; r < nrel && r < UINT32_MAX; r++) {
            GElf_Rel rel;
            if (!gelf_getrel(s->rel_data, (int)r, &rel))
                return fail(c->err, c->errlen, "load: bad relocation entry in %s", s->name);
            if (rel.r_offset % 8 || rel.r_offset >= s->size)
                return fail(c->err, c->errlen, "load: relocation offset 0x%llx is not an "
                            "instruction of %s",
                            (unsigned long long)rel.r_offset, s->name);
            if (s->rel_at[rel.r_offset / 8])
                return fail(c->err, c->errlen, "load: two relocations on one instruction in %s",
                            s->name);
            s->rel_at[rel.r_offset / 8] = (uint32_t)r + 1;
        }
    }
    return 0;
}

static int reloc_at(elf_ctx *c, size_t sec, uint32_t idx, GElf_Rel *rel)
{
    sec_info *s = &c->secs[sec];
    if (!s->rel_at || !s->rel_at[idx])
        return 0;
    if (!gelf_getrel(s->rel_data, (int)(s->rel_at[idx] - 1), rel))
        return fail(c->err, c->errlen, "load: bad relocation entry in %s", s->name);
    return 1;
}

/* Target unit and instruction of the local call at (sec, idx): through its relocation if it has
 * one (clang's calls between functions), else relative within the section. */
static int call_target(elf_ctx *c, size_t sec, uint32_t idx, code_unit **tu, uint64_t *tidx)
{
    int32_t imm; /* the section's bytes may be unaligned in a hostile file: copy, don't cast */
    memcpy(&imm, c->secs[sec].bytes + (size_t)idx * 8 + 4, sizeof imm);
    GElf_Rel rel;
    int has = reloc_at(c, sec, idx, &rel);
    if (has < 0)
        return -1;
    size_t tsec = sec;
    int64_t t = (int64_t)idx + imm + 1;
    if (has) {
        GElf_Sym sym;
        const char *sname;
        if (GELF_R_TYPE(rel.r_info) != R_BPF_64_32)
            return fail(c->err, c->errlen, "load: call at insn %u of %s has relocation type %u",
                        idx, c->secs[sec].name, (unsigned)GELF_R_TYPE(rel.r_info));
        if (get_sym(c, (uint32_t)GELF_R_SYM(rel.r_info), &sym, &sname))
            return -1;
        if (sym.st_shndx == SHN_UNDEF)
            return fail(c->err, c->errlen, "load: call to external function '%s' (kfunc or "
                        "extern) is not supported", sname);
        if (sym.st_shndx >= c->nsec || c->secs[sym.st_shndx].kind != SEC_CODE)
            return fail(c->err, c->errlen, "load: call relocation to '%s' outside code", sname);
        tsec = sym.st_shndx;
        t = (int64_t)(sym.st_value / 8) + imm + 1;
    }
    *tu = t >= 0 ? find_unit(c, tsec, (uint64_t)t) : NULL;
    if (!*tu)
        return fail(c->err, c->errlen, "load: call at insn %u of %s lands outside code", idx,
                    c->secs[sec].name);
    *tidx = (uint64_t)t;
    return 0;
}

/* Lay out the entry unit first, then each unit reachable through local calls, in order of
 * discovery; sets each included unit's base. */
static int layout_code(elf_ctx *c, size_t first, uint64_t entry_off, uint32_t *n_insns)
{
    if (build_units(c) || index_relocs(c))
        return -1;
    code_unit *entry = find_unit(c, first, entry_off);
    if (!entry || entry->start != entry_off)
        return fail(c->err, c->errlen, "load: the program entry is not the start of a function");
    c->order = calloc(c->n_units, sizeof *c->order);
    if (!c->order)
        return fail(c->err, c->errlen, "load: out of memory");
    size_t n_order = 0;
    uint64_t total = 0;
    entry->base = 0;
    c->order[n_order++] = entry;
    for (size_t k = 0; k < n_order; k++) {
        code_unit *u = c->order[k];
        const uint8_t *code = c->secs[u->sec].bytes;
        u->base = (int64_t)total;
        total += u->end - u->start;
        if (total > MBPF_MAX_INSNS)
            return fail(c->err, c->errlen, "load: program exceeds %d instructions", MBPF_MAX_INSNS);
        for (uint32_t i = u->start; i < u->end; i++) {
            uint8_t op = code[(size_t)i * 8], regs = code[(size_t)i * 8 + 1];
            if (op == MBPF_OPC_LDDW) {
                i++;
                continue;
            }
            if (op != MBPF_OPC_CALL || (regs >> 4) != MBPF_CALL_LOCAL)
                continue;
            code_unit *t;
            uint64_t tidx;
            if (call_target(c, u->sec, i, &t, &tidx))
                return -1;
            if (t->base < 0) {
                t->base = (int64_t)total; /* marks it queued; the real base is set above */
                c->order[n_order++] = t;
            }
        }
    }
    *n_insns = (uint32_t)total;
    c->n_order = n_order;
    return 0;
}

static int layout_data(elf_ctx *c, mbpf_loaded *out)
{
    size_t ro = 0, rw = 0;
    for (int pass = 0; pass < 3; pass++) {
        int kind = pass == 0 ? SEC_RODATA : pass == 1 ? SEC_DATA : SEC_BSS;
        for (size_t i = 1; i < c->nsec; i++) {
            sec_info *s = &c->secs[i];
            if (s->kind != kind)
                continue;
            size_t *cur = kind == SEC_RODATA ? &ro : &rw;
            *cur = (*cur + 7) & ~(size_t)7;
            s->base = (int64_t)*cur;
            if (s->size > 0x1000000 || *cur + s->size > 0x1000000)
                return fail(c->err, c->errlen, "load: data section %s too large", s->name);
            *cur += s->size;
        }
    }
    out->rodata = calloc(1, ro ? ro : 1);
    out->data = calloc(1, rw ? rw : 1);
    if (!out->rodata || !out->data)
        return fail(c->err, c->errlen, "load: out of memory");
    for (size_t i = 1; i < c->nsec; i++) {
        sec_info *s = &c->secs[i];
        if ((s->kind == SEC_RODATA || s->kind == SEC_DATA) && s->size)
            memcpy((s->kind == SEC_RODATA ? out->rodata : out->data) + s->base, s->bytes, s->size);
    }
    out->prog.rodata = out->rodata;
    out->prog.rodata_len = (uint32_t)ro;
    out->prog.data = out->data;
    out->prog.data_len = (uint32_t)rw;
    return 0;
}

/* Functions are moved independently, so a jump from one into another (which clang never
 * emits) would silently change its target: refuse it. */
static int jump_leaves_unit(const mbpf_insn *in, uint32_t i, const code_unit *u)
{
    uint8_t cls = MBPF_CLASS(in->code);
    if ((cls != MBPF_JMP && cls != MBPF_JMP32) || in->code == MBPF_OPC_CALL ||
        in->code == MBPF_OPC_EXIT)
        return 0;
    /* JA in the JMP32 class carries its offset in imm */
    int64_t off = in->code == (MBPF_JMP32 | MBPF_JA) ? in->imm : in->off;
    int64_t t = (int64_t)i + off + 1;
    return t < (int64_t)u->start || t >= (int64_t)u->end;
}

/* Copy one unit to its place and resolve its data references and local calls. */
static int link_unit(elf_ctx *c, const code_unit *u, mbpf_insn *insns)
{
    sec_info *s = &c->secs[u->sec];
    memcpy(insns + u->base, s->bytes + (size_t)u->start * 8, (size_t)(u->end - u->start) * 8);
    for (uint32_t i = u->start; i < u->end; i++) {
        uint64_t pc = (uint64_t)u->base + (i - u->start);
        mbpf_insn *in = &insns[pc];
        if (jump_leaves_unit(in, i, u))
            return fail(c->err, c->errlen, "load: jump at insn %u of %s leaves its function", i,
                        s->name);
        if (in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL) {
            code_unit *t;
            uint64_t tidx;
            if (call_target(c, u->sec, i, &t, &tidx))
                return -1;
            in->imm = (int32_t)((int64_t)((uint64_t)t->base + (tidx - t->start)) - (int64_t)pc - 1);
            continue;
        }
        GElf_Rel rel;
        int has = reloc_at(c, u->sec, i, &rel);
        if (has < 0)
            return -1;
        if (!has)
            continue;
        GElf_Sym sym;
        const char *sname;
        uint32_t type = (uint32_t)GELF_R_TYPE(rel.r_info);
        if (get_sym(c, (uint32_t)GELF_R_SYM(rel.r_info), &sym, &sname))
            return -1;
        if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= c->nsec)
            return fail(c->err, c->errlen, "load: insn %llu refers to external symbol '%s' (extern, "
                        "kfunc or ksym), which is not supported", (unsigned long long)pc, sname);
        sec_info *t = &c->secs[sym.st_shndx];
        if (type != R_BPF_64_64)
            return fail(c->err, c->errlen, "load: relocation type %u at insn %llu of %s is not "
                        "supported%s", type, (unsigned long long)pc, s->name,
                        type == R_BPF_64_32 ? " (it is not on a local call)" :
                        type == 2 || type == 3 ? " (R_BPF_64_ABS64/ABS32 on code are BTF-era "
                        "features)" : "");
        if (in->code != MBPF_OPC_LDDW || i + 1 >= u->end)
            return fail(c->err, c->errlen, "load: 64-bit relocation at insn %llu is not on an lddw",
                        (unsigned long long)pc);
        if (t->kind == SEC_MAPS)
            return fail(c->err, c->errlen, "load: insn %llu uses map '%s': maps are not supported",
                        (unsigned long long)pc, sname);
        if (t->kind == SEC_CODE)
            return fail(c->err, c->errlen, "load: insn %llu takes the address of function '%s': "
                        "function pointers are not supported", (unsigned long long)pc, sname);
        if (t->kind != SEC_RODATA && t->kind != SEC_DATA && t->kind != SEC_BSS)
            return fail(c->err, c->errlen, "load: insn %llu refers to '%s' in unsupported section %s",
                        (unsigned long long)pc, sname, t->name);
        uint64_t off = sym.st_value + (uint32_t)in->imm;
        if (off > t->size)
            return fail(c->err, c->errlen, "load: insn %llu refers past the end of %s",
                        (unsigned long long)pc, t->name);
        in->regs = MBPF_REGS(MBPF_DST(in), MBPF_LDDW_REGION);
        in->imm = t->kind == SEC_RODATA ? MBPF_REGION_ID_RODATA : MBPF_REGION_ID_DATA;
        insns[pc + 1].imm = (int32_t)(uint32_t)((uint64_t)t->base + off);
    }
    return 0;
}

/* ---- source lines: the line_info of .BTF.ext, names in the string table of .BTF ----
 * .BTF header: magic u16, version u8, flags u8, hdr_len, type_off, type_len, str_off, str_len.
 * .BTF.ext header: magic u16, version u8, flags u8, hdr_len, func_info off/len, line_info off/len.
 * line_info: rec_size, then per section {sec_name_off, num_info, records of rec_size bytes:
 * insn_off (bytes), file_name_off, line_off, line << 10 | column}. Anything malformed only means
 * that no lines are known. */
static uint32_t rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static const sec_info *find_section(const elf_ctx *c, const char *name)
{
    for (size_t i = 1; i < c->nsec; i++)
        if (c->secs[i].bytes && !strcmp(c->secs[i].name, name))
            return &c->secs[i];
    return NULL;
}

static int cmp_line(const void *pa, const void *pb)
{
    const mbpf_src_line *a = pa, *b = pb;
    return a->pc < b->pc ? -1 : a->pc > b->pc;
}

static void load_lines(elf_ctx *c, mbpf_loaded *out)
{
    const sec_info *btf = find_section(c, ".BTF"), *ext = find_section(c, ".BTF.ext");
    if (!btf || !ext || btf->size < 24 || ext->size < 24 || (rd32(btf->bytes) & 0xffff) != 0xeb9f ||
        (rd32(ext->bytes) & 0xffff) != 0xeb9f)
        return;
    uint64_t str_at = (uint64_t)rd32(btf->bytes + 4) + rd32(btf->bytes + 16);
    uint32_t str_len = rd32(btf->bytes + 20);
    uint64_t li_at = (uint64_t)rd32(ext->bytes + 4) + rd32(ext->bytes + 16);
    uint32_t li_len = rd32(ext->bytes + 20);
    if (str_at + str_len > btf->size || li_at + li_len > ext->size || li_len < 4 || !str_len)
        return;
    const uint8_t *li = ext->bytes + li_at;
    uint32_t rec = rd32(li);
    if (rec < 16)
        return;
    size_t cap = li_len / rec + 1, n = 0;
    mbpf_src_line *lines = calloc(cap, sizeof *lines);
    char *strings = malloc(str_len + 1);
    if (!lines || !strings)
        goto fail;
    memcpy(strings, btf->bytes + str_at, str_len);
    strings[str_len] = 0;
    for (uint64_t p = 4; p + 8 <= li_len;) {
        uint32_t name_off = rd32(li + p), count = rd32(li + p + 4);
        p += 8;
        if (name_off >= str_len || (uint64_t)count * rec > li_len - p)
            goto fail;
        size_t sec = 0;
        for (size_t i = 1; i < c->nsec; i++)
            if (c->secs[i].kind == SEC_CODE && !strcmp(c->secs[i].name, strings + name_off))
                sec = i;
        for (uint32_t k = 0; k < count; k++, p += rec) {
            uint32_t insn_off = rd32(li + p), file_off = rd32(li + p + 4), lc = rd32(li + p + 12);
            code_unit *u = sec && insn_off % 8 == 0 ? find_unit(c, sec, insn_off / 8) : NULL;
            if (!u || u->base < 0 || file_off >= str_len || n == cap)
                continue;
            mbpf_src_line l = {(uint32_t)(u->base + (insn_off / 8 - u->start)), file_off, lc >> 10};
            lines[n++] = l;
        }
    }
    qsort(lines, n, sizeof *lines, cmp_line);
    out->lines = lines;
    out->n_lines = (uint32_t)n;
    out->strings = strings;
    out->strings_len = str_len;
    return;
fail:
    free(lines);
    free(strings);
}

int mbpf_loaded_source_line(const mbpf_loaded *l, uint32_t pc, const char **file, uint32_t *line)
{
    const mbpf_src_line *best = NULL;
    for (uint32_t i = 0; i < l->n_lines && l->lines[i].pc <= pc; i++)
        best = &l->lines[i];
    if (!best || !best->line)
        return -1;
    const char *f = l->strings + best->file_off, *slash = strrchr(f, '/');
    *file = slash ? slash + 1 : f;
    *line = best->line;
    return 0;
}

static int load_elf(const uint8_t *buf, size_t len, const char *section, mbpf_loaded *out,
                    char *err, size_t errlen)
{
    elf_ctx c;
    memset(&c, 0, sizeof c);
    c.err = err;
    c.errlen = errlen;
    int rc = -1;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(err, errlen, "load: libelf initialisation failed");
    c.elf = elf_memory((char *)(uintptr_t)buf, len);
    if (!c.elf || elf_kind(c.elf) != ELF_K_ELF) {
        fail(err, errlen, "load: not a valid ELF file");
        goto out;
    }
    GElf_Ehdr eh;
    if (!gelf_getehdr(c.elf, &eh) || gelf_getclass(c.elf) != ELFCLASS64) {
        fail(err, errlen, "load: not a 64-bit ELF file");
        goto out;
    }
    if (eh.e_machine != EM_BPF || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_type != ET_REL) {
        fail(err, errlen, "load: not a little-endian relocatable eBPF object (machine %u, type %u)",
             (unsigned)eh.e_machine, (unsigned)eh.e_type);
        goto out;
    }
    size_t shstrndx;
    if (elf_getshdrnum(c.elf, &c.nsec) || elf_getshdrstrndx(c.elf, &shstrndx) || c.nsec == 0 ||
        c.nsec > MAX_SECTIONS) {
        fail(err, errlen, "load: malformed or too many section headers");
        goto out;
    }
    c.secs = calloc(c.nsec, sizeof *c.secs);
    if (!c.secs) {
        fail(err, errlen, "load: out of memory");
        goto out;
    }
    if (classify(&c, shstrndx) || check_data_relocs(&c))
        goto out;
    size_t first = 0;
    uint64_t entry_off = 0;
    uint32_t n = 0;
    if (select_program(&c, section, &first, &entry_off))
        goto out;
    if (layout_code(&c, first, entry_off, &n) || layout_data(&c, out))
        goto out;
    out->insns = calloc(n, sizeof(mbpf_insn));
    if (!out->insns) {
        fail(err, errlen, "load: out of memory");
        goto out;
    }
    for (size_t k = 0; k < c.n_order; k++)
        if (link_unit(&c, c.order[k], out->insns))
            goto out;
    out->prog.insns = out->insns;
    out->prog.n_insns = n;
    snprintf(out->name, sizeof out->name, "%s", c.secs[first].name);
    load_lines(&c, out);
    rc = 0;
out:
    for (size_t i = 0; c.secs && i < c.nsec; i++)
        free(c.secs[i].rel_at);
    free(c.secs);
    free(c.units);
    free(c.order);
    if (c.elf)
        elf_end(c.elf);
    if (rc)
        mbpf_loaded_free(out);
    return rc;
}

int mbpf_load_buffer(const uint8_t *buf, size_t len, const char *section, mbpf_loaded *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len >= 4 && !memcmp(buf, "\177ELF", 4))
        return load_elf(buf, len, section, out, err, errlen);
    return mbpf_load_raw(buf, len, out, err, errlen);
}

int mbpf_load_file(const char *path, const char *section, mbpf_loaded *out, char *err, size_t errlen)
{
    size_t len;
    memset(out, 0, sizeof *out);
    uint8_t *buf = mbpf_read_file(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = mbpf_load_buffer(buf, len, section, out, err, errlen);
    free(buf);
    return rc;
}
