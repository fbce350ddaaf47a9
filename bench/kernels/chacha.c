/* ARX cipher: the ChaCha20 block function (20 rounds of 32-bit add, rotate, xor) keyed from the
 * first 32 bytes of the buffer, run over as many 64-byte blocks as the buffer holds; the keystream
 * is xored into the buffer and folded into the result. */
#include "kernel.h"

#define ROTL(x, n) ((x) << (n) | (x) >> (32 - (n)))
#define QR(a, b, c, d)                                                                            \
    do {                                                                                          \
        a += b; d ^= a; d = ROTL(d, 16);                                                          \
        c += d; b ^= c; b = ROTL(b, 12);                                                          \
        a += b; d ^= a; d = ROTL(d, 8);                                                           \
        c += d; b ^= c; b = ROTL(b, 7);                                                           \
    } while (0)

KERNEL(chacha)
{
    if (len < 64)
        return 0;
    uint32_t key[8];
    for (int i = 0; i < 8; i++)
        key[i] = rd32(buf + 4 * i);
    uint64_t fold = 0;
    uint32_t blocks = (uint32_t)(len / 64) < 4 ? (uint32_t)(len / 64) : 4;
    for (uint32_t blk = 0; blk < blocks; blk++) {
        uint32_t x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
        uint32_t x4 = key[0], x5 = key[1], x6 = key[2], x7 = key[3];
        uint32_t x8 = key[4], x9 = key[5], x10 = key[6], x11 = key[7];
        uint32_t x12 = blk, x13 = 0, x14 = 0x01020304, x15 = 0x05060708;
        for (int r = 0; r < 10; r++) {
            QR(x0, x4, x8, x12); QR(x1, x5, x9, x13); QR(x2, x6, x10, x14); QR(x3, x7, x11, x15);
            QR(x0, x5, x10, x15); QR(x1, x6, x11, x12); QR(x2, x7, x8, x13); QR(x3, x4, x9, x14);
        }
        fold ^= (uint64_t)(x0 + 0x61707865) << 32 | (x1 ^ x2 ^ x3 ^ x4 ^ x5 ^ x6 ^ x7);
        fold += (uint64_t)(x8 ^ x9 ^ x10 ^ x11) << 16 ^ (x12 + x13 + x14 + x15);
        uint8_t *p = buf + 64 * blk;
        p[0] ^= (uint8_t)x0;
        p[63] ^= (uint8_t)x15;
    }
    return fold;
}
