/* Internet checksum (RFC 1071) over the context, 16-bit words big-endian. */
#include "vector.h"
VECTOR(checksum16)
{
    uint32_t sum = 0;
    uint64_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)ctx[i] << 8 | ctx[i + 1];
    if (i < len)
        sum += (uint32_t)ctx[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}
