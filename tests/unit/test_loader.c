/* ELF loader tests on real clang -target bpf objects: the test vectors at -mcpu=v1/v2/v3 and the
 * fixtures in tests/loader/, all compiled by the build into LOADER_TEST_BUILD (the build directory,
 * passed on the compiler command line by mk/20-loader.mk). */
#include <criterion/criterion.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/loader.h"
#include "mcubpf/test_helpers.h"
#include "mcubpf/verifier.h"
#include "tests/exec_setup.h"

#ifndef LOADER_TEST_BUILD
#define LOADER_TEST_BUILD "build"
#endif

static char path_buf[512];

static const char *obj_path(const char *sub)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", LOADER_TEST_BUILD, sub);
    return path_buf;
}

static void load_ok(const char *sub, const char *section, mbpf_loaded *l)
{
    char err[256] = "";
    int rc = mbpf_load_file(obj_path(sub), section, l, err, sizeof err);
    cr_assert_eq(rc, 0, "loading %s (section %s) failed: %s", sub, section ? section : "-", err);
    cr_assert_gt(l->prog.n_insns, 0);
}

/* Load must fail with a message containing `want`. */
static void load_fails(const char *sub, const char *section, const char *want)
{
    char err[256] = "";
    mbpf_loaded l;
    int rc = mbpf_load_file(obj_path(sub), section, &l, err, sizeof err);
    cr_assert_eq(rc, -1, "loading %s should fail", sub);
    cr_assert(strstr(err, want) != NULL, "message for %s: '%s' lacks '%s'", sub, err, want);
    cr_assert(strchr(err, '\n') == NULL, "message is one line: '%s'", err);
}

static int verify(const mbpf_program *p, char *msg, size_t msglen)
{
    mbpf_verify_opts opts = {(1ull << MBPF_TEST_HELPER_COUNT) - 1, 0, 0,
                             MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result vr;
    size_t arena_size = mbpf_verify_arena_size(p->n_insns);
    void *arena = malloc(arena_size);
    mbpf_fact *facts = calloc(p->n_insns, sizeof *facts);
    cr_assert(arena && facts);
    memset(&vr, 0, sizeof vr);
    int rc = mbpf_verify(p, &opts, facts, arena, arena_size, &vr);
    snprintf(msg, msglen, "%s", vr.msg);
    free(arena);
    free(facts);
    return rc;
}

/* Verify and interpret p with no context; returns r0 (the run must succeed). */
static uint64_t run(const mbpf_program *p)
{
    static uint8_t stack[MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH] __attribute__((aligned(8)));
    char msg[256];
    cr_assert_eq(verify(p, msg, sizeof msg), 0, "verifier rejected: %s", msg);
    mbpf_exec x;
    test_exec_init(&x, p, NULL, 0, stack, sizeof stack, 1000000, NULL);
    mbpf_status s = mbpf_interp_run(&x);
    cr_assert_eq(s, MBPF_OK, "run stopped: %s at insn %u", mbpf_status_name(s), x.fault.pc);
    return x.r0;
}

static int count_region_lddw(const mbpf_program *p, int32_t region)
{
    int n = 0;
    for (uint32_t i = 0; i + 1 < p->n_insns; i++)
        if (p->insns[i].code == MBPF_OPC_LDDW && MBPF_SRC(&p->insns[i]) == MBPF_LDDW_REGION &&
            p->insns[i].imm == region)
            n++;
    return n;
}

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}

static const char *const cpus[] = {"v1", "v2", "v3"};

Test(loader, two_programs_need_a_choice)
{
    load_fails("loader-test/multi.o", NULL, "several programs (sec_a, sec_b)");
    load_fails("loader-test/multi.o", "nope", "no program section or function named 'nope'");
}

/* Each program section pulls in the .text functions it calls, the rodata table and the globals. */
Test(loader, section_selection_links_text_rodata_and_data)
{
    mbpf_loaded a, b;
    load_ok("loader-test/multi.o", "sec_a", &a);
    load_ok("loader-test/multi.o", "sec_b", &b);
    cr_assert_str_eq(a.name, "sec_a");
    cr_assert_eq(run(&a.prog), 116);  /* table[5] + 1 + bias + strlen("mcubpf") */
    /* sec_b does not call length(): it must be left out, or it would be unreachable code */
    cr_assert_eq(run(&b.prog), 4107); /* table[2] * 1000 + 7 + bias */
    cr_assert_lt(b.prog.n_insns, a.prog.n_insns);
    cr_assert(contains(a.prog.rodata, a.prog.rodata_len, (const uint8_t *)"mcubpf", 7),
              ".rodata.str1.1 is merged into rodata");
    static const uint8_t table[8] = {3, 1, 4, 1, 5, 9, 2, 6};
    cr_assert_geq(a.prog.rodata_len, sizeof table);
    cr_assert(contains(a.prog.rodata, a.prog.rodata_len, table, sizeof table));
    cr_assert_geq(a.prog.data_len, 16); /* bias (.data) then counter (.bss) */
    cr_assert_gt(count_region_lddw(&a.prog, MBPF_REGION_ID_RODATA), 0);
    cr_assert_gt(count_region_lddw(&a.prog, MBPF_REGION_ID_DATA), 0);
    mbpf_loaded_free(&a);
    mbpf_loaded_free(&b);
}

/* A function symbol selects that function (and what it calls), wherever it is in its section. */
Test(loader, function_name_selects_a_function)
{
    mbpf_loaded l;
    load_ok("loader-test/multi.o", "prog_b", &l);
    cr_assert_str_eq(l.name, "sec_b");
    cr_assert_eq(run(&l.prog), 4107);
    mbpf_loaded_free(&l);
    load_ok("loader-test/multi.o", "bump", &l); /* not the first function of .text */
    cr_assert_eq(run(&l.prog), 100);            /* counter 0 + bias 100 */
    mbpf_loaded_free(&l);
}

/* Every vector at every CPU level loads, passes the verifier, and has no unresolved references
 * left: no LDDW with a pseudo source other than region, no local call leaving the program. */
Test(loader, vectors_load_at_all_cpu_levels)
{
    static const char *const names[] = {"bubble", "byteswap", "checksum16", "crc8_table", "fib",
                                        "globals", "helpers", "local_calls", "math32", "math64",
                                        "signed_cmp", "stack_array", "strings", "structs",
                                        "sum_bytes", "switch_case"};
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char sub[128], msg[256];
            snprintf(sub, sizeof sub, "test-vectors/%s/%s.o", cpus[c], names[i]);
            mbpf_loaded l;
            load_ok(sub, NULL, &l);
            for (uint32_t k = 0; k < l.prog.n_insns; k++) {
                const mbpf_insn *in = &l.prog.insns[k];
                if (in->code == MBPF_OPC_LDDW) {
                    cr_assert(MBPF_SRC(in) == 0 || MBPF_SRC(in) == MBPF_LDDW_REGION, "%s insn %u",
                              sub, k);
                    k++;
                } else if (in->code == MBPF_OPC_CALL && MBPF_SRC(in) == MBPF_CALL_LOCAL) {
                    int64_t t = (int64_t)k + in->imm + 1;
                    cr_assert(t >= 0 && t < (int64_t)l.prog.n_insns, "%s call at %u", sub, k);
                }
            }
            cr_assert_eq(verify(&l.prog, msg, sizeof msg), 0, "%s: %s", sub, msg);
            mbpf_loaded_free(&l);
        }
}

/* Vectors that need no input run to their manifest values at every CPU level. */
Test(loader, vectors_without_input_run)
{
    for (size_t c = 0; c < 3; c++) {
        char sub[128];
        mbpf_loaded l;
        snprintf(sub, sizeof sub, "test-vectors/%s/fib.o", cpus[c]);
        load_ok(sub, NULL, &l);
        cr_assert_eq(run(&l.prog), 0xc899fae, "%s", sub);
        mbpf_loaded_free(&l);
        snprintf(sub, sizeof sub, "test-vectors/%s/strings.o", cpus[c]);
        load_ok(sub, NULL, &l);
        cr_assert_eq(run(&l.prog), 0x1159f0cb7ba99494ull, "%s", sub);
        mbpf_loaded_free(&l);
    }
}

Test(loader, unsupported_features_are_named)
{
    load_fails("bad-input/maps.o", NULL, "maps are not supported");
    load_fails("loader-test/core.o", NULL, "CO-RE");
    load_fails("loader-test/dataptr.o", NULL, "pointers in initialised data");
    load_fails("loader-test/kfunc.o", NULL, "external function 'outside'");
    load_fails("loader-test/fnptr.o", NULL, "function pointers are not supported");
}

Test(loader, raw_bytecode)
{
    /* mov r0, 7; exit */
    static const uint8_t code[16] = {0xb7, 0x00, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
    char err[256];
    mbpf_loaded l;
    cr_assert_eq(mbpf_load_buffer(code, sizeof code, NULL, &l, err, sizeof err), 0, "%s", err);
    cr_assert_eq(l.prog.n_insns, 2);
    cr_assert_str_eq(l.name, "raw");
    cr_assert_eq(run(&l.prog), 7);
    mbpf_loaded_free(&l);
    cr_assert_eq(mbpf_load_buffer(code, 12, NULL, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "not a multiple of 8") != NULL, "%s", err);
    cr_assert_eq(mbpf_load_buffer(code, 0, NULL, &l, err, sizeof err), -1);
    cr_assert(strstr(err, "empty") != NULL, "%s", err);
}

/* Every prefix of a real object is refused cleanly (or, for raw-looking prefixes, loaded):
 * never a crash or a sanitizer report. */
Test(loader, every_truncation_is_handled)
{
    size_t len;
    char err[256];
    uint8_t *buf = mbpf_read_file(obj_path("loader-test/multi.o"), &len, err, sizeof err);
    cr_assert(buf != NULL, "%s", err);
    int refused = 0;
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any overread */
        cr_assert(copy);
        memcpy(copy, buf, n);
        mbpf_loaded l;
        if (mbpf_load_buffer(copy, n, "sec_a", &l, err, sizeof err) == 0)
            mbpf_loaded_free(&l);
        else
            refused++;
        free(copy);
    }
    cr_assert_eq(refused, (int)len, "every truncated ELF is refused");
    free(buf);
}

/* File offset of function `fn` in .text of an object, found with libelf (0 = not found). */
static size_t function_offset(uint8_t *buf, size_t len, const char *fn)
{
    cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
    Elf *e = elf_memory((char *)buf, len);
    cr_assert(e != NULL);
    size_t result = 0, shstrndx;
    cr_assert_eq(elf_getshdrstrndx(e, &shstrndx), 0);
    for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        for (int k = 0; (size_t)k < sh.sh_size / sizeof(Elf64_Sym); k++) {
            GElf_Sym sym;
            gelf_getsym(d, k, &sym);
            const char *n = elf_strptr(e, sh.sh_link, sym.st_name);
            if (!n || strcmp(n, fn))
                continue;
            GElf_Shdr text;
            gelf_getshdr(elf_getscn(e, sym.st_shndx), &text);
            result = text.sh_offset + sym.st_value;
        }
    }
    elf_end(e);
    return result;
}

/* Functions are moved independently, so a jump out of one (hand-made; clang never emits it) is
 * refused rather than silently retargeted. */
Test(loader, jump_out_of_a_function_is_refused)
{
    size_t len;
    char err[256];
    uint8_t *buf = mbpf_read_file(obj_path("loader-test/multi.o"), &len, err, sizeof err);
    cr_assert(buf != NULL, "%s", err);
    size_t off = function_offset(buf, len, "length");
    cr_assert_gt(off, 0, "length() not found in multi.o");
    int patched = 0;
    for (size_t p = off; p + 8 <= len && !patched; p += 8) {
        uint8_t cls = buf[p] & 7;
        if ((cls == MBPF_JMP || cls == MBPF_JMP32) && buf[p] != MBPF_OPC_CALL &&
            buf[p] != MBPF_OPC_EXIT) {
            int16_t back = -200; /* far before the start of length() */
            memcpy(buf + p + 2, &back, sizeof back);
            patched = 1;
        }
    }
    cr_assert(patched, "no jump found in length()");
    mbpf_loaded l;
    cr_assert_eq(mbpf_load_buffer(buf, len, "sec_a", &l, err, sizeof err), -1);
    cr_assert(strstr(err, "leaves its function") != NULL, "%s", err);
    free(buf);
}
