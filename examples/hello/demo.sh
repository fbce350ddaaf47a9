#!/bin/sh
# The end-to-end demo: a C filter compiled by clang to eBPF, verified, then run by the host
# interpreter and, on emulated microcontrollers (QEMU), by the interpreter, the on-device JIT and
# an AOT image translated on the host. Counts are guest instructions (QEMU -icount).
# usage: demo.sh BUILD (make demo builds everything first)
set -e
build=$1
frame="$build/demo/frame.bin"
prog="$build/demo/filter.o"
decode() { python3 -c "v=int('$1',16); print('mean of kept samples = %d, dropped samples = %d' % (v & 0xffffffff, v >> 32))"; }
stat() { grep "^$1:" "$build/demo/stats.txt" | cut -d' ' -f2; }

echo "== mcubpf demo: a sensor filter written in C, run as verified eBPF"
echo "-- compiled by: $(cat "$build/demo/compile-line")"
echo "-- input: 64 samples around 1000 with 3 spikes"
r0=$("$build/bin/bpfrun" --stats --mem "$frame" "$prog" 2>"$build/demo/stats.txt" | tail -n 1)
echo "   host interpreter:   r0 = $r0 ($(decode "$r0"))"
echo "   verifier:           $(grep '^verify:' "$build/demo/stats.txt" | cut -d' ' -f2-)"
for target in thumb2 rv32imc; do
    case $target in thumb2) board="Cortex-M4, QEMU mps2-an386";; *) board="RV32IMC, QEMU virt";; esac
    echo "-- on the $board:"
    for engine in interp jit aot; do
        r0=$("$build/bin/bpfrun" --stats --target $target --engine $engine --mem "$frame" "$prog" \
            2>"$build/demo/stats.txt" | tail -n 1)
        extra=""
        [ "$engine" = jit ] && extra=", loaded (verified, translated on the device) in $(stat verify_insns) instructions into $(stat code_bytes) bytes"
        [ "$engine" = aot ] && extra=", code translated on the host ($(stat code_bytes) bytes)"
        printf '   %-7s r0 = %s in %s guest instructions%s\n' "$engine" "$r0" "$(stat insns)" "$extra"
    done
done
echo "-- AOT images for the boards, and a container for devices that verify and translate themselves:"
"$build/bin/bpf2thumb" "$prog" -o "$build/demo/filter.thumb2.img" 2>&1 | sed 's/^/   /'
"$build/bin/bpf2rv32" "$prog" -o "$build/demo/filter.rv32.img" 2>&1 | sed 's/^/   /'
"$build/bin/bpfpack" "$prog" -o "$build/demo/filter.mbc" 2>&1 | sed 's/^/   /'
echo "-- a hostile program (stb [r10+0], 1: a write above its stack frame) is refused before it runs:"
printf '\162\012\000\000\001\000\000\000\225\000\000\000\000\000\000\000' > "$build/demo/hostile.bin"
"$build/bin/bpfrun" --raw "$build/demo/hostile.bin" 2>&1 | sed 's/^/   /' || true
echo "-- and one that reads past its context (ldxw r0, [r1+128] on a 128-byte frame) is stopped by a guard, on the device, in every engine:"
printf '\141\020\200\000\000\000\000\000\225\000\000\000\000\000\000\000' > "$build/demo/oob.bin"
for engine in interp jit aot; do
    "$build/bin/bpfrun" --raw --target thumb2 --engine $engine --mem "$frame" "$build/demo/oob.bin" 2>&1 \
        | sed "s/^/   $engine: /" || true
done
echo "-- more: docs/writing-programs.md (writing and testing programs), examples/scenarios/"
