/* Calling translated RV32 code on a RISC-V device. On other builds the functions are absent
 * (the Thumb-2 file provides them on ARM; the host has no engine that executes code). */
#include "jit/jit_runtime.h"

#if defined(__riscv) && __riscv_xlen == 32

/* CSR access spelled as raw words: the rv32imc arch string of the build lacks Zicsr. */
mbpf_jit_irq_state mbpf_jit_irq_save(void)
{
    register uint32_t v __asm__("a0");
    __asm__ volatile(".word 0x30047573" : "=r"(v)::"memory"); /* csrrci a0, mstatus, 8 (MIE) */
    return v & 8u;
}

void mbpf_jit_irq_restore(mbpf_jit_irq_state s)
{
    register uint32_t v __asm__("a0") = s & 8u;
    __asm__ volatile(".word 0x30052073" ::"r"(v) : "memory"); /* csrrs x0, mstatus, a0 */
}

void mbpf_jit_sync_code(const void *code, uint32_t len)
{
    (void)code;
    (void)len;
    __asm__ volatile(".word 0x0000100f" ::: "memory"); /* fence.i */
}

mbpf_jit_fn mbpf_jit_entry(const void *code, uint32_t entry_off)
{
    return (mbpf_jit_fn)((uintptr_t)code + entry_off);
}

#endif
