/* Rejected at load: a packet filter that logs every packet, but the network tenant may not call
 * the log helper (not in its helper mask). */
#include "examples/firmware/fw_abi.h"
#include "mcubpf/bpf_helpers.h"

SEC("filter") uint64_t filter_log(const uint8_t *pkt, uint64_t len)
{
    MBPF_LOG("packet of %u bytes, proto %u", len, pkt[0], 0);
    return 1;
}
