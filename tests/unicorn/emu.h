/* Translated code of one target run under Unicorn with the regions of sandbox.h: the block at
 * SB_BLOCK, the runtime routines of jit/jit_runtime.c behind hooked stub addresses, an unmapped
 * page below the native stack, and every access outside the mapped sandbox stopped and reported
 * (a trap: the run did not end through the code's own exit). */
#ifndef MCUBPF_TESTS_UNICORN_EMU_H
#define MCUBPF_TESTS_UNICORN_EMU_H

#include "mcubpf/jit.h"

typedef struct emu emu;

typedef enum emu_trap_kind {
    EMU_TRAP_NONE = 0,
    EMU_TRAP_READ,      /* read of unmapped memory */
    EMU_TRAP_WRITE,     /* write to unmapped or read-only memory (code, rodata) */
    EMU_TRAP_FETCH,     /* jump outside the code */
    EMU_TRAP_EXCEPTION, /* undefined instruction, usage fault, misaligned ldrd/strd, ... */
    EMU_TRAP_TIMEOUT,   /* still running after the time limit */
    EMU_TRAP_MISALIGNED, /* a misaligned access where the core would trap (emu_strict_align) */
    EMU_TRAP_OTHER,
} emu_trap_kind;

typedef struct emu_trap {
    emu_trap_kind kind;
    uint64_t addr; /* the address accessed (memory traps), else the native pc */
    uint32_t size;
    uint32_t native_pc; /* offset into the code */
    int uc_err;
} emu_trap;

const char *emu_trap_name(emu_trap_kind k);

/* NULL (with a message on stderr) when Unicorn lacks the target. sb_init must have succeeded. */
emu *emu_open(mbpf_target t);
void emu_close(emu *e);
mbpf_target emu_target(const emu *e);

/* RV32: treat a load or store whose address is not a multiple of its size as a trap (cores that
 * trap on misaligned accesses; Unicorn, like QEMU, performs them). Costs a hook on every access
 * to the regions' mappings. Returns 0, or -1 for Thumb-2: the M4 allows misaligned ldr/str, and
 * the instructions it faults on (ldrd/strd/ldm/stm) cannot be told apart in a memory hook,
 * whose pc Unicorn does not keep exact. */
int emu_strict_align(emu *e);

/* Install code at SB_CODE (len <= SB_CODE_LEN) and drop what the emulator translated before. */
void emu_load(emu *e, const uint8_t *code, uint32_t len);

/* Run the loaded code from entry_off with the inputs of x, like mbpf_jit_run on the device:
 * fills x->r0, x->status, x->fault. A trap is returned in *trap (kind != NONE); x->status is
 * then meaningless. timeout_us bounds the run (0: none). */
mbpf_status emu_run(emu *e, mbpf_exec *x, uint32_t entry_off, uint64_t timeout_us, emu_trap *trap);

#endif
