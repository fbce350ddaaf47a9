/* Packet filter of the network tenant: returns 1 (allow) or 0 (drop), and counts packets per
 * verdict reason in the tenant's kv store. Drops malformed packets (header length disagreeing with
 * the packet), protocols other than TCP and UDP, telnet (destination port 23) and payloads that
 * carry the signature de ad be ef anywhere (a loop bounded by FW_PAYLOAD_MAX). */
#include "examples/firmware/fw_abi.h"
#include "mcubpf/bpf_helpers.h"

static uint64_t verdict(uint32_t reason)
{
    uint64_t n = 0;
    mbpf_kv_fetch(reason, &n);
    mbpf_kv_store(reason, n + 1);
    return reason == FW_REASON_ALLOW;
}

SEC("filter") uint64_t packet_filter(const uint8_t *pkt, uint64_t len)
{
    const struct pkt_hdr *h = (const struct pkt_hdr *)pkt;
    if (len < sizeof *h)
        return verdict(FW_REASON_MALFORMED);
    uint32_t plen = h->length;
    if (plen > FW_PAYLOAD_MAX || plen != len - sizeof *h)
        return verdict(FW_REASON_MALFORMED);
    if (h->proto != PROTO_TCP && h->proto != PROTO_UDP)
        return verdict(FW_REASON_PROTO);
    if (h->dst_port == FW_BLOCKED_PORT)
        return verdict(FW_REASON_PORT);
    const uint8_t *p = pkt + sizeof *h;
    for (uint32_t i = 0; i + 4 <= plen; i++)
        if (p[i] == FW_SIG0 && p[i + 1] == FW_SIG1 && p[i + 2] == FW_SIG2 && p[i + 3] == FW_SIG3)
            return verdict(FW_REASON_PATTERN);
    return verdict(FW_REASON_ALLOW);
}
