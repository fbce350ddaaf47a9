/* A switch over the byte values (a byte-code mini interpreter): many branches. */
#include "vector.h"
VECTOR(switch_case)
{
    int64_t acc = 1;
    for (uint64_t i = 0; i < len; i++) {
        switch (ctx[i] & 15) {
        case 0: acc += 1; break;
        case 1: acc -= 3; break;
        case 2: acc = (int64_t)((uint64_t)acc * 3); break;
        case 3: acc ^= 0x55; break;
        case 4: acc = (int64_t)((uint64_t)acc << 1); break;
        case 5: acc >>= 1; break;
        case 6: acc = -acc; break;
        case 7: acc |= 0x100; break;
        case 8: acc &= 0xffff; break;
        case 9: acc += ctx[i]; break;
        case 10: acc -= (int64_t)i; break;
        default: acc = (int64_t)((uint64_t)acc * 7 + 11); break;
        }
    }
    return (uint64_t)acc;
}
