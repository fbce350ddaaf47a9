/* The fuzz targets' stand-in for Ed25519 verification: it reads every signed byte (so the
 * parser's view of the signed range is exercised) and accepts (returns 0) when the signature's
 * first byte is even, so that mutated inputs reach the parser through a signature block as well
 * as without one. */
#ifndef MCUBPF_TESTS_FUZZ_STAND_IN_VERIFY_H
#define MCUBPF_TESTS_FUZZ_STAND_IN_VERIFY_H

#include <stddef.h>
#include <stdint.h>

static int stand_in_verify(const uint8_t sig[64], const uint8_t *msg, size_t len,
                           const uint8_t pk[32], void *user)
{
    volatile uint8_t sink = pk[0];
    (void)user;
    for (size_t i = 0; i < len; i++)
        sink ^= msg[i];
    (void)sink;
    return sig[0] & 1;
}

#endif
