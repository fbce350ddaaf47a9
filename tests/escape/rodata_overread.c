/* Attack: index a rodata table far past its end. */
#include <stdint.h>
static const char table[8] = "abcdefg";
__attribute__((section("prog"), used)) uint64_t attack(uint8_t *ctx, uint64_t len)
{
    (void)ctx;
    return (uint64_t)table[len + 100];
}
