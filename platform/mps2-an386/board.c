/* Cortex-M4 on QEMU mps2-an386: QEMU models no DWT cycle counter, so the CMSDK APB TIMER0
 * (25 MHz, counting down) is read under `-icount shift=7`: one instruction takes 128 ns of
 * virtual time, i.e. 3.2 timer ticks, so round(ticks / 3.2) is the instruction count. */
#include "platform/board.h"

#define TIMER0_BASE 0x40000000u
#define TIMER_CTRL (*(volatile uint32_t *)(TIMER0_BASE + 0x00))
#define TIMER_VALUE (*(volatile uint32_t *)(TIMER0_BASE + 0x04))
#define TIMER_RELOAD (*(volatile uint32_t *)(TIMER0_BASE + 0x08))

void board_counter_init(void)
{
    TIMER_CTRL = 0;
    TIMER_RELOAD = 0xffffffffu;
    TIMER_VALUE = 0xffffffffu;
    TIMER_CTRL = 1; /* enable, no interrupt */
}

uint32_t board_counter_read(void)
{
    return 0xffffffffu - TIMER_VALUE; /* counts up */
}

uint32_t board_counter_to_insns(uint32_t delta)
{
    return (uint32_t)(((uint64_t)delta * 10u + 16u) / 32u); /* round(delta / 3.2) */
}
