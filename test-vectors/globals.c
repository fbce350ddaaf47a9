/* Global .data and .bss state: counters updated by the program, read back. */
#include "vector.h"
uint32_t calls;
uint64_t seed = 0x1234567890abcdefull;
static uint16_t history[8];
VECTOR(globals)
{
    (void)ctx;
    for (int r = 0; r < 5; r++) {
        calls++;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        history[calls & 7] = (uint16_t)(seed >> 48);
    }
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h * 31 + history[i];
    return h ^ calls ^ (len << 32);
}
