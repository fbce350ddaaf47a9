/* Every RV32IM encoder form, decoded back by the RISC-V toolchain's objdump and compared as text
 * (Capstone 4.0 in Debian has no RISC-V). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jit/rv32/rv_encode.h"

typedef struct expect {
    uint32_t insn;
    const char *text; /* objdump -M no-aliases,numeric spelling, operands without spaces */
} expect;

/* compressed: each 32-bit instruction must have a 16-bit form, and objdump must read it back */
static void check_all_impl(const expect *ex, size_t n, int compressed)
{
    char path[] = "/tmp/mcubpf-rvXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    for (size_t i = 0; i < n; i++) {
        uint16_t c;
        if (compressed) {
            cr_assert(rv_compress(ex[i].insn, &c), "no 16-bit form for %s", ex[i].text);
            cr_assert_eq(write(fd, &c, 2), 2);
        } else {
            cr_assert_eq(write(fd, &ex[i].insn, 4), 4);
        }
    }
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "riscv64-unknown-elf-objdump -D -b binary -m riscv:rv32 -M no-aliases,numeric %s", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    char line[256];
    size_t k = 0;
    while (fgets(line, sizeof line, p)) {
        /* "   0:\t00a50533          \tadd\tx10,x10,x10" */
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2 || !strchr(line, ':'))
            continue;
        char text[128];
        snprintf(text, sizeof text, "%s", tab2 + 1);
        text[strcspn(text, "\n")] = 0;
        for (char *c = text; *c; c++)
            if (*c == '\t')
                *c = ' ';
        char *hash = strstr(text, " #"); /* branch targets print a comment */
        if (hash)
            *hash = 0;
        cr_assert_lt(k, n);
        cr_expect_str_eq(text, ex[k].text, "insn %zu (%08x): got \"%s\", expected \"%s\"", k, ex[k].insn,
                         text, ex[k].text);
        k++;
    }
    pclose(p);
    unlink(path);
    cr_expect_eq(k, n, "objdump decoded %zu of %zu instructions", k, n);
}

static void check_all(const expect *ex, size_t n)
{
    check_all_impl(ex, n, 0);
}

Test(rv_encode, register_register)
{
    const expect ex[] = {
        {rv_op(RV_ADD, RV_A0, RV_A1, RV_A2), "add x10,x11,x12"},
        {rv_sub(RV_S2, RV_S3, RV_T0), "sub x18,x19,x5"},
        {rv_op(RV_SLTU, RV_T1, RV_T0, RV_A7), "sltu x6,x5,x17"},
        {rv_op(RV_SLT, RV_T0, RV_S10, RV_S11), "slt x5,x26,x27"},
        {rv_op(RV_XOR, RV_T6, RV_T5, RV_T4), "xor x31,x30,x29"},
        {rv_op(RV_OR, RV_A0, RV_A0, RV_ZERO), "or x10,x10,x0"},
        {rv_op(RV_AND, RV_A3, RV_A4, RV_A5), "and x13,x14,x15"},
        {rv_op(RV_SLL, RV_A0, RV_A0, RV_T3), "sll x10,x10,x28"},
        {rv_op(RV_SRL, RV_A0, RV_A0, RV_T3), "srl x10,x10,x28"},
        {rv_sra(RV_A0, RV_A0, RV_T3), "sra x10,x10,x28"},
        {rv_mop(RV_MUL, RV_T0, RV_A0, RV_A1), "mul x5,x10,x11"},
        {rv_mop(RV_MULHU, RV_T1, RV_A0, RV_A2), "mulhu x6,x10,x12"},
        {rv_mop(RV_DIV, RV_T0, RV_S2, RV_S4), "div x5,x18,x20"},
        {rv_mop(RV_DIVU, RV_T0, RV_S2, RV_S4), "divu x5,x18,x20"},
        {rv_mop(RV_REM, RV_S2, RV_S2, RV_S4), "rem x18,x18,x20"},
        {rv_mop(RV_REMU, RV_S2, RV_S2, RV_S4), "remu x18,x18,x20"},
    };
    check_all(ex, sizeof ex / sizeof ex[0]);
}

Test(rv_encode, immediates_loads_stores)
{
    const expect ex[] = {
        {rv_opi(RV_ADD, RV_SP, RV_SP, -64), "addi x2,x2,-64"},
        {rv_opi(RV_ADD, RV_A0, RV_ZERO, 2047), "addi x10,x0,2047"},
        {rv_opi(RV_ADD, RV_A0, RV_ZERO, -2048), "addi x10,x0,-2048"},
        {rv_opi(RV_SLTU, RV_T1, RV_A2, 1), "sltiu x6,x12,1"},
        {rv_opi(RV_AND, RV_T0, RV_A0, 255), "andi x5,x10,255"},
        {rv_opi(RV_XOR, RV_T0, RV_A0, -1), "xori x5,x10,-1"},
        {rv_opi(RV_OR, RV_T0, RV_A0, 16), "ori x5,x10,16"},
        {rv_slli(RV_T0, RV_A0, 24), "slli x5,x10,0x18"},
        {rv_srli(RV_T0, RV_A0, 31), "srli x5,x10,0x1f"},
        {rv_srai(RV_A1, RV_A0, 31), "srai x11,x10,0x1f"},
        {rv_lui(RV_T2, 0x10), "lui x7,0x10"},
        {rv_lui(RV_T2, 0xfffff), "lui x7,0xfffff"},
        {rv_load(RV_LW, RV_S0, RV_S1, 12), "lw x8,12(x9)"},
        {rv_load(RV_LB, RV_A0, RV_T3, -1), "lb x10,-1(x28)"},
        {rv_load(RV_LBU, RV_A0, RV_T3, 0), "lbu x10,0(x28)"},
        {rv_load(RV_LH, RV_A0, RV_S0, -512), "lh x10,-512(x8)"},
        {rv_load(RV_LHU, RV_A0, RV_S0, 2046), "lhu x10,2046(x8)"},
        {rv_store(RV_SW, RV_A0, RV_S1, 108), "sw x10,108(x9)"},
        {rv_store(RV_SH, RV_A1, RV_T3, -2), "sh x11,-2(x28)"},
        {rv_store(RV_SB, RV_T1, RV_S0, -2048), "sb x6,-2048(x8)"},
        {rv_fence_i(), "fence.i"},
    };
    check_all(ex, sizeof ex / sizeof ex[0]);
}

Test(rv_encode, branches_and_jumps)
{
    /* objdump prints targets as absolute addresses; each entry sits at 4 * index */
    const expect ex[] = {
        {rv_branch(RV_BEQ, RV_A0, RV_A1, 8), "beq x10,x11,0x8"},
        {rv_branch(RV_BNE, RV_T0, RV_ZERO, -4), "bne x5,x0,0x0"},
        {rv_branch(RV_BLT, RV_A0, RV_A1, 4094), "blt x10,x11,0x1006"},
        {rv_branch(RV_BGE, RV_A0, RV_A1, -4096), "bge x10,x11,0xfffff00c"},
        {rv_branch(RV_BLTU, RV_T3, RV_T0, 32), "bltu x28,x5,0x30"},
        {rv_branch(RV_BGEU, RV_T1, RV_T3, 8), "bgeu x6,x28,0x1c"},
        {rv_jal(RV_ZERO, 0x100), "jal x0,0x118"},
        {rv_jal(RV_RA, -0x1c), "jal x1,0x0"},
        {rv_jal(RV_ZERO, 0xffffe), "jal x0,0x10001e"},
        {rv_jalr(RV_RA, RV_T0, 0), "jalr x1,0(x5)"},
        {rv_jalr(RV_ZERO, RV_RA, 0), "jalr x0,0(x1)"},
    };
    check_all(ex, sizeof ex / sizeof ex[0]);
}

Test(rv_encode, compressed_forms)
{
    const expect ex[] = {
        {rv_opi(RV_ADD, RV_A0, RV_A0, 1), "c.addi x10,1"},
        {rv_opi(RV_ADD, RV_A0, RV_ZERO, -5), "c.li x10,-5"},
        {rv_opi(RV_ADD, RV_A0, RV_T0, 0), "c.mv x10,x5"},
        {rv_opi(RV_ADD, RV_SP, RV_SP, -64), "c.addi16sp x2,-64"},
        {rv_slli(RV_T0, RV_T0, 3), "c.slli x5,0x3"},
        {rv_srli(RV_A0, RV_A0, 4), "c.srli x10,0x4"},
        {rv_srai(RV_S1, RV_S1, 31), "c.srai x9,0x1f"},
        {rv_opi(RV_AND, RV_A2, RV_A2, -1), "c.andi x12,-1"},
        {rv_op(RV_ADD, RV_S2, RV_S2, RV_T0), "c.add x18,x5"},
        {rv_op(RV_ADD, RV_T1, RV_T3, RV_T1), "c.add x6,x28"},
        {rv_sub(RV_A0, RV_A0, RV_A1), "c.sub x10,x11"},
        {rv_op(RV_XOR, RV_A0, RV_A0, RV_S1), "c.xor x10,x9"},
        {rv_op(RV_OR, RV_A2, RV_A3, RV_A2), "c.or x12,x13"},
        {rv_op(RV_AND, RV_S0, RV_S0, RV_A5), "c.and x8,x15"},
        {rv_lui(RV_T2, 0x1f), "c.lui x7,0x1f"},
        {rv_lui(RV_T2, 0xfffff), "c.lui x7,0xfffff"},
        {rv_load(RV_LW, RV_A0, RV_S1, 124), "c.lw x10,124(x9)"},
        {rv_load(RV_LW, RV_RA, RV_SP, 252), "c.lwsp x1,252(x2)"},
        {rv_store(RV_SW, RV_A0, RV_S1, 104), "c.sw x10,104(x9)"},
        {rv_store(RV_SW, RV_S11, RV_SP, 48), "c.swsp x27,48(x2)"},
        {rv_jalr(RV_ZERO, RV_RA, 0), "c.jr x1"},
        {rv_jalr(RV_RA, RV_T0, 0), "c.jalr x5"},
    };
    check_all_impl(ex, sizeof ex / sizeof ex[0], 1);
}

Test(rv_encode, no_compressed_form_where_none_exists)
{
    uint16_t c;
    cr_expect(!rv_compress(rv_opi(RV_ADD, RV_A0, RV_A1, 1), &c), "addi with rd != rs1");
    cr_expect(!rv_compress(rv_opi(RV_ADD, RV_A0, RV_A0, 40), &c), "immediate beyond 6 bits");
    cr_expect(!rv_compress(rv_op(RV_XOR, RV_T0, RV_T0, RV_T1), &c), "registers outside x8-x15");
    cr_expect(!rv_compress(rv_load(RV_LW, RV_A0, RV_S1, 128), &c), "offset beyond c.lw");
    cr_expect(!rv_compress(rv_load(RV_LB, RV_A0, RV_S1, 0), &c), "byte loads have no 16-bit form");
    cr_expect(!rv_compress(rv_branch(RV_BEQ, RV_A0, RV_ZERO, 8), &c), "branches stay 32-bit");
    cr_expect(!rv_compress(rv_jal(RV_ZERO, 8), &c), "jumps stay 32-bit");
    cr_expect(!rv_compress(rv_opi(RV_ADD, RV_SP, RV_SP, -72), &c), "addi16sp needs a multiple of 16");
}
