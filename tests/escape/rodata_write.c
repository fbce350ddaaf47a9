/* Attack: cast away const and write into rodata (read-only region). */
#include <stdint.h>
static const char table[8] = "abcdefg";
__attribute__((section("prog"), used)) uint64_t attack(uint8_t *ctx, uint64_t len)
{
    (void)ctx;
    volatile char *p = (volatile char *)(uintptr_t)table;
    p[len & 7] = 1;
    return (uint64_t)p[0];
}
