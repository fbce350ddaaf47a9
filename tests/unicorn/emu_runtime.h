/* The runtime routines translated code reaches through the block (helper trampoline, slow region
 * check, atomics), for the emulated targets: the very functions of jit/jit_runtime.c, which this
 * build compiles into the emulator instead of the library's copy (they are static there). */
#ifndef MCUBPF_TESTS_UNICORN_EMU_RUNTIME_H
#define MCUBPF_TESTS_UNICORN_EMU_RUNTIME_H

#include "jit/jit_runtime.h"

uint64_t emu_rt_helper(mbpf_jit_block *b, uint32_t id, const uint64_t *args, uint32_t pc);
uint32_t emu_rt_check(mbpf_jit_block *b, uint32_t addr, uint32_t size, uint32_t write);
uint64_t emu_rt_atomic(mbpf_jit_block *b, uint32_t addr, uint64_t val);

#endif
