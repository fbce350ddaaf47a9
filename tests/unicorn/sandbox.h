/* Memory of the in-process differential fuzzer: one fixed low mapping of the host process whose
 * addresses are also the guest addresses under the emulator, so that the interpreter, the host
 * helpers and the runtime routines see exactly the bytes translated code sees, at the same
 * addresses (a program's result never depends on which engine placed its regions).
 *
 * Every region (stack, context, rodata, data) sits inside its own mapping, surrounded by guard
 * zones filled with a canary; mappings are separated by unmapped space. A victim zone stands for
 * another tenant's program data and helper table. After each run the guard and victim zones must
 * be unchanged, whatever the status. */
#ifndef MCUBPF_TESTS_UNICORN_SANDBOX_H
#define MCUBPF_TESTS_UNICORN_SANDBOX_H

#include <stdint.h>

#include "mcubpf/jit.h"

#define SB_BASE 0x30000000u
#define SB_SPAN 0x00300000u      /* host reservation [SB_BASE, SB_BASE + SB_SPAN) */

#define SB_CODE 0x30000000u      /* translated code, read + execute */
#define SB_CODE_LEN 0x00040000u
#define SB_STUBS 0x30040000u     /* runtime routine entry points, hooked (one page per target,
                                  * not backed by the host mapping) */
#define SB_STUBS_LEN 0x1000u
#define SB_NSTACK 0x30050000u    /* native stack of the translated code (unmapped below) */
#define SB_NSTACK_LEN 0x4000u
#define SB_BLOCK 0x30060000u     /* the mbpf_jit_block */
#define SB_BLOCK_LEN 0x1000u
#define SB_EXEC (SB_BLOCK + 0x800u) /* the mbpf_exec, in the block's page: the code reads its budget */
#define SB_STUBS_HOST 0x30210000u /* host backing of the stub pages, one per target */

/* Region mappings: the region starts SB_GUARD bytes into its mapping. */
#define SB_GUARD 0x1000u
#define SB_STACK_MAP 0x30100000u
#define SB_CTX_MAP 0x30110000u
#define SB_RODATA_MAP 0x30120000u
#define SB_DATA_MAP 0x30130000u
#define SB_VICTIM_MAP 0x30070000u /* another tenant's data and helper table, below the regions */
#define SB_MAP_LEN 0x3000u        /* guard, region (at most one page), guard */

#define SB_STACK_LEN (MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH)
#define SB_CTX_MAX 0x1000u
#define SB_RODATA_MAX 0x1000u
#define SB_DATA_MAX 0x1000u

enum { SB_RGN_STACK, SB_RGN_CTX, SB_RGN_RODATA, SB_RGN_DATA, SB_RGN_VICTIM, SB_NRGN };

/* Lengths of the regions a run uses (each at most one page). */
typedef struct sb_layout {
    uint32_t ctx_len, rodata_len, data_len;
} sb_layout;

/* Reserve and map the host side. Returns 0, or -1 with a message on stderr. */
int sb_init(void);

static inline uint32_t sb_region_start(int r)
{
    static const uint32_t maps[SB_NRGN] = {SB_STACK_MAP, SB_CTX_MAP, SB_RODATA_MAP, SB_DATA_MAP,
                                           SB_VICTIM_MAP};
    return maps[r] + SB_GUARD;
}

static inline uint8_t *sb_ptr(uint32_t guest)
{
    return (uint8_t *)(uintptr_t)guest;
}

/* Fill regions with their initial contents and every guard and victim byte with the canary. */
void sb_reset(const sb_layout *l, const uint8_t *rodata, const uint8_t *data);

/* First guard or victim byte that differs from the canary, or 0 when all are intact. */
uint32_t sb_guard_damage(const sb_layout *l);

/* "ctx+12", "stack-8", "data_end+4", "victim+0", or a hexadecimal address outside every mapping;
 * writes at most n bytes into buf. */
void sb_describe(const sb_layout *l, uint64_t addr, char *buf, unsigned n);

#endif
