#!/usr/bin/env python3
"""footprint.py FW_DIR OUT_NATIVE OUT_INTERP OUT_JIT: the footprint tables (markdown) of the three
firmware links in FW_DIR, from arm-none-eabi-size, arm-none-eabi-nm and the linker maps. OUT_* are
the consoles of runs of each build: C stack peaks."""
import re
import subprocess
import sys

BUILDS = [
    ("firmware-native", "native C hooks, no runtime"),
    ("firmware-interp", "runtime, interpreter only"),
    ("firmware", "runtime + Thumb-2 JIT"),
]
ROM_SECTIONS = {".init", ".text", ".rodata", ".data", ".tdata"}
RAM_SECTIONS = {".data", ".tdata", ".bss", ".tbss"}
ARENAS = [
    ("arena_code", "code arena (translated programs)"),
    ("arena_work", "work arena (verifier and translator scratch, sized for the largest program)"),
    ("arena_kv", "kv store (32 entries)"),
    ("arena_stack_", "eBPF stacks (2 tenants x 512 B)"),
    ("arena_progs", "program store (files read at boot)"),
]
COMPONENTS = [
    (r"/(examples/firmware|platform)/", "firmware: scheduler, hooks, packets, output, board"),
    (r"runtime/rt(_cache|_helpers|_trust)?\.o", "runtime API (rt.c, rt_cache.c, rt_helpers.c, rt_trust.c)"),
    (r"runtime/(interp|exec)\.o", "interpreter, execution model"),
    (r"verifier/", "verifier"),
    (r"runtime/(container|image|sha256|sign)\.o", "container and image parsers, SHA-256, signature block"),
    (r"jit/rv32/", "RV32 backend (left out on this board)"),
    (r"jit/", "Thumb-2 translator, JIT glue"),
    (r"(libc|libgcc|libsemihost)\.a|crt0", "picolibc, libgcc (printf, semihosting, start-up)"),
]


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def sections(elf):
    out = {}
    for line in run("arm-none-eabi-size", "-A", elf).splitlines():
        f = line.split()
        if len(f) == 3 and f[0].startswith(".") and f[1].isdigit():
            out[f[0]] = int(f[1])
    return out


def symbols(elf):
    out = {}
    for line in run("arm-none-eabi-nm", "-S", elf).splitlines():
        f = line.split()
        if len(f) == 4:
            out[f[3]] = out.get(f[3], 0) + int(f[1], 16)
    return out


def component(path):
    for pat, name in COMPONENTS:
        if re.search(pat, path):
            return name
    return "other (alignment, linker stubs)"


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
    """(largest C stack peak, work arena bytes) printed by the runs in a console log."""
    text = open(path, encoding="utf-8", errors="replace").read()
    peaks = [int(p) for p in re.findall(r"C stack peak: (\d+) bytes", text)]
    work = [int(w) for w in re.findall(r"work arena (\d+) B", text)]
    if not peaks or re.search(r"^error", text, re.M):
        sys.exit(f"footprint: {path}: a run failed")
    return max(peaks), max(work, default=0)


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


def main():
    fw_dir, logs = sys.argv[1], sys.argv[2:5]
    rows, comps, arenas, state = [], [], [], []
    for (name, _), log in zip(BUILDS, logs):
        peak, work = console(log)
        elf = f"{fw_dir}/{name}.elf"
        sec, sym = sections(elf), symbols(elf)
        rom = sum(v for k, v in sec.items() if k in ROM_SECTIONS)
        ram = sum(v for k, v in sec.items() if k in RAM_SECTIONS)
        ar = [sum(v for k, v in sym.items() if k.startswith(prefix)) for prefix, _ in ARENAS]
        rows.append((rom, ram - sum(ar), sum(ar), peak))
        arenas.append(ar)
        comps.append(map_sizes(f"{fw_dir}/{name}.map"))
        state.append((sym.get("rt", 0), sum(v for k, v in sym.items() if k.startswith("slot_"))))

    print("# Example firmware: footprint\n")
    print("Cortex-M4 (`arm-none-eabi-gcc -Os`, picolibc with integer-only printf, `--gc-sections`),")
    print("the same firmware (`examples/firmware`) linked three ways. Generated by `make footprint`")
    print("(`examples/firmware/footprint.sh`); bytes.\n")
    print("| build | ROM (text + data) | RAM (data + bss, without arenas) | RAM arenas | C stack peak |")
    print("|---|---:|---:|---:|---:|")
    for (_, label), (rom, ram, ar, peak) in zip(BUILDS, rows):
        print(f"| {label} | {fmt(rom)} | {fmt(ram)} | {fmt(ar)} | {fmt(peak)} |")
    print("\n- ROM: code, constants and the initial values of `.data`; RAM: `.data` and `.bss`. The")
    print("  RAM arenas are the buffers the embedder hands to the runtime (below); the C stack peak")
    print("  is measured in QEMU (stack painted at boot; the largest over the engines the build runs).")

    rt_b, slots_b = state[2]
    print(f"- The runtime's own RAM: `mbpf_runtime` {rt_b} B (config, helper table, code cache entries)")
    print(f"  and 4 program slots, {slots_b} B together (`mbpf_prog` + 16 B of program data each).")
    print("- The interpreter-only build is compiled with `-DMBPF_RT_WITH_JIT=0` and runs with")
    print("  `MBPF_TARGET_NONE`: the translator, the Thumb-2 run glue and the AOT image parser are")
    print("  not linked. The native build keeps only the kv table as an \"arena\" (the same counters).\n")

    print("## ROM by component\n")
    print("| component | " + " | ".join(label for _, label in BUILDS) + " |")
    print("|---|" + "---:|" * len(BUILDS))
    names = [n for _, n in COMPONENTS] + ["other (alignment, linker stubs)"]
    for n in names:
        vals = [c.get(n, [0, 0])[0] for c in comps]
        if any(vals):
            print(f"| {n} | " + " | ".join(fmt(v) for v in vals) + " |")
    print("| **total** | " + " | ".join(f"**{fmt(r[0])}**" for r in rows) + " |")

    print("\n## RAM arenas\n")
    print("| arena | " + " | ".join(label for _, label in BUILDS) + " |")
    print("|---|" + "---:|" * len(BUILDS))
    for i, (_, label) in enumerate(ARENAS):
        print(f"| {label} | " + " | ".join(fmt(a[i]) for a in arenas) + " |")
    print("| **total** | " + " | ".join(f"**{fmt(sum(a))}**" for a in arenas) + " |")

    print("\n## What it costs per call\n")
    print("Guest instructions per hook call (QEMU `-icount`), the call from the firmware included: for")
    print("hooks this small the runtime's fixed work per run (`mbpf_rt_run`: execution state, cache")
    print("lookup, helper calls) outweighs the program itself.\n")
    print("| build | probe v1 | probe v2 | packet filter |")
    print("|---|---:|---:|---:|")
    for (_, label), log in zip(BUILDS, logs):
        for row in costs(log, label):
            print(f"| {row[0]} | " + " | ".join(v or "?" for v in row[1:]) + " |")


main()
