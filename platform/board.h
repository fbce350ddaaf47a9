/* What each emulated board provides to the runner: an exact guest-instruction counter. */
#ifndef MCUBPF_PLATFORM_BOARD_H
#define MCUBPF_PLATFORM_BOARD_H

#include <stdint.h>

void board_counter_init(void);
/* Monotonic count in the board's unit (timer ticks or retired instructions). */
uint32_t board_counter_read(void);
/* Guest instructions corresponding to a difference of two counter reads. */
uint32_t board_counter_to_insns(uint32_t delta);

#endif
