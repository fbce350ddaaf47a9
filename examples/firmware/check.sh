#!/bin/sh
# check.sh BUILD: the firmware suite of `make check`, on each board (Cortex-M4, then RV32IMC, whose
# checks are named "rv32: ..."). Boots the firmware without the runtime (native C hooks: the
# reference), the interpreter-only, JIT-only and AOT-only builds and the full build with each
# engine; the counters, log lines and packet verdicts must equal the reference's (and the RV32
# reference the M4's), and each engine must have run its programs without faults, refused the
# program outside the tenant's mask and stopped the one that reads past its packet.
build=$1
. "$(dirname "$0")/common.sh"
checks=0
failures=0
check() { # check NAME CONDITION-EXIT-STATUS
    checks=$((checks + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok   $prefix$1"
    else
        echo "FAIL $prefix$1"
        failures=$((failures + 1))
    fi
}

# check_board BOARD OUT PREFIX: every check of one board, transcripts in OUT.
check_board() {
    fw_board $1
    out=$2
    prefix=$3
    mkdir -p "$out"
    fw_run native >"$out/native.txt"
    grep -q '^done$' "$out/native.txt"
    check "native: runs to the end" $?
    fw_results <"$out/native.txt" >"$out/native.results"
    # the reference itself: every phase and every packet present, counts that add up
    [ "$(grep -Ec '^  packet +[0-9]' "$out/native.results")" -eq 16 ] &&
        grep -q '^  v1 156 context switches$' "$out/native.results" &&
        grep -q '^  v2 thread 3 logger  ran  48 steps, switches in counted: 48$' "$out/native.results" &&
        grep -q '^  net kv (packets per reason): allow 7 malformed 2 proto 2 port 2 pattern 3$' "$out/native.results" &&
        [ "$(grep -c '^  \[log\] ' "$out/native.results")" -eq 3 ]
    check "native: reference output complete (16 packets, 3 log lines, expected totals)" $?

    for e in interp-only jit-only aot-only interp jit aot; do
        fw_run $e >"$out/$e.txt"
        grep -q '^done$' "$out/$e.txt"
        check "$e: runs to the end" $?
        fw_results <"$out/$e.txt" >"$out/$e.results"
        diff "$out/native.results" "$out/$e.results" >"$out/$e.diff"
        check "$e: counters, log lines and verdicts equal the native build's" $?
        engine=${e%-only}
        grep -Eq "^  sched   $engine +156 +0 " "$out/$e.txt" && grep -Eq "^  filter  $engine +16 +0 " "$out/$e.txt"
        check "$e: probe and filter ran in the $engine engine, no faults" $?
        grep -Eq '^  sched .* 1$' "$out/$e.txt"
        check "$e: one hot swap recorded" $?
        grep -Eq '^  load filter_log\.[a-z0-9.]+ into tenant 2: (rejected by the verifier|not permitted)$' "$out/$e.txt"
        check "$e: helper outside the tenant's mask refused at load" $?
        grep -q '^  stopped by the guard: memory read fault at insn [0-9]*, address ctx+27, 1 byte(s)$' "$out/$e.txt"
        check "$e: out-of-packet read stopped by the guard" $?
    done
    for e in jit jit-only; do
        grep -Eq '^  sched +jit +156 +0 +156 +1 ' "$out/$e.txt" && grep -Eq '^  filter +jit +16 +0 +16 +1 ' "$out/$e.txt"
        check "$e: translated once, then served from the code cache" $?
    done
}

check_board m4 "$fw/check" ""
check_board rv32 "$fw/check/rv32" "rv32: "
diff "$fw/check/native.results" "$fw/check/rv32/native.results" >"$fw/check/rv32/native-m4.diff"
check "native: counters, log lines and verdicts equal the Cortex-M4's" $?

echo "firmware: $checks checks, $failures failures"
[ "$failures" -eq 0 ]
