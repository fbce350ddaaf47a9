#!/bin/sh
# footprint.sh BUILD: ROM and RAM of the example firmware in each configuration an embedder would
# choose (native C hooks, interpreter + checker, JIT + checker, AOT images only, all engines) on the Cortex-M4
# and on RV32IMC, as markdown in examples/firmware/FOOTPRINT.md (also printed), with the budgets
# of the runtime. The C stack peaks, the runtime's state and the cost per call come from running
# each build in QEMU. `make footprint`.
set -e
build=$1
. "$(dirname "$0")/common.sh"
for b in m4 rv32; do
    fw_board $b
    out="$fw/footprint/$b"
    mkdir -p "$out"
    fw_run native >"$out/native.txt"
    fw_run interp-only >"$out/interp.txt"
    fw_run jit-only >"$out/jitonly.txt"
    for e in interp jit aot; do fw_run $e; done >"$out/jit.txt"
    fw_run aot-only >"$out/aot.txt"
done
python3 "$here/footprint.py" "$fw" "$fw/footprint" >"$here/FOOTPRINT.md"
cat "$here/FOOTPRINT.md"
