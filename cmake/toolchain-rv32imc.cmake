# CMake toolchain file for RV32IMC (ilp32) firmware with Debian's riscv64-unknown-elf GCC and
# picolibc; mcubpf's config selects its rv32imc libraries from MCUBPF_TARGET.
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(MCUBPF_TARGET rv32imc CACHE STRING "mcubpf device target")
set(MCUBPF_CROSS riscv64-unknown-elf-)
set(MCUBPF_ARCH_FLAGS "-march=rv32imc -mabi=ilp32")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
