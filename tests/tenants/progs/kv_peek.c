/* Reads key c->key of its own kv namespace (0 when absent). */
#include "probe.h"
PROGRAM
{
    uint64_t v = 0;
    mbpf_kv_fetch(c->key, &v);
    return v;
}
