/* Reads key c->key of the global kv namespace: only for tenants allowed the global helpers. */
#include "probe.h"
PROGRAM
{
    uint64_t v = 0;
    mbpf_kv_fetch_global(c->key, &v);
    return v;
}
