#!/usr/bin/env python3
"""On-device translation cost per kernel, the bench's "JIT cost/insn" figure without a full
`make bench`: guest instructions of mbpf_jit_translate (the runner's jit_insns) per eBPF
instruction, for every bench kernel on both boards, and their geometric means.

usage: jit-cost.py BUILD      (after `make bench-build`)"""
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import run  # noqa: E402  (bench/run.py: the same runs and formula as the bench)


def one(build, target, kernel):
    obj = os.path.join(build, "bench", "bpf", kernel + ".o")
    n = run.bytecode_size(obj, kernel) // 8
    r = run.engine_run(build, target, "jit", obj)
    return target, kernel, n, r["jit_insns"], r["code_bytes"]


def main():
    build = sys.argv[1]
    jobs = [(t, k) for t in ("thumb2", "rv32imc") for k in run.kernels()]
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        res = list(ex.map(lambda a: one(build, *a), jobs))
    for target in ("thumb2", "rv32imc"):
        per = []
        for t, k, n, j, code in res:
            if t == target and n:
                per.append(j / n)
                print("%s %-12s n=%4d jit_insns=%8d per_insn=%6.0f code=%d" % (t, k, n, j, j / n, code))
        print("%s geomean %.0f" % (target, run.geomean(per)))


if __name__ == "__main__":
    main()
