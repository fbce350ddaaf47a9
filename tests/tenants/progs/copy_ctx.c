/* Copies its 24-byte context to the stack with the memcpy helper (charged per 16 bytes). */
#include "probe.h"
PROGRAM
{
    uint64_t buf[3];
    return (uint64_t)mbpf_memcpy(buf, c, sizeof buf) + buf[1];
}
