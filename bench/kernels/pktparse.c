/* Packet parser with data-dependent bounds: the buffer is a run of frames, each an Ethernet-like
 * header (14 bytes, ethertype at 12, frame length from its first byte), an IPv4-like header whose
 * length comes from its first byte, and a UDP-like header at the offset that length gives.
 * Counts frames per protocol, sums the ports of well-formed datagrams, stops at a truncated
 * frame; parses the buffer from eight start offsets (eight different frame sequences). */
#include "kernel.h"

KERNEL(pktparse)
{
    uint32_t ipv4 = 0, udp = 0, other = 0, port_sum = 0, bad = 0;
    for (uint64_t start = 0; start < 8; start++) {
        uint64_t off = start;
        while (off + 14 <= len) {
            const uint8_t *eth = buf + off;
            uint32_t type = (uint32_t)eth[12] << 8 | eth[13];
            uint32_t frame = 20 + (eth[0] & 0x3f);
            if (off + frame > len)
                break;
            if ((type & 0x0100) && frame >= 14 + 20) {
                const uint8_t *ip = eth + 14;
                uint32_t ihl = (ip[0] & 0x0f) * 4 + 8;
                ipv4++;
                if (ihl < 20 || 14 + ihl + 8 > frame) {
                    bad++;
                } else if (ip[9] & 1) {
                    const uint8_t *u = ip + ihl;
                    uint32_t sport = (uint32_t)u[0] << 8 | u[1], dport = (uint32_t)u[2] << 8 | u[3];
                    udp++;
                    port_sum += sport ^ dport;
                }
            } else {
                other++;
            }
            off += frame;
        }
    }
    return (uint64_t)ipv4 << 48 | (uint64_t)udp << 32 | (uint64_t)(other & 0xff) << 24 |
           (uint64_t)(bad & 0xff) << 16 | (port_sum & 0xffff);
}
