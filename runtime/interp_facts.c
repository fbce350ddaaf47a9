/* Fact-checking builds (MBPF_INTERP_CHECK_FACTS: host tools, fuzzers): every fact the engines
 * rely on is checked against what really happens, before anything uses it. A wrong fact is a
 * verifier bug: the process reports it and aborts, so that fuzzers see a crash instead of an
 * ordinary fault. Device builds compile nothing here. */
#ifdef MBPF_INTERP_CHECK_FACTS
#include <stdio.h>
#include <stdlib.h>

#include "runtime/interp_facts.h"

static void violated(uint32_t pc, const char *what)
{
    fprintf(stderr, "mbpf: fact violated at insn %u: %s\n", pc, what);
    fflush(stderr);
    abort();
}

/* Back edges taken since the last entry, per loop head; the last bounded back edge without a
 * loop head and how often it was taken in a row (facts from before loop heads existed). */
static uint16_t head_taken[MBPF_MAX_INSNS];
static uint32_t trip_pc = UINT32_MAX, trips;

void interp_facts_begin(const mbpf_exec *x)
{
    const mbpf_program *p = x->prog;
    trip_pc = UINT32_MAX;
    trips = 0;
    for (uint32_t pc = 0; pc < p->n_insns && pc < MBPF_MAX_INSNS; pc++) {
        const mbpf_fact *f = &x->facts[pc];
        if (!(f->flags & MBPF_FACT_LOOP_HEAD))
            continue;
        head_taken[pc] = 0;
        if (MBPF_FACT_TRIPS(f) > MBPF_LOOP_MAX_TRIPS)
            violated(pc, "loop head with a trip bound above MBPF_LOOP_MAX_TRIPS");
    }
}

static int inside_region(uint64_t addr, uint32_t size, uint64_t start, uint64_t len)
{
    return start && addr >= start && addr - start <= len && size <= len - (addr - start);
}

void interp_fact_mem(const mbpf_exec *x, uint32_t pc, uint64_t addr, uint32_t size, uint64_t fp)
{
    const mbpf_fact *f = &x->facts[pc];
    const mbpf_program *p = x->prog;
    if (f->mem == MBPF_MEM_PROVEN) {
        int ok = 0;
        switch (f->region) {
        case MBPF_RGN_STACK: ok = inside_region(addr, size, fp - MBPF_STACK_SIZE, MBPF_STACK_SIZE); break;
        case MBPF_RGN_CTX: ok = inside_region(addr, size, (uintptr_t)x->ctx, x->ctx_len); break;
        case MBPF_RGN_RODATA: ok = inside_region(addr, size, (uintptr_t)p->rodata, p->rodata_len); break;
        case MBPF_RGN_DATA: ok = inside_region(addr, size, (uintptr_t)p->data, p->data_len); break;
        default: break;
        }
        if (!ok)
            violated(pc, "access proven inside its region is outside it");
    }
    if ((f->flags & MBPF_FACT_ALIGNED) && (addr & (size - 1u)))
        violated(pc, "access proven aligned is misaligned");
}

void interp_fact_after(const mbpf_exec *x, uint32_t pc, uint64_t dst_value)
{
    if ((x->facts[pc].flags & MBPF_FACT_HI_ZERO) && (dst_value >> 32))
        violated(pc, "upper half proven zero is not");
    if (trip_pc == pc)
        trips = 0; /* the bounded back edge fell through: its loop was left */
}

void interp_fact_entry(const mbpf_exec *x, uint32_t pc)
{
    (void)x;
    head_taken[pc] = 0;
}

void interp_fact_taken(const mbpf_exec *x, uint32_t pc, uint32_t target)
{
    const mbpf_fact *f = x->facts;
    if (target > pc || !(f[pc].flags & MBPF_FACT_BOUNDED))
        return;
    if (f[target].flags & MBPF_FACT_LOOP_HEAD) {
        if (++head_taken[target] > MBPF_FACT_TRIPS(&f[target]))
            violated(pc, "bounded loop ran past the trip bound of its head");
        return;
    }
    trips = trip_pc == pc ? trips + 1 : 1;
    trip_pc = pc;
    if (trips > MBPF_LOOP_MAX_TRIPS + 2u)
        violated(pc, "bounded back edge taken more than MBPF_LOOP_MAX_TRIPS times in a row");
}
#endif
