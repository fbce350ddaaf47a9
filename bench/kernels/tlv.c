/* Byte-oriented TLV parser: records of (type:1, length:1, value:length) until the end of the
 * buffer; sums values per type class and counts malformed (truncated) records. */
#include "kernel.h"

KERNEL(tlv)
{
    uint64_t i = 0, records = 0, bad = 0;
    uint32_t sum_small = 0, sum_big = 0;
    while (i + 2 <= len) {
        uint32_t type = buf[i];
        uint32_t l = buf[i + 1] & 0x1f;
        i += 2;
        if (i + l > len) {
            bad++;
            break;
        }
        for (uint32_t k = 0; k < l; k++) {
            if (type & 0x80)
                sum_big += buf[i + k] * type;
            else
                sum_small += buf[i + k] ^ type;
        }
        i += l;
        records++;
    }
    return records << 48 | bad << 40 | (uint64_t)(sum_big ^ (sum_small << 8));
}
