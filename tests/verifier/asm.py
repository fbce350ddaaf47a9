"""A small eBPF assembler for the verifier's accept/reject cases, in the syntax mbpf_disasm prints
(the conformance suites' syntax): "ldxw r0, [r3+8]", "jlt r3, r2, loop", "lddw r1, rodata+4".
Jump and local-call targets are "+N"/"-N" (relative to the next instruction) or a label defined as
"name:" on its own line. ".insn CODE DST SRC OFF IMM" emits any raw encoding."""
import re
import struct

ALU = {"add": 0x00, "sub": 0x10, "mul": 0x20, "div": 0x30, "or": 0x40, "and": 0x50, "lsh": 0x60,
       "rsh": 0x70, "neg": 0x80, "mod": 0x90, "xor": 0xa0, "mov": 0xb0, "arsh": 0xc0}
JMP = {"ja": 0x00, "jeq": 0x10, "jgt": 0x20, "jge": 0x30, "jset": 0x40, "jne": 0x50, "jsgt": 0x60,
       "jsge": 0x70, "jlt": 0xa0, "jle": 0xb0, "jslt": 0xc0, "jsle": 0xd0}
SIZE = {"w": 0x00, "h": 0x08, "b": 0x10, "dw": 0x18}
ATOMIC = {"add": 0x00, "or": 0x40, "and": 0x50, "xor": 0xa0, "xchg": 0xe1, "cmpxchg": 0xf1}
REGION = {"rodata": 0, "data": 1}


class AsmError(Exception):
    pass


def reg(tok):
    m = re.fullmatch(r"r(\d+)", tok.strip())
    if not m:
        raise AsmError("not a register: %r" % tok)
    return int(m.group(1))


def num(tok):
    return int(tok.strip(), 0)


def mem(tok):
    m = re.fullmatch(r"\[\s*r(\d+)\s*(?:([+-])\s*(\w+))?\s*\]", tok.strip())
    if not m:
        raise AsmError("not a memory operand: %r" % tok)
    off = int(m.group(3), 0) if m.group(3) else 0
    return int(m.group(1)), -off if m.group(2) == "-" else off


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhI", code, (dst & 0xf) | ((src & 0xf) << 4), off, imm & 0xffffffff)


def assemble(text):
    lines = []
    labels = {}
    for raw in text.splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.endswith(":"):
            labels[line[:-1]] = sum(2 if l.startswith("lddw") else 1 for l in lines)
            continue
        lines.append(line)
    out = []
    pc = 0

    def rel(tok, at):
        tok = tok.strip()
        if tok in labels:
            return labels[tok] - at - 1
        return num(tok)

    for line in lines:
        op, _, rest = line.partition(" ")
        args = [a for a in re.split(r",(?![^\[]*\])", rest)] if rest else []
        args = [a.strip() for a in args if a.strip()]
        m32 = op.endswith("32") and op not in ("le32", "be32", "bswap32")
        base = op[:-2] if m32 else op
        if op == ".insn":
            code, dst, src, off, imm = (num(a) for a in rest.split())
            out.append(insn(code, dst, src, off, imm))
        elif op == "exit":
            out.append(insn(0x95))
        elif op == "call":
            if args[0].startswith("local"):
                out.append(insn(0x85, 0, 1, 0, rel(args[0][5:], pc)))
            else:
                out.append(insn(0x85, 0, 0, 0, num(args[0])))
        elif op == "callx":
            out.append(insn(0x8d, reg(args[0])))
        elif op == "lddw":
            m = re.fullmatch(r"(rodata|data)\s*\+\s*(\w+)", args[1])
            if m:
                out.append(insn(0x18, reg(args[0]), 2, 0, REGION[m.group(1)]))
                out.append(insn(0, 0, 0, 0, int(m.group(2), 0)))
            else:
                v = num(args[1]) & 0xffffffffffffffff
                out.append(insn(0x18, reg(args[0]), 0, 0, v & 0xffffffff))
                out.append(insn(0, 0, 0, 0, v >> 32))
            pc += 1
        elif re.fullmatch(r"(le|be)(16|32|64)", op):
            out.append(insn(0xd4 | (0x08 if op.startswith("be") else 0), reg(args[0]), 0, 0, int(op[2:])))
        elif base in ALU:
            cls = 0x04 if m32 else 0x07
            if base == "neg":
                out.append(insn(cls | 0x80, reg(args[0])))
            elif args[1].startswith("r"):
                out.append(insn(cls | ALU[base] | 0x08, reg(args[0]), reg(args[1])))
            else:
                out.append(insn(cls | ALU[base], reg(args[0]), 0, 0, num(args[1])))
        elif base in JMP:
            cls = 0x06 if m32 else 0x05
            if base == "ja" and m32:  # the long jump keeps its offset in imm
                out.append(insn(cls, 0, 0, 0, rel(args[0], pc)))
            elif base == "ja":
                out.append(insn(cls, 0, 0, rel(args[0], pc)))
            elif args[1].startswith("r"):
                out.append(insn(cls | JMP[base] | 0x08, reg(args[0]), reg(args[1]), rel(args[2], pc)))
            else:
                out.append(insn(cls | JMP[base], reg(args[0]), 0, rel(args[2], pc), num(args[1])))
        elif op.startswith("ldx") and op[3:] in SIZE:
            s, o = mem(args[1])
            out.append(insn(0x61 | SIZE[op[3:]], reg(args[0]), s, o))
        elif op.startswith("stx") and op[3:] in SIZE:
            d, o = mem(args[0])
            out.append(insn(0x63 | SIZE[op[3:]], d, reg(args[1]), o))
        elif op.startswith("st") and op[2:] in SIZE:
            d, o = mem(args[0])
            out.append(insn(0x62 | SIZE[op[2:]], d, 0, o, num(args[1])))
        elif op == "lock":
            words = rest.split(None, 2) if rest.split()[0] == "fetch" else [None] + rest.split(None, 1)
            fetch = words[0] == "fetch"
            name = words[1]
            size = 0x00 if name.endswith("32") else 0x18
            name = name[:-2] if name.endswith("32") else name
            margs = [a.strip() for a in re.split(r",(?![^\[]*\])", words[2])]
            d, o = mem(margs[0])
            imm = ATOMIC[name] | (1 if fetch else 0)
            out.append(insn(0xc3 | size, d, reg(margs[1]), o, imm))
        else:
            raise AsmError("unknown instruction: %r" % line)
        pc += 1
    return b"".join(out)
