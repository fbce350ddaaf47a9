# find_package(mcubpf): imported targets for the installed libraries of one target.
#   mcubpf::mcubpf    runtime, verifier, interpreter and translator (JIT, AOT images)
#   mcubpf::interp    interpreter-only runtime (no translator: the smallest footprint)
#   mcubpf::ed25519   libsodium's Ed25519 verification (mbpf_ed25519_verify) for signed updates
# The target comes from MCUBPF_TARGET (set by the toolchain files in share/mcubpf/cmake:
# thumb2, rv32imc); without it, the host library (interpreter, tools' library) is used.
# Relocatable: every path is found from this file's own location.
get_filename_component(_mcubpf_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(mcubpf_INCLUDE_DIR "${_mcubpf_prefix}/include")
set(mcubpf_TOOLCHAIN_DIR "${_mcubpf_prefix}/share/mcubpf/cmake")

if(NOT DEFINED MCUBPF_TARGET OR MCUBPF_TARGET STREQUAL "" OR MCUBPF_TARGET STREQUAL "host")
    set(_mcubpf_libdir "${_mcubpf_prefix}/lib")
    set(_mcubpf_host TRUE)
elseif(MCUBPF_TARGET STREQUAL "thumb2" OR MCUBPF_TARGET STREQUAL "rv32imc")
    set(_mcubpf_libdir "${_mcubpf_prefix}/lib/mcubpf/${MCUBPF_TARGET}")
    set(_mcubpf_host FALSE)
else()
    set(mcubpf_FOUND FALSE)
    set(mcubpf_NOT_FOUND_MESSAGE "MCUBPF_TARGET is '${MCUBPF_TARGET}': use thumb2, rv32imc or host")
    return()
endif()

function(_mcubpf_lib name file)
    if(NOT TARGET mcubpf::${name})
        add_library(mcubpf::${name} STATIC IMPORTED)
        set_target_properties(mcubpf::${name} PROPERTIES
            IMPORTED_LOCATION "${_mcubpf_libdir}/${file}"
            INTERFACE_INCLUDE_DIRECTORIES "${mcubpf_INCLUDE_DIR}")
    endif()
endfunction()

if(_mcubpf_host)
    _mcubpf_lib(mcubpf libmcubpf.a)
    set_property(TARGET mcubpf::mcubpf PROPERTY INTERFACE_LINK_LIBRARIES elf capstone sodium m)
else()
    _mcubpf_lib(mcubpf libmcubpf.a)
    _mcubpf_lib(interp libmcubpf-interp.a)
    set_property(TARGET mcubpf::interp PROPERTY INTERFACE_COMPILE_DEFINITIONS MBPF_RT_WITH_JIT=0)
    _mcubpf_lib(ed25519 libmcubpf-ed25519.a)
    # the firmware keeps only what it calls
    set_property(TARGET mcubpf::mcubpf PROPERTY INTERFACE_LINK_OPTIONS -Wl,--gc-sections)
    set_property(TARGET mcubpf::interp PROPERTY INTERFACE_LINK_OPTIONS -Wl,--gc-sections)
endif()
set(mcubpf_FOUND TRUE)
