#!/bin/sh
# qemu.sh ELF [ARG...]: boot a firmware on the emulated Cortex-M4 (QEMU mps2-an386) with
# semihosting (console and files on the host) and instruction counting, as aot/target_run.c does.
# Each ARG reaches the firmware as one argv entry (no commas inside). Prints the console.
elf=$1
shift
args=arg=firmware
for a in "$@"; do
    args="$args,arg=$a"
done
exec timeout 60 qemu-system-arm -M mps2-an386 -cpu cortex-m4 -nographic -monitor none \
    -icount shift=7 -semihosting-config "enable=on,target=native,$args" -kernel "$elf" </dev/null 2>&1
