#!/usr/bin/env python3
"""The three programs of docs/writing-programs.md, built as the guide says, run by bpfrun as a
tenant's programs on the host and on both emulated boards with every engine.

usage: check.py BUILD
Each case states what the program must return (and log, and leave in the key/value store);
expected values are worked out here from the inputs, independently of the programs."""
import os
import struct
import subprocess
import sys

TARGETS = [("host", "interp"), ("thumb2", "interp"), ("thumb2", "jit"), ("thumb2", "aot"),
           ("rv32imc", "interp"), ("rv32imc", "jit"), ("rv32imc", "aot")]
CALIB = [0, 105, 198, 284, 364, 440, 514, 588, 664]


def to_tenths(raw):
    raw = min(raw, 4095)
    i, frac = raw >> 9, raw & 511
    return CALIB[i] + ((CALIB[i + 1] - CALIB[i]) * frac >> 9)


def coap(code=0x01, tkl=2, options=(), payload=b"", ver=1):
    """A CoAP message: header, token, options as (number, value) in order, payload."""
    out = bytes([ver << 6 | tkl, code, 0x12, 0x34]) + bytes(range(1, tkl + 1))
    last = 0
    for number, value in options:
        delta, n = number - last, len(value)
        last = number
        ext = b""
        if delta >= 13:
            ext += bytes([delta - 13])
            delta = 13
        if n >= 13:
            ext += bytes([n - 13])
            n = 13
        out += bytes([delta << 4 | n]) + ext + value
    if payload:
        out += b"\xff" + payload
    return out


def run(build, work, target, engine, obj, mem, extra=()):
    cmd = [os.path.join(build, "bin", "bpfrun"), "--target", target, "--engine", engine]
    cmd += list(extra)
    if mem is not None:
        path = os.path.join(work, "mem.bin")
        with open(path, "wb") as f:
            f.write(mem)
        cmd += ["--mem", path]
    cmd.append(obj)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    out = p.stdout.strip().splitlines()
    logs = [l[5:] for l in p.stderr.splitlines() if l.startswith("log: ")]
    return p.returncode, out[-1] if out else "", logs, p.stderr


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 1
    build = sys.argv[1]
    work = os.path.join(build, "scenarios", "work")
    os.makedirs(work, exist_ok=True)
    objs = {n: os.path.join(build, "scenarios", n + ".o") for n in ("threshold", "coap_filter", "calibrate")}
    failures = total = 0
    host_lines = {}  # refusal messages on the host, which the boards must repeat

    def expect(name, target, engine, got, want):
        nonlocal failures, total
        total += 1
        ok = got == want
        failures += not ok
        if not ok:
            print("FAIL %-28s %-8s %-6s got %r, want %r" % (name, target, engine, got, want))

    for target, engine in TARGETS:
        # 1: threshold hook; the kv file carries the count from one run to the next
        kv = os.path.join(work, "threshold-%s-%s.kv" % (target, engine))
        with open(kv, "w") as f:
            f.write("1 4\n")  # four alarms before this session
        ctx = struct.pack("<Ii", 3, 500)
        for reading, count in ((612, 5), (480, 5), (-20, 5), (900, 6)):
            rc, r0, logs, err = run(build, work, target, engine, objs["threshold"], ctx,
                                    ["--ctx-min", "8", "--kv", kv, "--sensor", "3=%d" % reading])
            want_logs = ["sensor 3: %d over the limit 500" % reading] if reading > 500 else []
            expect("threshold %d" % reading, target, engine, (rc, r0, logs), (0, hex(count), want_logs))
        with open(kv) as f:
            expect("threshold kv file", target, engine, sorted(f.read().split("\n")),
                   sorted(["1 6", "2 900", ""]))
        rc, r0, logs, err = run(build, work, target, engine, objs["threshold"], ctx, ["--ctx-min", "8"])
        expect("threshold no sensor", target, engine, (rc, r0, logs), (0, "0x0", ["sensor 3 cannot be read"]))

        # 2: CoAP filter
        cases = [
            ("GET /temp", coap(options=[(11, b"temp")]), 1),
            ("GET /temp +query", coap(options=[(3, b"dev"), (11, b"temp"), (15, b"u=c")]), 1),
            ("GET /temp +payload", coap(tkl=0, options=[(11, b"temp")], payload=b"x"), 1),
            ("GET /hum", coap(options=[(11, b"hum!")]), 0),
            ("PUT /temp", coap(code=0x03, options=[(11, b"temp")]), 0),
            ("bad version", coap(ver=2, options=[(11, b"temp")]), 0),
            ("option past end", coap(options=[(11, b"temp")])[:-2], 0),
            ("token too long", coap(tkl=9), 0),
            ("no options", coap(), 0),
            ("short", b"\x40\x01", 0),
        ]
        for name, pkt, verdict in cases:
            rc, r0, logs, err = run(build, work, target, engine, objs["coap_filter"], pkt)
            expect("coap " + name, target, engine, (rc, r0), (0, hex(verdict)))

        # 3: calibration table (.rodata), run counter (.data), local call
        raws = [0, 512, 1024, 2048, 4095, 100, 3000, 1500]
        mean = sum(to_tenths(r) for r in raws) // len(raws)
        rc, r0, logs, err = run(build, work, target, engine, objs["calibrate"], struct.pack("<8H", *raws))
        expect("calibrate", target, engine, (rc, r0), (0, hex(101 << 32 | mean)))
        rc, r0, logs, err = run(build, work, target, engine, objs["threshold"], b"\x03\x00")
        expect("threshold short ctx", target, engine, (rc, r0), (0, "0x0"))

        # the device profile: the same refusals on the host and on the boards, in the same words
        # (a device names the instruction by its opcode alone; bpfrun renders the full line)
        def refused(name, obj, extra, want):
            rc, r0, logs, err = run(build, work, target, engine, obj, b"\0" * 8, extra)
            line = [l for l in err.splitlines() if l.startswith("bpfrun:")]
            expect(name, target, engine, (rc, bool(line) and want in line[-1]), (2, True))
            if target == "host":
                host_lines[name] = line[-1] if line else None
            else:
                expect(name + " (host's line)", target, engine, line[-1] if line else None, host_lines.get(name))
        refused("profile: one-frame stack", objs["coap_filter"], ["--stack", "512"],
                "local calls nest 2 frames deep; the stack given holds 1 (512 bytes per frame)")
        refused("profile: helper not offered", objs["threshold"], ["--helpers", "log,sensor_read"],
                "helper not known or not permitted: id 3")
        refused("profile: strict", objs["coap_filter"], ["--strict"], "not proven in bounds")
        rc, r0, logs, err = run(build, work, target, engine, objs["threshold"], ctx,
                                ["--strict", "--sensor", "3=1"])
        expect("profile: strict, all proven", target, engine, (rc, r0), (0, "0x0"))
    print("scenarios: %d checks over %d engine/target pairs, %d failed" % (total, len(TARGETS), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
