/* Where a faulting address lies: the region it falls in, or the nearest one, and the offset from
 * that region's start ("ctx+27", "stack-8", "data+4096"). Shared by the runner firmware and the
 * host tools so both name a fault the same way. */
#ifndef MCUBPF_PLATFORM_WHERE_H
#define MCUBPF_PLATFORM_WHERE_H

#include <stdint.h>

typedef struct mbpf_where_region {
    const char *name;
    uint64_t start;
    uint32_t len;
} mbpf_where_region;

/* Index of the region addr falls in, or of the nearest one (-1 when n == 0); *off is addr minus
 * its start (negative below it). Regions of length 0 are skipped. */
static inline int mbpf_where(const mbpf_where_region *r, int n, uint64_t addr, int64_t *off)
{
    int best = -1;
    uint64_t best_dist = 0;
    for (int i = 0; i < n; i++) {
        if (!r[i].len || !r[i].start)
            continue;
        uint64_t end = r[i].start + r[i].len;
        uint64_t dist = addr < r[i].start ? r[i].start - addr : addr >= end ? addr - end + 1 : 0;
        if (best < 0 || dist < best_dist) {
            best = i;
            best_dist = dist;
        }
    }
    if (best >= 0)
        *off = (int64_t)(addr - r[best].start);
    return best;
}

#endif
