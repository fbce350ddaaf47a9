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

/* The loop table: per instruction, 1 + the loop it heads / whose induction variable it updates
 * (0: none); per loop, whether its variable was updated since the last entry, and to what. */
static const mbpf_loop *loop_table;
static uint32_t loop_count;
static uint32_t head_loop[MBPF_MAX_INSNS], update_loop[MBPF_MAX_INSNS];
static uint8_t iv_seen[MBPF_MAX_INSNS];
static uint64_t iv_last[MBPF_MAX_INSNS];

void interp_facts_set_loops(const mbpf_loop *loops, uint32_t n)
{
    for (uint32_t i = 0; i < loop_count; i++) {
        head_loop[loop_table[i].head] = 0;
        update_loop[loop_table[i].iv_update] = 0;
    }
    loop_table = loops;
    loop_count = loops ? n : 0;
    for (uint32_t i = 0; i < loop_count; i++) {
        const mbpf_loop *l = &loops[i];
        if (l->head >= MBPF_MAX_INSNS || l->iv_update >= MBPF_MAX_INSNS || l->iv_kind == MBPF_IV_NONE)
            continue;
        if (head_loop[l->head] || update_loop[l->iv_update])
            violated(l->latch, "two loops of the table share a head or an update");
        head_loop[l->head] = i + 1;
        update_loop[l->iv_update] = i + 1;
    }
}

/* The induction variable of loop l was updated to v: v follows from the start or the last value. */
static void check_update(const mbpf_exec *x, uint32_t pc, uint32_t l, uint64_t v)
{
    const mbpf_loop *lp = &loop_table[l];
    if (!(x->facts[lp->head].flags & MBPF_FACT_LOOP_HEAD))
        return; /* entries are known only at heads with the fact */
    const int known = iv_seen[l] || lp->iv_start_known;
    const uint64_t prev = iv_seen[l] ? iv_last[l] : lp->iv_start;
    const int is32 = MBPF_CLASS(x->prog->insns[pc].code) == MBPF_ALU;
    const uint64_t mask = is32 ? 0xffffffffull : ~0ull;
    uint64_t want = 0;
    if (lp->iv_kind == MBPF_IV_ADD)
        want = (prev + (uint64_t)(int64_t)lp->iv_step) & mask;
    else
        want = (prev & mask) >> lp->iv_step;
    if (known && v != want)
        violated(pc, "induction variable of a loop is not its start plus its step");
    iv_seen[l] = 1;
    iv_last[l] = v;
}

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
        if (head_loop[pc])
            iv_seen[head_loop[pc] - 1] = 0;
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
    if (pc < MBPF_MAX_INSNS && update_loop[pc])
        check_update(x, pc, update_loop[pc] - 1, dst_value);
    if (trip_pc == pc)
        trips = 0; /* the bounded back edge fell through: its loop was left */
}

void interp_fact_entry(const mbpf_exec *x, uint32_t pc)
{
    (void)x;
    head_taken[pc] = 0;
    if (head_loop[pc])
        iv_seen[head_loop[pc] - 1] = 0; /* entered: the variable starts afresh */
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
