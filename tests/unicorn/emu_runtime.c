/* jit/jit_runtime.c compiled here (see emu_runtime.h): the emulator must call the routines the
 * device calls, not a copy of them. Programs that link this unit must not also link the
 * library's jit_runtime.o; the static archive leaves it out because this unit defines every
 * symbol it has. */
#include "jit/jit_runtime.c"

#include "tests/unicorn/emu_runtime.h"

uint64_t emu_rt_helper(mbpf_jit_block *b, uint32_t id, const uint64_t *args, uint32_t pc)
{
    return rt_helper(b, id, args, pc);
}

uint32_t emu_rt_check(mbpf_jit_block *b, uint32_t addr, uint32_t size, uint32_t write)
{
    return rt_check(b, addr, size, write);
}

uint64_t emu_rt_atomic(mbpf_jit_block *b, uint32_t addr, uint64_t val)
{
    return rt_atomic(b, addr, val);
}
