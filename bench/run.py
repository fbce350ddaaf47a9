#!/usr/bin/env python3
"""Benchmark driver: native (gcc -O2 / -Os) vs interpreter vs on-device JIT vs AOT on the emulated
Cortex-M4 (mps2-an386) and RV32IMC (virt), counted in guest instructions under QEMU -icount.

usage: run.py BUILD OUTDIR           full run: OUTDIR/results.md and OUTDIR/*.png
       run.py BUILD --smoke KERNEL   one kernel, every engine, results checked (for make check)
       run.py BUILD --run-path       the fixed cost of mbpf_rt_run per engine and board

Every number comes from a run here; every eBPF result is checked against the native result."""
import math
import os
import re
import subprocess
import sys
import time

TARGETS = {
    "thumb2": ("qemu-system-arm -M mps2-an386 -cpu cortex-m4", "shift=7", "arm-none-eabi-"),
    "rv32imc": ("qemu-system-riscv32 -M virt -bios none", "shift=0", "riscv64-unknown-elf-"),
}
ENGINES = ["interp", "jit", "aot"]


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)


def native_counts(build, target, opt):
    qemu, icount, _ = TARGETS[target]
    elf = os.path.join(build, "bench", "native-%s-%s.elf" % (target, opt))
    out = sh("%s -nographic -monitor none -icount %s -semihosting-config "
             "enable=on,target=native,arg=x,arg=input=%s -kernel %s" %
             (qemu, icount, os.path.join(build, "bench", "input.bin"), elf), timeout=300)
    out = out.stdout + out.stderr  # semihosting console output may arrive on either
    res = {}
    for m in re.finditer(r"native (\w+) insns=(\d+) result=(0x[0-9a-f]+)", out):
        res[m.group(1)] = (int(m.group(2)), m.group(3))
    return res


def native_size(build, target, opt, kernel):
    prefix = TARGETS[target][2]
    obj = os.path.join(build, "bench", "obj-%s-%s" % (target, opt), kernel + ".o")
    out = sh([prefix + "nm", "--print-size", obj]).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == "bench_" + kernel:
            return int(f[1], 16)
    return 0


def bytecode_size(obj, kernel):
    out = sh(["llvm-readelf", "-S", obj]).stdout
    for line in out.splitlines():
        if "bench/" + kernel in line:
            f = line.split()
            i = f.index("bench/" + kernel)
            return int(f[i + 4], 16)
    return 0


def engine_run(build, target, engine, obj):
    cmd = [os.path.join(build, "bin", "bpfrun"), "--conformance-helpers", "--stats", "--target", target, "--engine", engine,
           "--mem", os.path.join(build, "bench", "input.bin"), obj]
    p = sh(cmd, timeout=600)
    stats = dict(re.findall(r"^(\w+): (\S+)$", p.stderr, re.M))
    out = p.stdout.strip().splitlines()
    return {"rc": p.returncode, "r0": out[-1] if out and p.returncode == 0 else None,
            "insns": int(stats.get("insns", 0)), "jit_insns": int(stats.get("jit_insns", 0)),
            "verify_insns": int(stats.get("verify_insns", 0)),
            "code_bytes": int(stats.get("code_bytes", 0)), "err": p.stderr.strip()}


def host_verify(build, obj):
    """(proven, accesses, hi-zero results, results, bounded, back edges, arena bytes, insns,
    back edges countable by the context length)"""
    p = sh([os.path.join(build, "bin", "bpfverify"), obj])
    m = re.search(r"accepted: (\d+) instructions; memory accesses proven (\d+)/(\d+); results with a "
                  r"known-zero upper half (\d+)/(\d+) .*loops bounded (\d+)/(\d+); countable by the "
                  r"context length (\d+);.* arena (\d+) bytes", p.stdout)
    if not m:
        return (0, 0, 0, 0, 0, 0, 0, 0, 0)
    n, pr, acc, hz, res, b, loops, countable, arena = (int(g) for g in m.groups())
    return (pr, acc, hz, res, b, loops, arena, n, countable)


def checks_left(build, obj, tool="bpf2thumb"):
    """(guarded accesses, budgeted back edges) the translation (bpf2thumb or bpf2rv32) still
    checks on its fast paths: static counts of instructions, after guards and budget are moved
    out of counted loops (the tool's summary line)."""
    out = os.path.join(build, "bench", "checks.img")
    p = sh([os.path.join(build, "bin", tool), obj, "-o", out])
    m = re.search(r"checked at run time: (\d+) guarded accesses, (\d+) budgeted back edges", p.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else (-1, -1)


def cert_costs(build, progs, outdir):
    """Certificates on the Cortex-M4: bpfpack writes each program's container with its
    certificate, the cert firmware (tests/cert/firmware.c) checks it in one pass on the board.
    name -> (check guest insns, certificate bytes, check arena bytes); {} when it cannot run."""
    fw = os.path.join(build, "cert", "firmware-thumb2.elf")
    d = os.path.join(outdir, ".cert")
    os.makedirs(d, exist_ok=True)
    names = []
    for name, obj in progs:
        if sh([os.path.join(build, "bin", "bpfpack"), obj, "-o", os.path.join(d, name + ".mbc")]).returncode == 0:
            names.append(name)
    with open(os.path.join(d, "list"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    if not os.path.exists(fw):
        return {}
    p = sh(["qemu-system-arm", "-M", "mps2-an386", "-cpu", "cortex-m4", "-icount", "shift=7", "-nographic",
            "-monitor", "none", "-semihosting-config", "enable=on,target=native,arg=firmware,arg=dir=" + d,
            "-kernel", fw], timeout=900)
    rx = r"^cert (\S+) insns=\d+ verify_insns=\d+ check_insns=(\d+) check_arena=(\d+) cert_bytes=(\d+)"
    out = p.stdout + p.stderr  # semihosting output may come on either
    return {m.group(1): (int(m.group(2)), int(m.group(4)), int(m.group(3))) for m in re.finditer(rx, out, re.M)}


def verifier_section(build, bench_objs, outdir):
    """Figures and costs of the verifier on the clang-built test vectors and the kernels."""
    rows = ["| program | insns | accesses proven | upper half known zero | loops bounded | loops countable | "
            "verify cost/insn (M4) | check cost/insn (M4) | arena B / insn | check arena B | cert B / bytecode B |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    tot = [0] * 9
    cost_insns = cost_n = 0
    vec_dir = os.path.join(build, "test-vectors", "v3")
    progs = [(os.path.splitext(f)[0], os.path.join(vec_dir, f)) for f in sorted(os.listdir(vec_dir))
             if f.endswith(".o")] + bench_objs
    certs = cert_costs(build, progs, outdir)
    check_per_insn, cert_ratio, check_arena = [], [], 0
    for name, obj in progs:
        v = host_verify(build, obj)
        tot = [a + b for a, b in zip(tot, v)]
        mem = os.path.join(build, "test-vectors", "input.bin")
        r = engine_run(build, "thumb2", "interp", obj) if "bench" in obj else None
        if r is None:
            p = sh([os.path.join(build, "bin", "bpfrun"), "--conformance-helpers", "--stats", "--target", "thumb2", "--engine",
                    "interp", "--mem", mem, obj])
            st = dict(re.findall(r"^(\w+): (\d+)", p.stderr, re.M))
            vi = int(st.get("verify_insns", 0))
        else:
            vi = r["verify_insns"]
        n = v[7] or 1
        cost_insns += vi
        cost_n += v[7]
        ci, cb, ca = certs.get(name, (0, 0, 0))
        if ci:
            check_per_insn.append(ci / n)
            cert_ratio.append(cb / (8.0 * n))
            check_arena = max(check_arena, ca)
        rows.append("| %s | %d | %d/%d | %d/%d | %d/%d | %d | %d | %s | %d | %s | %s |" % (
            name, v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[8], vi // n, "%d" % (ci // n) if ci else "—",
            v[6] // n, "%d" % ca if ci else "—", "%.2f" % (cb / (8.0 * n)) if ci else "—"))
    pct = lambda a, b: 100.0 * a / b if b else 0.0
    summary = ("Over all %d programs: %.0f%% of memory accesses proven in bounds (%d of %d), %.0f%% of "
               "ALU and load results with a known-zero upper half, %d of %d loops (back edges) proven bounded "
               "by a constant and %d more countable by the context length (a trip bound (LEN + a) / d + 1: "
               "%.0f%% with a proven trip bound); "
               "verification costs %d guest instructions per eBPF instruction on the Cortex-M4 "
               "(target 1,000) and %.0f arena bytes per instruction." % (
                   len(progs), pct(tot[0], tot[1]), tot[0], tot[1], pct(tot[2], tot[3]), tot[4], tot[5],
                   tot[8], pct(tot[4] + tot[8], tot[5]),
                   cost_insns // (cost_n or 1), tot[6] / (tot[7] or 1)))
    if check_per_insn:
        summary += (" Through the certificate (one-pass checker, `mbpf_check`): %.0f guest instructions per "
                    "eBPF instruction (geometric mean over %d programs; target 300), a work arena of at most %d "
                    "bytes plus 4 per instruction for the facts, certificates %.2fx the bytecode (geometric mean; "
                    "target 1)." % (geomean(check_per_insn), len(check_per_insn), check_arena, geomean(cert_ratio)))
    return rows, summary


def geomean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else 0.0


def kernels():
    here = os.path.dirname(os.path.abspath(__file__))
    return sorted(f[:-2] for f in os.listdir(os.path.join(here, "kernels")) if f.endswith(".c"))


def smoke(build, kernel):
    nat = native_counts(build, "thumb2", "O2")[kernel]
    obj = os.path.join(build, "bench", "bpf", kernel + ".o")
    ok = True
    for e in ENGINES:
        r = engine_run(build, "thumb2", e, obj)
        good = r["r0"] == nat[1]
        ok &= good
        print("bench-smoke %s thumb2 %-6s r0 %s (native %s) insns %d (native %d) %s" %
              (kernel, e, r["r0"], nat[1], r["insns"], nat[0], "ok" if good else "MISMATCH " + r["err"]))
    nat_rv = native_counts(build, "rv32imc", "O2")[kernel]
    for e in ENGINES:
        r = engine_run(build, "rv32imc", e, obj)
        good = r["r0"] == nat_rv[1]
        ok &= good
        print("bench-smoke %s rv32imc %-6s r0 %s (native %s) insns %d (native %d) %s" %
              (kernel, e, r["r0"], nat_rv[1], r["insns"], nat_rv[0], "ok" if good else "MISMATCH " + r["err"]))
    print("bench-smoke: %s" % ("all engines agree with native" if ok else "FAILED"))
    return 0 if ok else 1


def footprint(build):
    groups = [
        ("interpreter", ["runtime/exec.c", "runtime/interp.c", "runtime/interp_decode.c",
                         "runtime/interp_facts.c"]),
        ("verifier (+ disassembler for messages)", ["verifier/preflight.c", "verifier/cfg.c",
                                                   "verifier/absint.c", "verifier/absint_ops.c",
                                                   "verifier/loops.c", "verifier/verify.c",
                                                   "verifier/disasm.c"]),
        ("certificate checker (its own part; it runs the verifier's pre-flight, transfer "
         "functions and loop pass)", ["verifier/check.c", "verifier/check_cfg.c"]),
        ("runtime API (loading, cache, default helpers)", ["runtime/rt.c", "runtime/rt_cache.c",
                                                           "runtime/rt_helpers.c"]),
        ("container parser", ["runtime/container.c"]),
        ("translator core", ["jit/core.c", "jit/jit_runtime.c"]),
        ("translator middle end", ["jit/mid/mid.c", "jit/mid/mid_access.c", "jit/mid/mid_idioms.c",
                                   "jit/mid/mid_loops.c"]),
        ("Thumb-2 backend", ["jit/thumb2/t2_encode.c", "jit/thumb2/t2_emit.c", "jit/thumb2/t2_groups.c",
                             "jit/thumb2/t2_consts.c", "jit/thumb2/t2_mulrot.c", "jit/thumb2/t2_reads.c",
                             "jit/thumb2/t2_loops.c", "jit/thumb2/t2_run.c"]),
        ("RV32 backend", ["jit/rv32/rv_encode.c", "jit/rv32/rv_emit.c", "jit/rv32/rv_loops.c",
                          "jit/rv32/rv_run.c"]),
        ("image parser + SHA-256", ["runtime/image.c", "runtime/sha256.c"]),
    ]
    rows = []
    for name, srcs in groups:
        row = [name]
        for arch, prefix in (("arm", "arm-none-eabi-"), ("rv32", "riscv64-unknown-elf-")):
            t = d = b = 0
            for s in srcs:
                o = os.path.join(build, arch, s[:-2] + ".o")
                out = sh([prefix + "size", o]).stdout.splitlines()
                if len(out) > 1:
                    f = out[1].split()
                    t, d, b = t + int(f[0]), d + int(f[1]), b + int(f[2])
            row.append("%d / %d / %d" % (t, d, b))
        rows.append(row)
    return rows


def aot_throughput(build, outdir):
    """bpf2thumb and bpf2rv32 on a generated 40,000-instruction program (its code must stay under
    the 1 MiB the backends accept), release build (no sanitizers). Returns [(tool, insns/s, seconds)] or an error string."""
    rel = os.path.join(build, "release")
    r = sh(["make", "--no-print-directory", "BUILD=" + rel, "SAN=0", os.path.join(rel, "bin", "bpf2thumb"),
            os.path.join(rel, "bin", "bpf2rv32")])
    if r.returncode:
        return "release build failed: " + r.stderr[-200:]
    import random
    import struct
    rnd = random.Random(7)
    # every register defined first: the verifier rejects reads of uninitialised ones
    insns = [struct.pack("<BBhi", 0xb7, r, 0, r * 7 + 1) for r in range(10)]
    n = 40000  # keeps the code under the 1 MiB both backends accept
    for _ in range(n - 11):
        op = rnd.choice([0x07, 0x0f, 0x1f, 0xaf, 0x04, 0x0c, 0x2f, 0x5f, 0x4f, 0xb7, 0xbf, 0x67, 0x77])
        dst, src = rnd.randrange(10), rnd.randrange(10)
        imm = rnd.randrange(1, 60) if op in (0x67, 0x77) else rnd.randrange(-1000, 1000)
        if not op & 8:
            src = 0  # immediate forms have no source register
        insns.append(struct.pack("<BBhi", op, dst | (src << 4), 0, 0 if op & 8 else imm))
    insns.append(struct.pack("<BBhi", 0x95, 0, 0, 0))
    prog = os.path.join(outdir, ".aot-big.bin")
    open(prog, "wb").write(b"".join(insns))
    res = []
    for tool in ("bpf2thumb", "bpf2rv32"):
        t0 = time.time()
        p = sh([os.path.join(rel, "bin", tool), prog, "-o", prog + ".img"])
        dt = time.time() - t0
        if p.returncode:
            os.unlink(prog)
            return "%s failed: %s" % (tool, p.stderr.strip())
        res.append((tool, n / dt, dt))
        os.unlink(prog + ".img")
    os.unlink(prog)
    return res


def plot(outdir, rows, sizes, target, board):
    dat = os.path.join(outdir, ".ratios.dat")
    with open(dat, "w") as f:
        for k, r in rows:
            f.write("%s %.3f %.3f %.3f %.3f\n" % (k, r["Os"], r["interp"], r["jit"], r["aot"]))
    sz = os.path.join(outdir, ".sizes.dat")
    with open(sz, "w") as f:
        for k, s in sizes:
            f.write("%s %d %d %d\n" % (k, s[0], s[1], s[2]))
    script = """
set terminal pngcairo size 1100,520 font ",10"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -35
set key top left
set grid ytics
set logscale y
set output '{o}/ratio-{t}.png'
set title '{b}: guest instructions relative to gcc -O2 native (log scale, lower is better)'
plot '{d}' using 2:xtic(1) title 'native -Os', '' using 3 title 'interpreter', '' using 4 title 'JIT', '' using 5 title 'AOT'
unset logscale y
set output '{o}/code-size-{t}.png'
set title '{b}: code bytes per kernel, native gcc -O2 vs eBPF bytecode vs translated code'
plot '{s}' using 2:xtic(1) title 'native -O2', '' using 3 title 'eBPF bytecode', '' using 4 title 'JIT code'
""".format(o=outdir, d=dat, s=sz, t=target, b=board)
    p = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(dat)
    os.unlink(sz)
    return p.returncode == 0


def interpreter_section(build, ks, nat, runs):
    """Interpreter per kernel and board: guest instructions per executed eBPF instruction (the
    count from the host interpreter, same program and input), the pre-decoded form's size and the
    pre-decoding cost (the runner reports them as code_bytes and jit_insns for the interpreter)."""
    md = ["## Interpreter (pre-decoded, threaded)", "",
          "Executed eBPF instructions counted by the host interpreter (`bpfrun --stats`) on the same "
          "input; pre-decoding measured on the device (`mbpf_interp_prepare`).", ""]
    executed = {}
    for k in ks:
        p = sh([os.path.join(build, "bin", "bpfrun"), "--conformance-helpers", "--stats", "--mem",
                os.path.join(build, "bench", "input.bin"), os.path.join(build, "bench", "bpf", k + ".o")])
        m = re.search(r"^insns: (\d+)$", p.stderr, re.M)
        executed[k] = int(m.group(1)) if m else 0
    for t, board in (("thumb2", "Cortex-M4"), ("rv32imc", "RV32IMC")):
        rows = ["| kernel | eBPF insns run | guest insns | guest / eBPF insn | interp / -O2 | "
                "pre-decoded B / insn | pre-decoding guest insns / insn |", "|---|---:|---:|---:|---:|---:|---:|"]
        per, ratio, size, cost = [], [], [], []
        for k in ks:
            r = runs.get((t, k))
            if not r or not executed[k]:
                continue
            n = bytecode_size(os.path.join(build, "bench", "bpf", k + ".o"), k) // 8 or 1
            per.append(r["insns"] / executed[k])
            ratio.append(r["insns"] / nat[(t, "O2")][k][0])
            size.append(r["code_bytes"] / n)
            cost.append(r["jit_insns"] / n)
            rows.append("| %s | %d | %d | %.1f | %.1f | %.1f | %.0f |" % (
                k, executed[k], r["insns"], per[-1], ratio[-1], size[-1], cost[-1]))
        if not per:
            continue
        md += ["### %s" % board, ""] + rows + ["",
               "Geometric means: %.1f guest instructions per executed eBPF instruction, %.1fx native -O2 "
               "(target 20x), %.1f bytes of pre-decoded form per instruction (target 12), pre-decoding "
               "%.0f guest instructions per instruction (target 60)." % (
                   geomean(per), geomean(ratio), geomean(size), geomean(cost)), ""]
    return md


RUN_PATH_LIMITS = {"interp": 60, "jit": 40, "aot": 40}


def run_path_section(build, outdir):
    """Fixed cost of a hook call through the runtime API: a 2-instruction program (r0 = 7; exit)
    run as a tenant's by mbpf_rt_run (bpfrun --target T: the runner's runtime mode, call to
    return), minus the translated code's own instructions (entry to return, measured by the
    runner running the same code alone). Returns (markdown lines, failures)."""
    import struct
    prog = os.path.join(outdir, ".run-path.bin")
    open(prog, "wb").write(struct.pack("<BBhi", 0xb7, 0, 0, 7) + struct.pack("<BBhi", 0x95, 0, 0, 0))
    bpfrun = os.path.join(build, "bin", "bpfrun")
    lines = ["| board | engine | mbpf_rt_run, call to return | the code alone | fixed cost | must |",
             "|---|---|---:|---:|---:|---:|"]
    failures = []
    for target, board in (("thumb2", "Cortex-M4"), ("rv32imc", "RV32IMC")):
        own = None
        for engine in ENGINES:
            stats = {}
            for mode in ([], ["--conformance-helpers"]) if engine != "interp" else ([],):
                p = sh([bpfrun, "--raw", "--stats", "--target", target, "--engine", engine] + mode + [prog],
                       timeout=120)
                out = p.stdout.strip().splitlines()
                if p.returncode or not out or out[-1] != "0x7":
                    failures.append("run path %s %s%s: %s" % (target, engine, " direct" if mode else "",
                                                               p.stderr.strip()[-200:]))
                stats[bool(mode)] = dict(re.findall(r"^(\w+): (\S+)$", p.stderr, re.M))
            total = int(stats[False].get("insns", 0))
            if engine != "interp":
                own = int(stats[True].get("code_insns", 0))
            fixed = total - own if engine != "interp" else total
            limit = RUN_PATH_LIMITS[engine]
            lines.append("| %s | %s | %d | %s | %s%d | %d%s |" % (
                board, engine, total, "%d" % own if engine != "interp" else "(interpreted)",
                "" if engine != "interp" else "<= ", fixed, limit, "" if fixed <= limit else " (missed)"))
    os.unlink(prog)
    return lines, failures


def full(build, outdir):
    os.makedirs(outdir, exist_ok=True)
    ks = kernels()
    nat = {(t, o): native_counts(build, t, o) for t in TARGETS for o in ("O2", "Os")}
    md = ["# mcubpf benchmark results", "",
          "Generated by `make bench` (bench/run.py). Guest instructions counted under QEMU `-icount`",
          "(Cortex-M4: CMSDK timer, RV32: minstret; see docs/platform.md), from the kernel's entry to its",
          "return; for eBPF engines the count includes entering the engine (filling the register block",
          "for JIT/AOT). Input: 512 bytes from bench/gen-input.py. Every eBPF result equals the native one",
          "or the run is reported as a failure. Counts are deterministic.", ""]
    ratio_rows, size_rows, failures = [], [], []
    interp_runs = {}
    table = ["| kernel | native -O2 | native -Os | interp | JIT | AOT | interp/-O2 | JIT/-O2 | "
             "bytecode B | native B | JIT code B | JIT cost/insn | verify cost/insn | guarded accesses | "
             "budgeted back edges |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for k in ks:
        obj = os.path.join(build, "bench", "bpf", k + ".o")
        n2, ns = nat[("thumb2", "O2")][k], nat[("thumb2", "Os")][k]
        res = {e: engine_run(build, "thumb2", e, obj) for e in ENGINES}
        interp_runs[("thumb2", k)] = res["interp"]
        for e in ENGINES:
            if res[e]["r0"] != n2[1]:
                failures.append("%s thumb2 %s: r0 %s, native %s (%s)" % (k, e, res[e]["r0"], n2[1], res[e]["err"]))
        bc = bytecode_size(obj, k)
        nb = native_size(build, "thumb2", "O2", k)
        ninsn = bc // 8 or 1
        jit = res["jit"]
        # what the translated code still checks on its fast paths, of all accesses / back edges:
        # accesses neither proven nor checked before their loop, back edges neither proven
        # bounded nor charged before their loop (static counts)
        v = host_verify(build, obj)
        left = checks_left(build, obj)
        table.append("| %s | %d | %d | %d | %d | %d | %.1f | %.2f | %d | %d | %d | %d | %d | %d/%d | %d/%d |" % (
            k, n2[0], ns[0], res["interp"]["insns"], jit["insns"], res["aot"]["insns"],
            res["interp"]["insns"] / n2[0], jit["insns"] / n2[0], bc, nb, jit["code_bytes"],
            jit["jit_insns"] // ninsn, jit["verify_insns"] // ninsn, left[0], v[1], left[1], v[5]))
        ratio_rows.append((k, {"Os": ns[0] / n2[0], "interp": res["interp"]["insns"] / n2[0],
                               "jit": jit["insns"] / n2[0], "aot": res["aot"]["insns"] / n2[0],
                               "bc": bc, "code": jit["code_bytes"], "jitc": jit["jit_insns"] / ninsn}))
        size_rows.append((k, (nb, bc, jit["code_bytes"])))
    md += ["## Cortex-M4 (Thumb-2), QEMU mps2-an386", ""] + table + [""] + [
        "Guarded accesses / budgeted back edges: the instructions the JIT's fast paths still check "
        "at run time, of all memory accesses / all back edges (static counts: an access neither "
        "proven by the verifier nor checked once before its counted loop; a back edge neither "
        "proven bounded nor charged once before its loop).", ""]
    g = lambda key: geomean([r[key] for _, r in ratio_rows])
    worst = max(ratio_rows, key=lambda kr: kr[1]["jit"])
    md += ["Geometric means over %d kernels, relative to gcc -O2 native (worst JIT kernel: %s, %.2f):" % (
               len(ks), worst[0], worst[1]["jit"]), "",
           "| native -Os | interpreter | JIT | AOT |", "|---:|---:|---:|---:|",
           "| %.2f | %.1f | %.2f | %.2f |" % (g("Os"), g("interp"), g("jit"), g("aot")), "",
           "Code size: JIT code bytes / bytecode bytes, geometric mean: %.2f (target 0.8, stretch 0.5). "
           "Translation cost on the device: %.0f guest instructions per eBPF instruction (geometric "
           "mean; target 800). Translator work memory: 23 bytes per instruction + 1308 "
           "(mbpf_jit_work_size)." % (geomean([r["code"] / r["bc"] for _, r in ratio_rows if r["bc"]]),
                                   geomean([r["jitc"] for _, r in ratio_rows])), ""]
    rv = ["| kernel | native -O2 | native -Os | interp | JIT | AOT | interp/-O2 | JIT/-O2 | JIT code B | "
          "JIT cost/insn | guarded accesses | budgeted back edges |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    rv_ratios = {"interp": [], "jit": [], "aot": [], "Os": [], "size": [], "cost": []}
    rv_rows, rv_sizes = [], []
    for k in ks:
        obj = os.path.join(build, "bench", "bpf", k + ".o")
        n2, ns = nat[("rv32imc", "O2")][k], nat[("rv32imc", "Os")][k]
        res = {e: engine_run(build, "rv32imc", e, obj) for e in ENGINES}
        interp_runs[("rv32imc", k)] = res["interp"]
        for e in ENGINES:
            if res[e]["r0"] != n2[1]:
                failures.append("%s rv32imc %s: r0 %s, native %s (%s)" % (k, e, res[e]["r0"], n2[1], res[e]["err"]))
        bc = bytecode_size(obj, k)
        ninsn = bc // 8 or 1
        jit = res["jit"]
        v = host_verify(build, obj)
        left = checks_left(build, obj, "bpf2rv32")
        rv.append("| %s | %d | %d | %d | %d | %d | %.1f | %.2f | %d | %d | %d/%d | %d/%d |" % (
            k, n2[0], ns[0], res["interp"]["insns"], jit["insns"], res["aot"]["insns"],
            res["interp"]["insns"] / n2[0], jit["insns"] / n2[0], jit["code_bytes"], jit["jit_insns"] // ninsn,
            left[0], v[1], left[1], v[5]))
        for e in ENGINES:
            rv_ratios[e].append(res[e]["insns"] / n2[0])
        rv_ratios["Os"].append(ns[0] / n2[0])
        rv_rows.append((k, {"Os": ns[0] / n2[0], "interp": res["interp"]["insns"] / n2[0],
                            "jit": jit["insns"] / n2[0], "aot": res["aot"]["insns"] / n2[0]}))
        rv_sizes.append((k, (native_size(build, "rv32imc", "O2", k), bc, jit["code_bytes"])))
        rv_ratios["size"].append(jit["code_bytes"] / bc if bc else 0)
        rv_ratios["cost"].append(jit["jit_insns"] / ninsn)
    md += ["## RV32IMC, QEMU virt", ""] + rv + ["", "Guarded accesses / budgeted back edges: as for "
           "the Cortex-M4, for the RV32 translation.", ""]
    md += ["Geometric means relative to riscv64-unknown-elf-gcc -march=rv32imc -O2 native:", "",
           "| native -Os | interpreter | JIT | AOT |", "|---:|---:|---:|---:|",
           "| %.2f | %.1f | %.2f | %.2f |" % tuple(geomean(rv_ratios[key]) for key in ("Os", "interp", "jit", "aot")),
           "", "Code size: JIT code bytes / bytecode bytes, geometric mean: %.2f (target 0.5). Translation cost "
           "on the device: %.0f guest instructions per eBPF instruction (geometric mean; target 500; "
           "the RV32 backend emits C-extension forms where they fit)." % (geomean(rv_ratios["size"]), geomean(rv_ratios["cost"])), ""]
    rp, rp_fail = run_path_section(build, outdir)
    failures += rp_fail
    md += ["## Run path: the fixed cost of a hook call", "",
           "A 2-instruction program (r0 = 7; exit) run as a tenant's program through `mbpf_rt_run` "
           "(what an embedder pays per call, everything decidable at load prepared there), minus the "
           "translated code's own instructions (prologue, body, exit stub). For the interpreter the "
           "two instructions are part of the figure.", ""] + rp + [""]
    md += interpreter_section(build, ks, nat, interp_runs)
    vrows, vsum = verifier_section(build, [(k, os.path.join(build, "bench", "bpf", k + ".o")) for k in ks], outdir)
    md += ["## Verifier", "", "Test vectors (clang -O2 -mcpu=v3) and benchmark kernels; figures from "
           "`bpfverify`, cost from the runner on the Cortex-M4 (QEMU -icount).", ""] + vrows + ["", vsum, ""]
    md += ["## Footprint (.text / .data / .bss bytes, -Os)", "", "| component | Cortex-M4 | RV32IMC |",
           "|---|---:|---:|"] + ["| %s | %s | %s |" % tuple(r) for r in footprint(build)] + [""]
    thr = aot_throughput(build, outdir)
    md += ["## Host AOT throughput", ""]
    if isinstance(thr, str):
        md += ["Could not be measured: " + thr, ""]
    else:
        md += ["A generated 40,000-instruction program (ALU mix; larger ones exceed the 1 MiB of code the backends accept), release build without sanitizers, wall "
               "time on this machine (not a deterministic count):", ""]
        md += ["- %s: %.0f eBPF instructions per second (%.2f s)" % t for t in thr] + [""]
    md += ["## Published figures for comparison (other hardware, other method)", "",
           "| system | figure | source |", "|---|---|---|",
           "| Femto-Containers hosting engine (interpreter only) | 4.7 KiB ROM, 664 B RAM | as quoted in "
           "this project's benchmark issue; published numbers on other hardware |",
           "| Femto-Containers Fletcher-32 run time ratio to native | not found in the sources "
           "available to us; not reproduced here | — |", ""]
    if (plot(outdir, ratio_rows, size_rows, "thumb2", "Cortex-M4 (QEMU mps2-an386)") and
            plot(outdir, rv_rows, rv_sizes, "rv32imc", "RV32IMC (QEMU virt)")):
        md += ["Plots: `ratio-thumb2.png`, `ratio-rv32imc.png` (ratio to native per kernel and engine), "
               "`code-size-thumb2.png`, `code-size-rv32imc.png` (code bytes per kernel).", ""]
    if failures:
        md += ["## FAILURES", ""] + ["- " + f for f in failures] + [""]
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))
    return 1 if failures else 0


def main():
    if len(sys.argv) == 4 and sys.argv[2] == "--smoke":
        return smoke(sys.argv[1], sys.argv[3])
    if len(sys.argv) == 3 and sys.argv[2] == "--run-path":
        import tempfile
        lines, failures = run_path_section(sys.argv[1], tempfile.gettempdir())
        print("\n".join(lines + failures))
        return 1 if failures else 0
    if len(sys.argv) == 3:
        return full(sys.argv[1], sys.argv[2])
    print(__doc__)
    return 1


if __name__ == "__main__":
    sys.exit(main())
