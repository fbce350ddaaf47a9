#!/bin/sh
# Translate every bench kernel and test vector with both AOT tools into OUTDIR, so that two
# builds' translations can be compared byte for byte: aot-images.sh BUILD OUTDIR, then
# diff -r OUTDIR1 OUTDIR2 (a program a tool rejects is recorded with its message).
set -u
build=$1 out=$2
mkdir -p "$out/thumb2" "$out/rv32"
for obj in "$build"/bench/bpf/*.o "$build"/test-vectors/v3/*.o; do
    name=$(basename "$(dirname "$obj")")-$(basename "$obj" .o)
    "$build/bin/bpf2thumb" "$obj" -o "$out/thumb2/$name.img" >/dev/null 2>"$out/thumb2/$name.log" ||
        echo "rejected" >>"$out/thumb2/$name.log"
    "$build/bin/bpf2rv32" "$obj" -o "$out/rv32/$name.img" >/dev/null 2>"$out/rv32/$name.log" ||
        echo "rejected" >>"$out/rv32/$name.log"
done
# the tools name the output file in their summaries: drop OUTDIR so that two runs compare
sed -i "s|$out/||" "$out"/thumb2/*.log "$out"/rv32/*.log
ls "$out"/thumb2/*.img "$out"/rv32/*.img | wc -l
