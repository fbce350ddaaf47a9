#!/bin/sh
# run.sh BUILD: the example firmware in QEMU with engine=jit (full transcript), interp and aot,
# and the build with the hooks in native C; then what each costs per call. `make demo-firmware`.
build=$1
. "$(dirname "$0")/common.sh"
out="$fw/transcript"
mkdir -p "$out"
for e in native interp jit aot; do
    if ! fw_run $e >"$out/$e.txt" || ! grep -q '^done$' "$out/$e.txt"; then
        echo "firmware ($e) failed:"
        cat "$out/$e.txt"
        exit 1
    fi
done

echo "== example firmware: Cortex-M4 in QEMU (mps2-an386), a scheduler probe and a packet filter"
echo "   in two tenants; programs loaded from files over semihosting (examples/firmware/README.md)"
echo "-- engine=jit: bytecode containers, verified and translated on the device"
sed -n '/^runtime:/,/^-- cost/p' "$out/jit.txt" | grep -v '^-- cost' | sed 's/^/   /'

echo "-- the same firmware with engine=interp and engine=aot (bpf2thumb images), and built without"
echo "   the runtime (hooks in native C):"
fw_results <"$out/jit.txt" >"$out/jit.results"
for e in interp aot native; do
    fw_results <"$out/$e.txt" >"$out/$e.results"
    if cmp -s "$out/jit.results" "$out/$e.results"; then
        same="identical to jit"
    else
        same="DIFFERENT from jit (diff $out/jit.results $out/$e.results)"
    fi
    printf '   %-7s counters, log lines and packet verdicts %s (%s lines)\n' "$e:" "$same" \
        "$(wc -l <"$out/$e.results" | tr -d ' ')"
done
echo "   aot loads and refusal:"
grep -E '^  (load|swap) |^    runtime:' "$out/aot.txt" | sed 's/^/   /'

echo "-- cost per call in guest instructions (QEMU -icount), with the runtime's per-run work:"
printf '   %-9s %9s %9s %9s %13s\n' build "probe v1" "probe v2" filter "C stack peak"
for e in native interp jit aot; do
    awk -v name="$e" '
        /scheduler probe v1/ { v1 = $(NF - 2) }
        /scheduler probe v2/ { v2 = $(NF - 2) }
        /packet filter .* per call/ { f = $(NF - 2) }
        /C stack peak/ { s = $(NF - 1) }
        END { printf "   %-9s %9s %9s %9s %13s\n", name, v1, v2, f, s " B" }' "$out/$e.txt"
done
