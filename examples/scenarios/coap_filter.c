/* Scenario 2: a CoAP filter (RFC 7252) in front of a device's CoAP server. It accepts GET
 * requests for the path "temp" and drops everything else: other methods and paths, malformed
 * headers, options that run past the end of the datagram. The context is the UDP payload. */
#include "mcubpf/bpf_helpers.h"

#define ACCEPT 1
#define DROP 0
#define COAP_VERSION 1
#define COAP_GET 0x01
#define OPT_URI_PATH 11
#define MAX_OPTIONS 16

/* An option's delta or length nibble with its extended bytes (13: one more byte, 14: two) at
 * pos. Returns the value, or -1 when it is malformed or runs past the end; the caller skips
 * ext_bytes(nibble) bytes. (pos is passed by value: a function may not store what it reads
 * through a pointer into its caller's frame, docs/writing-programs.md.) */
static __attribute__((noinline)) int64_t ext_value(const uint8_t *pkt, uint64_t len, uint64_t pos,
                                                   uint32_t nibble)
{
    if (nibble < 13)
        return nibble;
    if (nibble == 15)
        return -1;
    if (nibble == 13) {
        if (pos + 1 > len)
            return -1;
        return 13 + pkt[pos];
    }
    if (pos + 2 > len)
        return -1;
    uint32_t v = (uint32_t)pkt[pos] << 8 | pkt[pos + 1];
    return 269 + (int64_t)v;
}

static uint64_t ext_bytes(uint32_t nibble)
{
    return nibble == 13 ? 1 : nibble == 14 ? 2 : 0;
}

SEC("coap") uint64_t coap_filter(const uint8_t *pkt, uint64_t len)
{
    if (len < 4 || len > 1500)
        return DROP;
    uint32_t tkl = pkt[0] & 0x0f;
    if (pkt[0] >> 6 != COAP_VERSION || tkl > 8 || pkt[1] != COAP_GET)
        return DROP;
    uint64_t pos = 4 + tkl;
    uint32_t number = 0;
    for (int i = 0; i < MAX_OPTIONS; i++) {
        if (pos >= len)
            return DROP; /* no Uri-Path at all */
        uint8_t b = pkt[pos++];
        if (b == 0xff)
            return DROP; /* payload marker: the options ended without a match */
        int64_t delta = ext_value(pkt, len, pos, b >> 4);
        pos += ext_bytes(b >> 4);
        int64_t olen = ext_value(pkt, len, pos, b & 0x0f);
        pos += ext_bytes(b & 0x0f);
        if (delta < 0 || olen < 0 || pos + (uint64_t)olen > len)
            return DROP;
        number += (uint32_t)delta;
        if (number > OPT_URI_PATH)
            return DROP; /* options are sorted: the path has been passed */
        if (number == OPT_URI_PATH && olen == 4 && !mbpf_memcmp(pkt + pos, "temp", 4))
            return ACCEPT;
        pos += (uint64_t)olen;
    }
    return DROP;
}
