/* Parsing a packed header struct out of the context: IPv4-like header fields. */
#include "vector.h"
struct hdr {
    uint8_t ver_ihl;
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag;
    uint8_t ttl;
    uint8_t proto;
    uint16_t csum;
    uint32_t src;
    uint32_t dst;
} __attribute__((packed));
VECTOR(structs)
{
    if (len < sizeof(struct hdr))
        return 0;
    const struct hdr *h = (const struct hdr *)ctx;
    uint64_t v = 0;
    v ^= h->ver_ihl;
    v ^= (uint64_t)h->total_len << 8;
    v ^= (uint64_t)h->proto << 24;
    v ^= (uint64_t)h->src << 16;
    v ^= (uint64_t)h->dst << 32;
    return v + h->ttl;
}
