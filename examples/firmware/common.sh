# Sourced by run.sh, check.sh and footprint.sh: how to boot each firmware build with each engine.
# Needs $build (the make BUILD directory). fw_board m4|rv32 selects the board (m4 by default).
here=$(dirname "$0")
fw="$build/firmware"
fw_elf_dir=$fw
aot_ext=thumb2.bin

# fw_board BOARD: run the firmware of BOARD from now on (m4: $fw, rv32: $fw/rv32).
fw_board() {
    FW_BOARD=$1
    export FW_BOARD
    case $1 in
    rv32) fw_elf_dir="$fw/rv32" aot_ext=rv32.bin ;;
    *) fw_elf_dir=$fw aot_ext=thumb2.bin ;;
    esac
}

# fw_run ENGINE: the firmware with the runtime; interp and jit load containers, aot AOT images.
# fw_run interp-only, jit-only, aot-only: the builds of those configurations. fw_run native: the
# build without the runtime.
fw_run() {
    case $1 in
    native) "$here/qemu.sh" "$fw_elf_dir/firmware-native.elf" ;;
    interp-only) fw_boot "$fw_elf_dir/firmware-interp.elf" interp mbc ;;
    jit-only) fw_boot "$fw_elf_dir/firmware-jit.elf" jit mbc ;;
    aot-only) fw_boot "$fw_elf_dir/firmware-aot.elf" aot "$aot_ext" ;;
    aot) fw_boot "$fw_elf_dir/firmware.elf" aot "$aot_ext" ;;
    *) fw_boot "$fw_elf_dir/firmware.elf" "$1" mbc ;;
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
