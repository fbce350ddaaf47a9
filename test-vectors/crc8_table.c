/* CRC-8 (polynomial 0x07) with a 256-entry table in .rodata. */
#include "vector.h"
static const uint8_t table[256] = {
#include "crc8_table.inc"
};
VECTOR(crc8_table)
{
    uint8_t crc = 0;
    for (uint64_t i = 0; i < len; i++)
        crc = table[crc ^ ctx[i]];
    return crc;
}
