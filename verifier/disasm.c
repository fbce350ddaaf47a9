/* One-line disassembly of an instruction, in the syntax of the conformance suites' assembler.
 * Used in every error message, so it must handle any bytes, valid or not. Without
 * MBPF_WITH_DISASM (device builds by default) only the opcode is printed, "op 0x61": the host
 * tools, which hold the program, render the full line from it and the pc. */

#include "mcubpf/config.h"
#include "mcubpf/verifier.h"

#if MBPF_WITH_DISASM

typedef struct outbuf {
    char *p;
    size_t left;
} outbuf;

static void put_char(outbuf *o, char c)
{
    if (o->left > 1) {
        *o->p++ = c;
        o->left--;
    }
}

static void put_str(outbuf *o, const char *s)
{
    while (*s)
        put_char(o, *s++);
}

static void put_udec(outbuf *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(o, tmp[--n]);
}

static void put_sdec(outbuf *o, int64_t v)
{
    if (v < 0) {
        put_char(o, '-');
        put_udec(o, 0 - (uint64_t)v);
    } else {
        put_udec(o, (uint64_t)v);
    }
}

static void put_hex(outbuf *o, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    int shift = 60;
    put_str(o, "0x");
    while (shift > 0 && ((v >> shift) & 0xf) == 0)
        shift -= 4;
    for (; shift >= 0; shift -= 4)
        put_char(o, digits[(v >> shift) & 0xf]);
}

static void put_reg(outbuf *o, unsigned r)
{
    put_char(o, 'r');
    put_udec(o, r);
}

/* Signed offset with explicit sign, e.g. "+3", "-8". */
static void put_off(outbuf *o, int64_t off)
{
    if (off >= 0)
        put_char(o, '+');
    put_sdec(o, off);
}

static void put_mem(outbuf *o, unsigned r, int16_t off)
{
    put_char(o, '[');
    put_reg(o, r);
    if (off)
        put_off(o, off);
    put_char(o, ']');
}

static const char *const alu_names[16] = {"add", "sub", "mul", "div", "or", "and", "lsh", "rsh",
                                          "neg", "mod", "xor", "mov", "arsh", "end", NULL, NULL};
static const char *const jmp_names[16] = {"ja", "jeq", "jgt", "jge", "jset", "jne", "jsgt", "jsge",
                                          "call", "exit", "jlt", "jle", "jslt", "jsle", NULL, NULL};
static const char *const size_names[4] = {"w", "h", "b", "dw"};

static void invalid(outbuf *o, const mbpf_insn *in)
{
    put_str(o, "invalid ");
    put_hex(o, in->code);
}

static void disasm_alu(outbuf *o, const mbpf_insn *in)
{
    const int is64 = MBPF_CLASS(in->code) == MBPF_ALU64;
    const unsigned op = MBPF_OP(in->code) >> 4;
    const char *name = alu_names[op];
    if (!name) {
        invalid(o, in);
        return;
    }
    if (MBPF_OP(in->code) == MBPF_END) {
        put_str(o, is64 ? "bswap" : (MBPF_SRCBIT(in->code) ? "be" : "le"));
        put_sdec(o, in->imm);
        put_char(o, ' ');
        put_reg(o, MBPF_DST(in));
        return;
    }
    if (MBPF_OP(in->code) == MBPF_DIV && in->off == 1)
        name = "sdiv";
    else if (MBPF_OP(in->code) == MBPF_MOD && in->off == 1)
        name = "smod";
    if (MBPF_OP(in->code) == MBPF_MOV && in->off) {
        put_str(o, "movsx");
        put_sdec(o, in->off);
        put_str(o, is64 ? "64" : "32");
    } else {
        put_str(o, name);
        if (!is64)
            put_str(o, "32");
    }
    put_char(o, ' ');
    put_reg(o, MBPF_DST(in));
    if (MBPF_OP(in->code) == MBPF_NEG)
        return;
    put_str(o, ", ");
    if (MBPF_SRCBIT(in->code))
        put_reg(o, MBPF_SRC(in));
    else
        put_sdec(o, in->imm);
}

static void disasm_jmp(outbuf *o, const mbpf_insn *in)
{
    const int is32 = MBPF_CLASS(in->code) == MBPF_JMP32;
    const unsigned op = MBPF_OP(in->code);
    const char *name = jmp_names[op >> 4];
    if (!name) {
        invalid(o, in);
        return;
    }
    if (op == MBPF_EXIT) {
        put_str(o, "exit");
        return;
    }
    if (op == MBPF_CALL) {
        if (MBPF_SRCBIT(in->code)) {
            put_str(o, "callx ");
            put_reg(o, MBPF_DST(in));
        } else if (MBPF_SRC(in) == MBPF_CALL_LOCAL) {
            put_str(o, "call local ");
            put_off(o, in->imm);
        } else {
            put_str(o, "call ");
            put_sdec(o, in->imm);
        }
        return;
    }
    if (op == MBPF_JA) {
        put_str(o, is32 ? "ja32 " : "ja ");
        put_off(o, is32 ? in->imm : in->off);
        return;
    }
    put_str(o, name);
    if (is32)
        put_str(o, "32");
    put_char(o, ' ');
    put_reg(o, MBPF_DST(in));
    put_str(o, ", ");
    if (MBPF_SRCBIT(in->code))
        put_reg(o, MBPF_SRC(in));
    else
        put_sdec(o, in->imm);
    put_str(o, ", ");
    put_off(o, in->off);
}

static void disasm_mem(outbuf *o, const mbpf_insn *in, const mbpf_insn *next)
{
    const uint8_t cls = MBPF_CLASS(in->code), mode = MBPF_MODE(in->code);
    const char *sz = size_names[MBPF_SIZE(in->code) >> 3];
    if (in->code == MBPF_OPC_LDDW) {
        uint64_t hi = next ? (uint32_t)next->imm : 0;
        put_str(o, "lddw ");
        put_reg(o, MBPF_DST(in));
        put_str(o, ", ");
        if (MBPF_SRC(in) == MBPF_LDDW_REGION) {
            put_str(o, in->imm == MBPF_REGION_ID_RODATA ? "rodata" :
                       in->imm == MBPF_REGION_ID_DATA ? "data" : "region?");
            put_char(o, '+');
            put_hex(o, hi);
        } else {
            put_hex(o, (uint64_t)(uint32_t)in->imm | hi << 32);
        }
        return;
    }
    if (cls == MBPF_LDX && (mode == MBPF_MEM || mode == MBPF_MEMSX)) {
        put_str(o, mode == MBPF_MEMSX ? "ldxs" : "ldx");
        put_str(o, sz);
        put_char(o, ' ');
        put_reg(o, MBPF_DST(in));
        put_str(o, ", ");
        put_mem(o, MBPF_SRC(in), in->off);
        return;
    }
    if ((cls == MBPF_ST || cls == MBPF_STX) && mode == MBPF_MEM) {
        put_str(o, cls == MBPF_ST ? "st" : "stx");
        put_str(o, sz);
        put_char(o, ' ');
        put_mem(o, MBPF_DST(in), in->off);
        put_str(o, ", ");
        if (cls == MBPF_ST)
            put_sdec(o, in->imm);
        else
            put_reg(o, MBPF_SRC(in));
        return;
    }
    if (cls == MBPF_STX && mode == MBPF_ATOMIC) {
        const char *op;
        switch (in->imm & ~MBPF_FETCH) {
        case MBPF_ADD: op = "add"; break;
        case MBPF_OR: op = "or"; break;
        case MBPF_AND: op = "and"; break;
        case MBPF_XOR: op = "xor"; break;
        case MBPF_XCHG & ~MBPF_FETCH: op = "xchg"; break;
        case MBPF_CMPXCHG & ~MBPF_FETCH: op = "cmpxchg"; break;
        default: op = "?"; break;
        }
        put_str(o, "lock ");
        if ((in->imm & MBPF_FETCH) && in->imm != MBPF_XCHG && in->imm != MBPF_CMPXCHG)
            put_str(o, "fetch ");
        put_str(o, op);
        if (MBPF_SIZE(in->code) == MBPF_W)
            put_str(o, "32");
        put_char(o, ' ');
        put_mem(o, MBPF_DST(in), in->off);
        put_str(o, ", ");
        put_reg(o, MBPF_SRC(in));
        return;
    }
    if (cls == MBPF_LD && (mode == MBPF_ABS || mode == MBPF_IND)) {
        put_str(o, mode == MBPF_ABS ? "ldabs" : "ldind");
        put_str(o, sz);
        put_str(o, " (legacy)");
        return;
    }
    invalid(o, in);
}

void mbpf_disasm(const mbpf_insn *insn, const mbpf_insn *next, char *buf, size_t len)
{
    outbuf o = {buf, len};
    if (!len)
        return;
    switch (MBPF_CLASS(insn->code)) {
    case MBPF_ALU:
    case MBPF_ALU64: disasm_alu(&o, insn); break;
    case MBPF_JMP:
    case MBPF_JMP32: disasm_jmp(&o, insn); break;
    default: disasm_mem(&o, insn, next); break;
    }
    *o.p = '\0';
}

#else

void mbpf_disasm(const mbpf_insn *insn, const mbpf_insn *next, char *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const char form[] = {'o', 'p', ' ', '0', 'x', digits[insn->code >> 4], digits[insn->code & 15u]};
    size_t n = 0;
    (void)next;
    if (!len)
        return;
    for (; n < sizeof form && n + 1 < len; n++)
        buf[n] = form[n];
    buf[n] = '\0';
}

#endif
