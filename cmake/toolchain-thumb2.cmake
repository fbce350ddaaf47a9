# CMake toolchain file for Cortex-M4 (Thumb-2, ARMv7E-M, soft float) firmware with Debian's
# arm-none-eabi GCC and picolibc; mcubpf's config selects its thumb2 libraries from MCUBPF_TARGET.
set(CMAKE_SYSTEM_PROCESSOR arm)
set(MCUBPF_TARGET thumb2 CACHE STRING "mcubpf device target")
set(MCUBPF_CROSS arm-none-eabi-)
set(MCUBPF_ARCH_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft")
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-common.cmake)
