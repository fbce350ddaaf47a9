# What the device toolchain files share: a bare-metal GCC named by the prefix MCUBPF_CROSS (set by
# the including file), its flags MCUBPF_ARCH_FLAGS, picolibc, and libraries and headers found only
# in the target's sysroot.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER ${MCUBPF_CROSS}gcc)
set(CMAKE_ASM_COMPILER ${MCUBPF_CROSS}gcc)
set(CMAKE_AR ${MCUBPF_CROSS}ar)
set(CMAKE_RANLIB ${MCUBPF_CROSS}ranlib)
set(CMAKE_C_FLAGS_INIT "${MCUBPF_ARCH_FLAGS} --specs=picolibc.specs") # CMake links with the C flags too
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
