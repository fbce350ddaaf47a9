/* Calling translated Thumb-2 code on an ARMv7-M device. On other builds (host, RV32) the
 * functions report that this engine is not available here. */
#include "jit/jit_runtime.h"

#if defined(__arm__) && defined(__thumb2__)

mbpf_jit_irq_state mbpf_jit_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

void mbpf_jit_irq_restore(mbpf_jit_irq_state s)
{
    __asm__ volatile("msr primask, %0" ::"r"(s) : "memory");
}

void mbpf_jit_sync_code(const void *code, uint32_t len)
{
    (void)code;
    (void)len;
    /* no caches on the Cortex-M3/M4 bus to the arena; barriers so the new bytes are fetched */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

mbpf_jit_fn mbpf_jit_entry(const void *code, uint32_t entry_off)
{
    return (mbpf_jit_fn)(((uintptr_t)code + entry_off) | 1u); /* Thumb state */
}

#endif
