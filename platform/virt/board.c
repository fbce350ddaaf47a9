/* RV32 on QEMU virt: minstret is the retired-instruction count (exact under -icount shift=0). */
#include "platform/board.h"

void board_counter_init(void)
{
}

uint32_t board_counter_read(void)
{
    /* csrrs a0, minstret, x0 as a raw word: the rv32imc arch string of the build lacks Zicsr */
    register uint32_t v __asm__("a0");
    __asm__ volatile(".word 0xb0202573" : "=r"(v));
    return v;
}

uint32_t board_counter_to_insns(uint32_t delta)
{
    return delta;
}
