#!/bin/sh
# The first end-to-end demo: a C filter compiled by clang to eBPF, verified and run by bpfrun.
set -e
build=$1
echo "== mcubpf demo: a sensor filter written in C, run as verified eBPF"
echo "-- compile: clang -O2 -target bpf -c examples/hello/filter.c"
echo "-- input: 64 samples around 1000 with 3 spikes ($build/demo/frame.bin)"
echo "-- run on the host interpreter:"
out=$("$build/bin/bpfrun" --stats --mem "$build/demo/frame.bin" "$build/demo/filter.o" 2>"$build/demo/stats.txt")
r0=$(echo "$out" | tail -n 1)
echo "   r0 = $r0  ($(cat "$build/demo/stats.txt"))"
python3 -c "v=int('$r0',16); print('   mean of kept samples = %d, dropped samples = %d' % (v & 0xffffffff, v >> 32))"
echo "-- a hostile program (stb [r10+0], 1: a write above its stack frame) is refused before it runs:"
printf '\162\012\000\000\001\000\000\000\225\000\000\000\000\000\000\000' > "$build/demo/hostile.bin"
"$build/bin/bpfrun" "$build/demo/hostile.bin" || echo "   (exit $?: rejected, as it should be)"
