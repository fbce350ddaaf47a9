/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bitwise: no table in rodata. */
#include "kernel.h"

KERNEL(crc32)
{
    uint32_t crc = 0xffffffffu;
    for (uint64_t i = 0; i < len; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}
