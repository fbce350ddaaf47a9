/* RV32 on QEMU virt: minstret is the retired-instruction count (exact under -icount shift=0). */
#include "platform/board.h"

void board_counter_init(void)
{
}

uint32_t board_counter_read(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, minstret" : "=r"(v));
    return v;
}

uint32_t board_counter_to_insns(uint32_t delta)
{
    return delta;
}
