#!/bin/sh
# footprint.sh BUILD: ROM and RAM of the example firmware built three ways (native C hooks, runtime
# interpreter-only, runtime + Thumb-2 JIT), as a markdown table in examples/firmware/FOOTPRINT.md
# (also printed). The C stack peaks and the work arena's size come from running each build in
# QEMU. `make footprint`.
set -e
build=$1
. "$(dirname "$0")/common.sh"
out="$fw/footprint"
mkdir -p "$out"
fw_run native >"$out/native.txt"
fw_run interp-only >"$out/interp-only.txt"
for e in interp jit aot; do fw_run $e; done >"$out/jit.txt"
python3 "$here/footprint.py" "$fw" "$out/native.txt" "$out/interp-only.txt" "$out/jit.txt" >"$here/FOOTPRINT.md"
cat "$here/FOOTPRINT.md"
