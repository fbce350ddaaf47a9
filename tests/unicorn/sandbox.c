/* The fixed low mapping shared by the interpreter and the emulated targets (sandbox.h). */
#include "tests/unicorn/sandbox.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static uint8_t canary(uint32_t addr)
{
    return (uint8_t)(0xa5u ^ (addr * 29u) ^ (addr >> 8));
}

/* The canary image of every mapping, built once: resets and checks are memcpy and memcmp. */
static uint8_t image[SB_NRGN][SB_MAP_LEN];

static const uint8_t *image_of(uint32_t addr)
{
    for (int r = 0; r < SB_NRGN; r++) {
        uint32_t m = sb_region_start(r) - SB_GUARD;
        if (addr >= m && addr < m + SB_MAP_LEN)
            return &image[r][addr - m];
    }
    return NULL;
}

static void fill_canary(uint32_t from, uint32_t to)
{
    memcpy(sb_ptr(from), image_of(from), to - from);
}

int sb_init(void)
{
    void *p = mmap((void *)(uintptr_t)SB_BASE, SB_SPAN, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || p != (void *)(uintptr_t)SB_BASE) {
        fprintf(stderr, "sandbox: cannot map [0x%x, 0x%x) in this process\n", SB_BASE,
                SB_BASE + SB_SPAN);
        return -1;
    }
    for (int r = 0; r < SB_NRGN; r++)
        for (uint32_t i = 0; i < SB_MAP_LEN; i++)
            image[r][i] = canary(sb_region_start(r) - SB_GUARD + i);
    return 0;
}

static uint32_t find_damage(uint32_t from, uint32_t to)
{
    const uint8_t *want = image_of(from);
    if (!memcmp(sb_ptr(from), want, to - from))
        return 0;
    for (uint32_t a = from; a < to; a++)
        if (*sb_ptr(a) != want[a - from])
            return a;
    return 0;
}

static uint32_t region_len(const sb_layout *l, int r)
{
    switch (r) {
    case SB_RGN_STACK: return SB_STACK_LEN;
    case SB_RGN_CTX: return l->ctx_len;
    case SB_RGN_RODATA: return l->rodata_len;
    case SB_RGN_DATA: return l->data_len;
    default: return 0; /* the victim zone is all guard */
    }
}

void sb_reset(const sb_layout *l, const uint8_t *rodata, const uint8_t *data)
{
    for (int r = 0; r < SB_NRGN; r++) {
        uint32_t s = sb_region_start(r), len = region_len(l, r);
        fill_canary(s - SB_GUARD, s);
        fill_canary(s + len, s - SB_GUARD + SB_MAP_LEN);
    }
    memset(sb_ptr(sb_region_start(SB_RGN_STACK)), 0, SB_STACK_LEN);
    uint8_t *ctx = sb_ptr(sb_region_start(SB_RGN_CTX));
    for (uint32_t i = 0; i < l->ctx_len; i++)
        ctx[i] = (uint8_t)(i * 37u + 11u);
    if (l->rodata_len)
        memcpy(sb_ptr(sb_region_start(SB_RGN_RODATA)), rodata, l->rodata_len);
    if (l->data_len)
        memcpy(sb_ptr(sb_region_start(SB_RGN_DATA)), data, l->data_len);
}

uint32_t sb_guard_damage(const sb_layout *l)
{
    /* the victim first: a change there is the finding that matters most */
    for (int r = SB_NRGN - 1; r >= 0; r--) {
        uint32_t s = sb_region_start(r), len = region_len(l, r), a;
        if ((a = find_damage(s - SB_GUARD, s)) || (a = find_damage(s + len, s - SB_GUARD + SB_MAP_LEN)))
            return a;
    }
    return 0;
}

void sb_describe(const sb_layout *l, uint64_t addr, char *buf, unsigned n)
{
    static const char *names[SB_NRGN] = {"stack", "ctx", "rodata", "data", "victim"};
    for (int r = 0; r < SB_NRGN; r++) {
        uint64_t s = sb_region_start(r), len = region_len(l, r);
        if (addr < s - SB_GUARD || addr >= s - SB_GUARD + SB_MAP_LEN)
            continue;
        if (addr < s)
            snprintf(buf, n, "%s-%llu", names[r], (unsigned long long)(s - addr));
        else if (addr < s + len || r == SB_RGN_VICTIM)
            snprintf(buf, n, "%s+%llu", names[r], (unsigned long long)(addr - s));
        else
            snprintf(buf, n, "%s_end+%llu", names[r], (unsigned long long)(addr - s - len));
        return;
    }
    snprintf(buf, n, "0x%llx (outside every region)", (unsigned long long)addr);
}
