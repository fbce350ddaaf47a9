/* Attack: tries to fill the whole shared kv store with its own keys; returns how many stores
 * succeeded. */
#include "probe.h"
#define KEYS 16
PROGRAM
{
    uint64_t stored = 0;
#pragma clang loop unroll(disable)
    for (uint32_t k = 0; k < KEYS; k++)
        if (mbpf_kv_store(c->key + k, k) == 0)
            stored++;
    return stored;
}
