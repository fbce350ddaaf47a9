/* MurmurHash3 x86_32 with seed 0x9747b28c. */
#include "kernel.h"

HELPER uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

KERNEL(murmur3)
{
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    uint32_t h = 0x9747b28cu;
    uint64_t nblocks = len / 4;
    for (uint64_t i = 0; i < nblocks; i++) {
        uint32_t k = rd32(buf + i * 4);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    uint32_t k = 0;
    uint64_t tail = nblocks * 4;
    switch (len & 3) {
    case 3: k ^= (uint32_t)buf[tail + 2] << 16; /* fall through */
    case 2: k ^= (uint32_t)buf[tail + 1] << 8;  /* fall through */
    case 1:
        k ^= buf[tail];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}
