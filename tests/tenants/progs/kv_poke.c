/* Stores c->value under key c->key in its own kv namespace. */
#include "probe.h"
PROGRAM
{
    return (uint64_t)mbpf_kv_store(c->key, c->value);
}
