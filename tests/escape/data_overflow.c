/* Attack: overflow a global array in .bss by a data-dependent index. */
#include <stdint.h>
uint32_t counters[4];
__attribute__((section("prog"), used)) uint64_t attack(uint8_t *ctx, uint64_t len)
{
    (void)ctx;
    counters[len] = 0xdeadbeef;
    return counters[0];
}
