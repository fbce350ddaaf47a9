#!/usr/bin/env python3
"""Where the on-device translator spends its guest instructions.

usage: jit-profile.py BUILD KERNEL.o [--target thumb2|rv32imc] [--depth N]

Runs the board runner (platform/runner.c) with the JIT engine under QEMU, one instruction per
translation block with an exec trace, and attributes every executed instruction between the entry
and the return of mbpf_jit_translate to the call path that executed it. Call paths are rebuilt
from the symbol sequence (a symbol already on the stack is a return to it, any other one a call),
which is exact for this code (no recursion in the translator). Prints inclusive counts per call
path up to --depth levels below mbpf_jit_translate, and the self counts per function."""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

QEMU = {"thumb2": ("qemu-system-arm", "-M mps2-an386 -cpu cortex-m4", "shift=7"),
        "rv32imc": ("qemu-system-riscv32", "-M virt -bios none", "shift=0")}


def capture_bundle(build, obj, target, tmp):
    """Run bpfrun once through a qemu stand-in that keeps the bundle it is given."""
    real = shutil.which(QEMU[target][0])
    wrap = os.path.join(tmp, QEMU[target][0])
    keep = os.path.join(tmp, "bundle")
    with open(wrap, "w") as f:
        f.write('#!/bin/sh\nfor a in "$@"; do case "$a" in *bundle=*) cp "${a##*bundle=}" %s;; esac; '
                'done\nexec %s "$@"\n' % (keep, real))
    os.chmod(wrap, 0o755)
    env = dict(os.environ, PATH=tmp + os.pathsep + os.environ["PATH"])
    p = subprocess.run([os.path.join(build, "bin", "bpfrun"), "--conformance-helpers", "--stats",
                        "--target", target, "--engine", "jit", "--mem",
                        os.path.join(build, "bench", "input.bin"), obj],
                       env=env, capture_output=True, text=True)
    m = re.search(r"^jit_insns: (\d+)$", p.stderr, re.M)
    return keep, int(m.group(1)) if m else 0


def trace(build, target, bundle, tmp):
    qemu, machine, icount = QEMU[target]
    runner = os.path.join(build, "platform", "runner-%s.elf" % target)
    log = os.path.join(tmp, "exec.log")
    cmd = ("%s %s -nographic -monitor none -icount %s -singlestep -d exec,nochain -D %s "
           "-semihosting-config enable=on,target=native,arg=runner,arg=bundle=%s -kernel %s </dev/null"
           % (qemu, machine, icount, log, bundle, runner))
    subprocess.run(cmd, shell=True, capture_output=True, timeout=1800)
    return log


def symbols(log):
    """The symbol of every executed instruction, in order (the exec trace's last field)."""
    rx = re.compile(r"^Trace \d+: \S+ \[[0-9a-f/]+\] (\S*)")
    with open(log, errors="replace") as f:
        for line in f:
            m = rx.match(line)
            if m:
                yield m.group(1)


def profile(syms, depth):
    """Inclusive counts per call path (a callee called again by the same caller is numbered:
    emit#2 is the second call) and self counts per function, inside mbpf_jit_translate."""
    incl = collections.Counter()
    self_ = collections.Counter()
    stack = []  # [name, label, callee -> calls so far]
    caller = prev = None
    total = 0
    for s in syms:
        if not stack:
            if s == "mbpf_jit_translate":
                caller, stack = prev, [[s, s, collections.Counter()]]
            prev = s
            if not stack:
                continue
        if s == caller:
            break  # mbpf_jit_translate returned
        names = [f[0] for f in stack]
        if s in names:
            del stack[names.index(s) + 1:]
        else:
            k = stack[-1][2][s]
            stack[-1][2][s] += 1
            stack.append([s, s + ("#%d" % (k + 1) if k else ""), collections.Counter()])
        total += 1
        self_[s] += 1
        for d in range(2, min(len(stack), depth + 1) + 1):
            incl[tuple(f[1] for f in stack[1:d])] += 1
    return total, incl, self_


def main():
    args = sys.argv[1:]
    target, depth = "thumb2", 3
    if "--target" in args:
        i = args.index("--target")
        target = args[i + 1]
        del args[i:i + 2]
    if "--depth" in args:
        i = args.index("--depth")
        depth = int(args[i + 1])
        del args[i:i + 2]
    build, obj = args
    tmp = tempfile.mkdtemp(prefix="jit-profile-")
    try:
        bundle, jit_insns = capture_bundle(build, obj, target, tmp)
        log = trace(build, target, bundle, tmp)
        total, incl, self_ = profile(symbols(log), depth)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%s %s: %d guest instructions in mbpf_jit_translate (runner's count %d)" %
          (os.path.basename(obj), target, total, jit_insns))
    print("inclusive, by call path:")
    for path, n in sorted(incl.items(), key=lambda kv: [-incl[kv[0][:d]] for d in range(1, len(kv[0]) + 1)]):
        if n * 200 >= total:  # paths of at least 0.5%
            print("  %8d %5.1f%%  %s%s" % (n, 100.0 * n / total, "  " * (len(path) - 1), path[-1]))
    print("self, by function:")
    for s, n in self_.most_common(25):
        print("  %8d %5.1f%%  %s" % (n, 100.0 * n / total, s))


if __name__ == "__main__":
    main()
