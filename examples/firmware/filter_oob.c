/* Stopped at run time: a filter that trusts the header's length field and reads the last payload
 * byte without checking it against the packet length. On a packet that lies about its length the
 * read falls outside the context and the runtime's guard ends the run with a memory fault. */
#include "examples/firmware/fw_abi.h"
#include "mcubpf/bpf_helpers.h"

SEC("filter") uint64_t filter_oob(const uint8_t *pkt, uint64_t len)
{
    (void)len;
    const struct pkt_hdr *h = (const struct pkt_hdr *)pkt;
    uint32_t last = h->length ? pkt[sizeof *h + h->length - 1u] : 0;
    return last != FW_SIG3;
}
