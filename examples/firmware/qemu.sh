#!/bin/sh
# qemu.sh ELF [ARG...]: boot a firmware on the emulated Cortex-M4 (QEMU mps2-an386), or with
# FW_BOARD=rv32 on RV32IMC (QEMU virt), with semihosting (console and files on the host) and
# instruction counting, as aot/target_run.c does. Each ARG reaches the firmware as one argv
# entry (no commas inside). Prints the console.
elf=$1
shift
args=arg=firmware
for a in "$@"; do
    args="$args,arg=$a"
done
case ${FW_BOARD:-m4} in
rv32) qemu="qemu-system-riscv32 -M virt -bios none -icount shift=0" ;;
*) qemu="qemu-system-arm -M mps2-an386 -cpu cortex-m4 -icount shift=7" ;;
esac
exec timeout 60 $qemu -nographic -monitor none \
    -semihosting-config "enable=on,target=native,$args" -kernel "$elf" </dev/null 2>&1
