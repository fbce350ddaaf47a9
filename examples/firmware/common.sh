# Sourced by run.sh, check.sh and footprint.sh: how to boot each firmware build with each engine.
# Needs $build (the make BUILD directory).
here=$(dirname "$0")
fw="$build/firmware"

# fw_run ENGINE: the firmware with the runtime; interp and jit load containers, aot AOT images.
# fw_run interp-only: the interpreter-only build. fw_run native: the build without the runtime.
fw_run() {
    case $1 in
    native) "$here/qemu.sh" "$fw/firmware-native.elf" ;;
    interp-only) fw_boot "$fw/firmware-interp.elf" interp mbc ;;
    aot) fw_boot "$fw/firmware.elf" aot thumb2.bin ;;
    *) fw_boot "$fw/firmware.elf" "$1" mbc ;;
    esac
}

fw_boot() {
    "$here/qemu.sh" "$1" "engine=$2" "sched=$fw/sched_count.$3" "policy=$fw/sched_policy.$3" \
        "filter=$fw/packet_filter.$3" "reject=$fw/filter_log.$3" "oob=$fw/filter_oob.$3"
}

# The lines that must not depend on the engine or the build: counters, log lines, verdicts.
fw_results() {
    grep -E '^  (v1 |v2 |\[log\] |packet +[0-9]+ |net kv|[0-9]+ of [0-9]+ packets)'
}
