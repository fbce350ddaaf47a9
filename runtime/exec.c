/* Execution model shared by every engine: region checks, status names, early stop. */
#include <string.h>

#include "mcubpf/vm.h"

static const char *const status_names[MBPF_STATUS_COUNT] = {
    "ok",
    "memory read fault",
    "memory write fault",
    "budget exhausted",
    "unknown or forbidden helper",
    "helper argument refused",
    "call depth exceeded",
    "invalid instruction",
    "stopped by helper",
};

const char *mbpf_status_name(mbpf_status s)
{
    if ((unsigned)s >= MBPF_STATUS_COUNT)
        return "unknown status";
    return status_names[s];
}

void mbpf_exec_reset(mbpf_exec *x)
{
    /* field by field: the size-optimised library memset is a byte loop. Regions past n_extra
     * are never read. */
    x->n_extra = 0;
    x->r0 = 0;
    x->status = MBPF_OK;
    x->fault.pc = 0;
    x->fault.size = 0;
    x->fault.addr = 0;
    x->insns_executed = 0;
    x->budget_left = x->budget;
    x->stack_top = 0;
}

/* [addr, addr+size) inside [start, start+len)? Written so that nothing can wrap. */
static int inside(uint64_t addr, uint64_t size, uintptr_t start, uint32_t len)
{
    uint64_t s = (uint64_t)start;
    if (start == 0 || addr < s)
        return 0;
    uint64_t off = addr - s;
    return off <= len && size <= len - off;
}

int mbpf_exec_check(const mbpf_exec *x, uint64_t addr, uint64_t size, uint32_t need)
{
    uint32_t live = x->stack_top ? (uint32_t)(x->stack_top - (uintptr_t)x->stack) : x->stack_len;
    if (inside(addr, size, (uintptr_t)x->stack, live))
        return 1;
    if ((x->ctx_flags & need) == need && inside(addr, size, (uintptr_t)x->ctx, x->ctx_len))
        return 1;
    const mbpf_program *p = x->prog;
    if (p) {
        if (!(need & MBPF_REGION_W) && inside(addr, size, (uintptr_t)p->rodata, p->rodata_len))
            return 1;
        if (inside(addr, size, (uintptr_t)p->data, p->data_len))
            return 1;
    }
    for (uint32_t i = 0; i < x->n_extra && i < MBPF_MAX_EXTRA_REGIONS; i++) {
        const mbpf_region *r = &x->extra[i];
        if ((r->flags & need) == need && inside(addr, size, r->start, r->len))
            return 1;
    }
    return 0;
}

void mbpf_exec_stop(mbpf_exec *x, mbpf_status s, uint64_t r0)
{
    if (x->status != MBPF_OK)
        return; /* the first reason wins */
    x->status = s;
    x->r0 = r0;
}

int mbpf_exec_charge(mbpf_exec *x, uint64_t n)
{
    if (x->budget == 0)
        return 1;
    if (n > x->budget_left) {
        mbpf_exec_stop(x, MBPF_FAULT_BUDGET, 0);
        return 0;
    }
    x->budget_left -= n;
    return 1;
}
