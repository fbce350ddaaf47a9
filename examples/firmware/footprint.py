#!/usr/bin/env python3
"""footprint.py FW_DIR LOG_DIR: the footprint report (markdown) of the example firmware links in
FW_DIR (the Cortex-M4's) and FW_DIR/rv32, from the toolchains' size and nm and the linker maps.
LOG_DIR/<board>/<build>.txt are the consoles of runs of each link: C stack peaks, the runtime's
state and the cost per call."""
import re
import subprocess
import sys

BOARDS = [
    ("m4", "Cortex-M4", "arm-none-eabi-", "", "Thumb-2"),
    ("rv32", "RV32IMC", "riscv64-unknown-elf-", "/rv32", "RV32"),
]
# (log name, elf name, column label, budget for the mcubpf code in bytes)
BUILDS = [
    ("native", "firmware-native", "native C hooks", None),
    ("interp", "firmware-interp", "interpreter + checker", 16 * 1024),
    ("jitonly", "firmware-jit", "JIT + checker", 30 * 1024),
    ("aot", "firmware-aot", "AOT images only", 8 * 1024),
    ("jit", "firmware", "all engines (defaults)", 30 * 1024),
]
RAM_BUDGET = 1024
HOOKS = 2  # programs the firmware keeps loaded: the scheduler probe and the packet filter
ROM_SECTIONS = {".init", ".text", ".rodata", ".data", ".tdata"}
RAM_SECTIONS = {".data", ".tdata", ".bss", ".tbss"}
ARENAS = [
    ("arena_code", "code arena (translated programs)"),
    ("arena_work", "work arena (checker and translator scratch, sized for the largest program)"),
    ("arena_interp", "pre-decoded programs (interpreter, 4 slots)"),
    ("arena_kv", "kv store (32 entries)"),
    ("arena_stack_", "eBPF stacks (2 tenants x 512 B)"),
    ("arena_progs", "program store (files read at boot)"),
]
# (pattern on the object's path, label, part of mcubpf); the first match wins
COMPONENTS = [
    (r"/(examples/firmware|platform)/", "firmware: scheduler, hooks, packets, output, board", False),
    (r"runtime/rt(_cache|_helpers|_trust)?\.o", "runtime API (rt.c, rt_cache.c, rt_helpers.c, rt_trust.c)", True),
    (r"runtime/interp(_decode|_facts)?\.o", "interpreter (interp.c, interp_decode.c)", True),
    (r"runtime/exec\.o", "execution model (exec.c: region checks, budget, status names)", True),
    (r"verifier/disasm\.o", "disassembler (verifier/disasm.c, MBPF_WITH_DISASM)", True),
    (r"verifier/|runtime/device_profile\.o", "device checker (certificate checker, device_profile.c)", True),
    (r"runtime/(container|sha256|sign)\.o", "container parser, SHA-256, signature block", True),
    (r"runtime/image\.o", "AOT image parser", True),
    (r"jit/(jit_runtime|thumb2/t2_run|rv32/rv_run)\.o", "native run glue (jit_runtime.c, *_run.c)", True),
    (r"jit/", "translator (jit/core.c, jit/mid, the board's backend)", True),
    (r"(libc|libgcc|libsemihost|libcrt0)\.a|crt0", "picolibc, libgcc (printf, semihosting, start-up, division)", False),
]
OTHER = "other (alignment, linker stubs)"


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sections(tools, elf):
    out = {}
    for line in run(tools + "size", "-A", elf).splitlines():
        f = line.split()
        if len(f) == 3 and f[0].startswith(".") and f[1].isdigit():
            out[f[0]] = int(f[1])
    return out


def symbols(tools, elf):
    out = {}
    for line in run(tools + "nm", "-S", elf).splitlines():
        f = line.split()
        if len(f) == 4:
            out[f[3]] = out.get(f[3], 0) + int(f[1], 16)
    return out


def component(path):
    for pat, name, _ in COMPONENTS:
        if re.search(pat, path):
            return name
    return OTHER


MCUBPF = {name for _, name, ours in COMPONENTS if ours}


def map_sizes(path):
    """{component: [rom, ram]} from the 'Linker script and memory map' part of a GNU ld map."""
    sizes = {}
    out_sec = None
    pending = None
    started = False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if not started:
            started = line.startswith("Linker script and memory map")
            continue
        m = re.match(r"^(\.\S+)", line)
        if m:
            out_sec = m.group(1)
            continue
        m = re.match(r"^ (\S+)(?:\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)(?:\s+(\S.*))?)?$", line)
        if m and not m.group(1).startswith("0x"):
            if m.group(2) is None:
                pending = m.group(1)
                continue
            size, src = int(m.group(3), 16), m.group(4) or ""
        else:
            m = re.match(r"^\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(\S.*)$", line)
            if not (m and pending):
                continue
            size, src = int(m.group(2), 16), m.group(3)
        pending = None
        if out_sec is None or not size:
            continue
        c = sizes.setdefault(component(src), [0, 0])
        if out_sec in ROM_SECTIONS:
            c[0] += size
        if out_sec in RAM_SECTIONS:
            c[1] += size
    return sizes


def console(path):
    """(largest C stack peak, (mbpf_runtime bytes, mbpf_prog bytes) or None) from a console log."""
    text = open(path, encoding="utf-8", errors="replace").read()
    peaks = [int(p) for p in re.findall(r"C stack peak: (\d+) bytes", text)]
    if not peaks or re.search(r"^error", text, re.M) or "\ndone" not in text:
        sys.exit(f"footprint: {path}: a run failed")
    m = re.search(r"runtime state: mbpf_runtime (\d+) B, mbpf_prog (\d+) B", text)
    return max(peaks), (int(m.group(1)), int(m.group(2))) if m else None


def costs(path, label):
    """[(label, probe v1, probe v2, filter)] per run in a console log (guest instructions per call)."""
    rows = []
    for run_text in open(path, encoding="utf-8", errors="replace").read().split("== example firmware")[1:]:
        m = re.search(r"runtime: engine (\w+)", run_text)
        per = dict(re.findall(r"^  (scheduler probe v1|scheduler probe v2|packet filter) .* (\d+) per call$",
                              run_text, re.M))
        name = label + (f", engine={m.group(1)}" if m else "")
        rows.append((name, per.get("scheduler probe v1"), per.get("scheduler probe v2"), per.get("packet filter")))
    return rows


def fmt(n):
    return f"{n:,}".replace(",", " ") if n else "-"


def kib(n):
    return f"{n / 1024:.1f} KiB"


def measure(fw_dir, log_dir, board):
    key, _, tools, sub, _ = board
    res = []
    for log, elf_name, label, budget in BUILDS:
        elf = f"{fw_dir}{sub}/{elf_name}.elf"
        peak, state = console(f"{log_dir}/{key}/{log}.txt")
        sec, sym = sections(tools, elf), symbols(tools, elf)
        comps = map_sizes(f"{fw_dir}{sub}/{elf_name}.map")
        ar = [sum(v for k, v in sym.items() if k.startswith(prefix)) for prefix, _ in ARENAS]
        res.append({
            "label": label, "budget": budget, "log": f"{log_dir}/{key}/{log}.txt",
            "rom": sum(v for k, v in sec.items() if k in ROM_SECTIONS),
            "ram": sum(v for k, v in sec.items() if k in RAM_SECTIONS) - sum(ar),
            "arenas": ar, "peak": peak, "state": state, "comps": comps,
            "ours_rom": sum(v[0] for k, v in comps.items() if k in MCUBPF),
            "ours_ram": sum(v[1] for k, v in comps.items() if k in MCUBPF),
        })
    return res


def report(board, res):
    _, name, _, _, backend = board
    native = res[0]
    print(f"## {name}\n")
    print("| build | ROM (text + data) | ROM added to the firmware | mcubpf code (budget) | "
          "RAM without arenas | RAM arenas | C stack peak |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in res:
        added = r["rom"] - native["rom"] if r is not native else 0
        ours = f"{fmt(r['ours_rom'])} ({kib(r['ours_rom'])} of {kib(r['budget'])})" if r["budget"] else "-"
        print(f"| {r['label']} | {fmt(r['rom'])} | {fmt(added)} | {ours} | {fmt(r['ram'])} | "
              f"{fmt(sum(r['arenas']))} | {fmt(r['peak'])} |")

    print("\n### Budgets\n")
    print("| build | mcubpf ROM | budget | | runtime RAM: `mbpf_runtime` + "
          f"{HOOKS} x `mbpf_prog` + mcubpf data | budget | |")
    print("|---|---:|---:|---|---:|---:|---|")
    for r in res[1:]:
        rt_b, prog_b = r["state"] or (0, 0)
        ram = rt_b + HOOKS * prog_b + r["ours_ram"]
        print(f"| {r['label']} | {fmt(r['ours_rom'])} | {fmt(r['budget'])} | "
              f"{'ok' if r['ours_rom'] <= r['budget'] else 'over by ' + fmt(r['ours_rom'] - r['budget'])} | "
              f"{fmt(ram)} ({rt_b} + {HOOKS} x {prog_b} + {r['ours_ram']}) | {fmt(RAM_BUDGET)} | "
              f"{'ok' if ram <= RAM_BUDGET else 'over by ' + fmt(ram - RAM_BUDGET)} |")

    print("\n### ROM by component\n")
    print("| component | " + " | ".join(r["label"] for r in res) + " |")
    print("|---|" + "---:|" * len(res))
    names = [n for _, n, _ in COMPONENTS] + [OTHER]
    for n in names:
        vals = [r["comps"].get(n, [0, 0])[0] for r in res]
        if any(vals):
            label = n.replace("the board's backend", backend + " backend")
            print(f"| {label} | " + " | ".join(fmt(v) for v in vals) + " |")
    print("| **mcubpf code** | " + " | ".join(f"**{fmt(r['ours_rom'])}**" for r in res) + " |")
    print("| **total** | " + " | ".join(f"**{fmt(r['rom'])}**" for r in res) + " |")

    print("\n### RAM arenas\n")
    print("| arena | " + " | ".join(r["label"] for r in res) + " |")
    print("|---|" + "---:|" * len(res))
    for i, (_, label) in enumerate(ARENAS):
        if any(r["arenas"][i] for r in res):
            print(f"| {label} | " + " | ".join(fmt(r["arenas"][i]) for r in res) + " |")
    print("| **total** | " + " | ".join(f"**{fmt(sum(r['arenas']))}**" for r in res) + " |")

    print("\n### What it costs per call\n")
    print("| build | probe v1 | probe v2 | packet filter |")
    print("|---|---:|---:|---:|")
    for r in res:
        for row in costs(r["log"], r["label"]):
            print(f"| {row[0]} | " + " | ".join(v or "?" for v in row[1:]) + " |")
    print()


def main():
    fw_dir, log_dir = sys.argv[1], sys.argv[2]
    results = [(b, measure(fw_dir, log_dir, b)) for b in BOARDS]
    print("# Example firmware: footprint\n")
    print("The same firmware (`examples/firmware`) linked once per configuration an embedder would")
    print("choose (`include/mcubpf/config.h`, `docs/runtime.md`), on the Cortex-M4 and on RV32IMC")
    print("(`-Os`, picolibc with integer-only printf, `--gc-sections`). Generated by `make footprint`")
    print("(`examples/firmware/footprint.sh`); bytes.\n")
    print("- **native C hooks**: no runtime, the hooks in C (`-DNO_RUNTIME`): the baseline.")
    print("- **interpreter + checker**: bytecode containers checked at load and interpreted, the")
    print("  interpreter compiled for size (`-DMBPF_RT_WITH_JIT=0 -DMBPF_WITH_FAST_INTERP=0`).")
    print("- **JIT + checker**: containers checked and translated at load, no interpreter to fall")
    print("  back on, no AOT images (`-DMBPF_WITH_INTERP=0 -DMBPF_WITH_AOT=0`).")
    print("- **AOT images only**: no checker, no translator, no interpreter (`-DMBPF_WITH_BYTECODE=0`);")
    print("  the images are made and checked on the host (`bpf2thumb`, `bpf2rv32`). Its load and trust")
    print("  messages are short codes (`MBPF_WITH_MESSAGES=0`, its default; `runtime/messages.h`).")
    print("- **all engines**: the default options, checker, translator, interpreter (the fallback when")
    print("  a translation does not fit) and AOT images; its per-call costs are given for each engine.")
    print("  The 30 KiB budget (runtime + interpreter + checker + JIT) applies to it as well.")
    print("- The device checker is the one-pass certificate checker (`verifier/check*.c` and the")
    print("  abstract interpretation it shares with the verifier): every build is compiled with")
    print("  `MBPF_WITH_FULL_VERIFIER=0`, the device default, so no fixpoint verifier is linked and")
    print("  containers must carry their certificate (bpfpack adds one).")
    print("- *mcubpf code*: every object of `runtime/`, `verifier/` and `jit/` the link keeps")
    print("  (code and constants); the budgets apply to it. *ROM added*: the growth of the whole")
    print("  firmware over the native build (also the embedder's loading code and the libgcc")
    print("  routines the runtime pulls in). RAM arenas are the buffers the embedder hands to the")
    print("  runtime; the C stack peak is measured in QEMU (stack painted at boot; the largest over")
    print("  the engines the build runs). Runtime RAM: the runtime object and one program slot per")
    print(f"  hook the firmware keeps loaded ({HOOKS}), sizes printed by the firmware at boot.\n")
    for board, res in results:
        report(board, res)


main()
