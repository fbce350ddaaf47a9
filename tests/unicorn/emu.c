/* Unicorn engine per target (emu.h). Guest addresses are host addresses (sandbox.h), so the
 * routines behind the stubs take the guest's register values as pointers unchanged. */
#include "tests/unicorn/emu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "tests/unicorn/emu_runtime.h"
#include "tests/unicorn/sandbox.h"

/* Stub entry points, one per runtime routine; returning to SB_STOP ends the run. */
#define STUB_HELPER (SB_STUBS + 0x00u)
#define STUB_CHECK (SB_STUBS + 0x10u)
#define STUB_DIV64 (SB_STUBS + 0x20u)
#define STUB_SHIFT64 (SB_STUBS + 0x30u)
#define STUB_ATOMIC (SB_STUBS + 0x40u)
#define SB_STOP (SB_STUBS + 0x80u)

struct emu {
    uc_engine *uc;
    mbpf_target target;
    int thumb;
    emu_trap trap;
    uint32_t code_len;
    uint32_t runs;  /* since this engine was created */
    uint8_t *stubs; /* this target's stub page (the guest sees it at SB_STUBS) */
};

/* One watchdog thread for all runs: Unicorn's own timeout starts a thread per run, which costs
 * more than most runs. A run that is still going after its limit is stopped from here. */
static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static uc_engine *watch_uc;      /* the engine running, NULL when none */
static uint64_t watch_deadline;  /* in ms of CLOCK_MONOTONIC */
static int watch_fired, watch_started;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec nap = {0, 50 * 1000000};
        nanosleep(&nap, NULL);
        pthread_mutex_lock(&watch_lock);
        if (watch_uc && now_ms() > watch_deadline && !watch_fired) {
            watch_fired = 1;
            uc_emu_stop(watch_uc);
        }
        pthread_mutex_unlock(&watch_lock);
    }
    return NULL;
}

static void watch(uc_engine *uc, uint64_t timeout_us)
{
    pthread_mutex_lock(&watch_lock);
    if (!watch_started && timeout_us) {
        pthread_t t;
        watch_started = pthread_create(&t, NULL, watchdog, NULL) == 0;
        if (watch_started)
            pthread_detach(t);
    }
    watch_uc = timeout_us ? uc : NULL;
    watch_deadline = now_ms() + timeout_us / 1000u;
    watch_fired = 0;
    pthread_mutex_unlock(&watch_lock);
}

static int unwatch(void)
{
    pthread_mutex_lock(&watch_lock);
    int fired = watch_fired;
    watch_uc = NULL;
    pthread_mutex_unlock(&watch_lock);
    return fired;
}

const char *emu_trap_name(emu_trap_kind k)
{
    switch (k) {
    case EMU_TRAP_NONE: return "none";
    case EMU_TRAP_READ: return "read outside the sandbox";
    case EMU_TRAP_WRITE: return "write outside the sandbox (or to read-only memory)";
    case EMU_TRAP_FETCH: return "jump outside the code";
    case EMU_TRAP_EXCEPTION: return "cpu exception";
    case EMU_TRAP_TIMEOUT: return "did not finish in time";
    case EMU_TRAP_MISALIGNED: return "misaligned access (traps on strict cores)";
    default: return "emulator error";
    }
}

mbpf_target emu_target(const emu *e)
{
    return e->target;
}

/* Argument registers and the return pair, per target. */
static uint32_t arg(emu *e, int i)
{
    static const int t2[4] = {UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3};
    static const int rv[5] = {UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2, UC_RISCV_REG_A3,
                              UC_RISCV_REG_A4};
    uint32_t v = 0;
    if (!e->thumb) {
        uc_reg_read(e->uc, rv[i], &v);
    } else if (i < 4) {
        uc_reg_read(e->uc, t2[i], &v);
    } else { /* AAPCS: the fifth word is at [sp] */
        uint32_t sp;
        uc_reg_read(e->uc, UC_ARM_REG_SP, &sp);
        if (uc_mem_read(e->uc, sp, &v, 4) != UC_ERR_OK)
            v = 0;
    }
    return v;
}

static uint64_t arg64(emu *e, int i)
{
    return (uint64_t)arg(e, i + 1) << 32 | arg(e, i);
}

static void ret64(emu *e, uint64_t v)
{
    uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    uc_reg_write(e->uc, e->thumb ? UC_ARM_REG_R0 : UC_RISCV_REG_A0, &lo);
    uc_reg_write(e->uc, e->thumb ? UC_ARM_REG_R1 : UC_RISCV_REG_A1, &hi);
}

/* Memory the guest may write: an atomic's address is trusted by the runtime routine (it is proven
 * or checked), so the host checks it first, as the emulator would for an access in the guest. */
static int guest_writable(uint32_t addr, uint32_t size)
{
    static const uint32_t maps[][2] = {
        {SB_NSTACK, SB_NSTACK_LEN}, {SB_BLOCK, SB_BLOCK_LEN}, {SB_STACK_MAP, SB_MAP_LEN},
        {SB_CTX_MAP, SB_MAP_LEN}, {SB_DATA_MAP, SB_MAP_LEN}, {SB_VICTIM_MAP, SB_MAP_LEN},
    };
    for (unsigned i = 0; i < sizeof maps / sizeof maps[0]; i++)
        if (addr >= maps[i][0] && addr - maps[i][0] <= maps[i][1] && size <= maps[i][1] - (addr - maps[i][0]))
            return 1;
    return 0;
}

/* A call into a stub: do the routine's work on the host; the stub's own return instruction then
 * runs in the guest. */
static void on_stub(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    emu *e = user;
    (void)size;
    switch ((uint32_t)addr) {
    case STUB_HELPER:
        ret64(e, emu_rt_helper((mbpf_jit_block *)sb_ptr(arg(e, 0)), arg(e, 1),
                               (const uint64_t *)sb_ptr(arg(e, 2)), arg(e, 3)));
        break;
    case STUB_CHECK:
        ret64(e, emu_rt_check((mbpf_jit_block *)sb_ptr(arg(e, 0)), arg(e, 1), arg(e, 2), arg(e, 3)));
        break;
    case STUB_DIV64: ret64(e, mbpf_jit_rt_div64(arg64(e, 0), arg64(e, 2), arg(e, 4))); break;
    case STUB_SHIFT64: ret64(e, mbpf_jit_rt_shift64(arg64(e, 0), arg(e, 2), arg(e, 3))); break;
    case STUB_ATOMIC: {
        mbpf_jit_block *b = (mbpf_jit_block *)sb_ptr(arg(e, 0));
        uint32_t a = arg(e, 1), n = (uint32_t)arg(e, 0) == SB_BLOCK ? b->atomic_op >> 16 : 8;
        if (!guest_writable(a, n)) {
            e->trap.kind = EMU_TRAP_WRITE;
            e->trap.addr = a;
            e->trap.size = n;
            uc_emu_stop(uc);
            break;
        }
        ret64(e, emu_rt_atomic((mbpf_jit_block *)sb_ptr(arg(e, 0)), arg(e, 1), arg64(e, 2)));
        break;
    }
    default: break;
    }
}

static bool on_bad_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
    emu *e = user;
    (void)uc;
    (void)value;
    if (e->trap.kind != EMU_TRAP_NONE)
        return false;
    switch (type) {
    case UC_MEM_READ_UNMAPPED:
    case UC_MEM_READ_PROT: e->trap.kind = EMU_TRAP_READ; break;
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT: e->trap.kind = EMU_TRAP_WRITE; break;
    default: e->trap.kind = EMU_TRAP_FETCH; break;
    }
    e->trap.addr = addr;
    e->trap.size = (uint32_t)size;
    return false;
}

/* Any RV32 load or store whose address is not a multiple of its size (emu_strict_align). */
static void on_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                      void *user)
{
    emu *e = user;
    (void)type;
    (void)value;
    if (size > 1 && addr % (uint64_t)size && e->trap.kind == EMU_TRAP_NONE) {
        e->trap.kind = EMU_TRAP_MISALIGNED;
        e->trap.addr = addr;
        e->trap.size = (uint32_t)size;
        uc_emu_stop(uc);
    }
}

int emu_strict_align(emu *e)
{
    if (e->thumb)
        return -1;
    uc_hook h;
    return uc_hook_add(e->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_access, e,
                       SB_STACK_MAP, SB_DATA_MAP + SB_MAP_LEN - 1) == UC_ERR_OK ? 0 : -1;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    emu *e = user;
    if (e->trap.kind == EMU_TRAP_NONE) {
        e->trap.kind = EMU_TRAP_EXCEPTION;
        e->trap.addr = intno;
    }
    uc_emu_stop(uc);
}

static int map_at(emu *e, uint32_t addr, uint32_t len, uint32_t perms, void *host)
{
    uc_err err = uc_mem_map_ptr(e->uc, addr, len, perms, host);
    if (err != UC_ERR_OK) {
        fprintf(stderr, "emu: cannot map 0x%x: %s\n", addr, uc_strerror(err));
        return -1;
    }
    return 0;
}

static int map(emu *e, uint32_t addr, uint32_t len, uint32_t perms)
{
    return map_at(e, addr, len, perms, sb_ptr(addr));
}

/* The stub page: a return instruction at every entry point. */
static void write_stubs(emu *e)
{
    uint8_t *p = e->stubs;
    memset(p, 0, SB_STUBS_LEN);
    for (uint32_t a = STUB_HELPER; a <= SB_STOP; a += 0x10) {
        uint8_t *s = p + (a - SB_STUBS);
        if (e->thumb) { /* bx lr */
            s[0] = 0x70;
            s[1] = 0x47;
        } else { /* jalr x0, 0(ra) */
            s[0] = 0x67;
            s[1] = 0x80;
            s[2] = 0x00;
            s[3] = 0x00;
        }
    }
}

/* Create the Unicorn engine of e with the sandbox mapped and the hooks set. 0 on success. */
static int emu_setup(emu *e)
{
    uc_err err = e->thumb ? uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &e->uc)
                          : uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, &e->uc);
    if (err != UC_ERR_OK) {
        fprintf(stderr, "emu: this Unicorn cannot run %s: %s\n", e->thumb ? "Thumb-2" : "RV32",
                uc_strerror(err));
        e->uc = NULL;
        return -1;
    }
    if (e->thumb && (err = uc_ctl_set_cpu_model(e->uc, UC_CPU_ARM_CORTEX_M4)) != UC_ERR_OK) {
        fprintf(stderr, "emu: no Cortex-M4 model: %s\n", uc_strerror(err));
        return -1;
    }
    /* each target has its own stub page: the sandbox memory is shared by both engines */
    e->stubs = sb_ptr(SB_STUBS_HOST + (e->thumb ? 0 : SB_STUBS_LEN));
    write_stubs(e);
    int rc = map(e, SB_CODE, SB_CODE_LEN, UC_PROT_READ | UC_PROT_EXEC) |
             map_at(e, SB_STUBS, SB_STUBS_LEN, UC_PROT_READ | UC_PROT_EXEC, e->stubs) |
             map(e, SB_NSTACK, SB_NSTACK_LEN, UC_PROT_READ | UC_PROT_WRITE) |
             map(e, SB_BLOCK, SB_BLOCK_LEN, UC_PROT_READ | UC_PROT_WRITE) |
             map(e, SB_STACK_MAP, SB_MAP_LEN, UC_PROT_READ | UC_PROT_WRITE) |
             map(e, SB_CTX_MAP, SB_MAP_LEN, UC_PROT_READ | UC_PROT_WRITE) |
             map(e, SB_RODATA_MAP, SB_MAP_LEN, UC_PROT_READ) |
             map(e, SB_DATA_MAP, SB_MAP_LEN, UC_PROT_READ | UC_PROT_WRITE) |
             map(e, SB_VICTIM_MAP, SB_MAP_LEN, UC_PROT_READ | UC_PROT_WRITE);
    uc_hook h;
    rc |= uc_hook_add(e->uc, &h, UC_HOOK_CODE, (void *)on_stub, e, SB_STUBS, SB_STOP - 1) != UC_ERR_OK;
    rc |= uc_hook_add(e->uc, &h, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, (void *)on_bad_access, e,
                      1, 0) != UC_ERR_OK;
    rc |= uc_hook_add(e->uc, &h, UC_HOOK_INTR, (void *)on_interrupt, e, 1, 0) != UC_ERR_OK;
    if (rc) {
        fprintf(stderr, "emu: cannot set up the sandbox\n");
        return -1;
    }
    return 0;
}

emu *emu_open(mbpf_target t)
{
    emu *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->target = t;
    e->thumb = t == MBPF_TARGET_THUMB2;
    if (emu_setup(e)) {
        emu_close(e);
        return NULL;
    }
    return e;
}

void emu_close(emu *e)
{
    if (!e)
        return;
    if (e->uc)
        uc_close(e->uc);
    free(e);
}

void emu_load(emu *e, const uint8_t *code, uint32_t len)
{
    if (len > SB_CODE_LEN)
        len = SB_CODE_LEN;
    uint32_t clear = e->code_len > len ? e->code_len : len;
    memcpy(sb_ptr(SB_CODE), code, len);
    memset(sb_ptr(SB_CODE + len), 0, clear - len);
    e->code_len = len;
    uc_ctl_remove_cache(e->uc, SB_CODE, SB_CODE + (clear ? clear : 1));
}

/* Runs of one Unicorn engine before it is replaced by a fresh one: Unicorn 2.0.1 crashed in its
 * block invalidation after about 10^5 RV32 runs of one engine (not reproducible with the program
 * it crashed on, so accumulated state); a fresh engine costs well under a millisecond. */
#define EMU_RUNS_PER_ENGINE 4096u

/* the block and the exec share the block's page without overlapping */
typedef char emu_exec_fits[sizeof(mbpf_jit_block) <= SB_EXEC - SB_BLOCK &&
                           sizeof(mbpf_exec) <= SB_BLOCK + SB_BLOCK_LEN - SB_EXEC ? 1 : -1];

mbpf_status emu_run(emu *e, mbpf_exec *x, uint32_t entry_off, uint64_t timeout_us, emu_trap *trap)
{
    if (++e->runs >= EMU_RUNS_PER_ENGINE) {
        e->runs = 0;
        uc_close(e->uc);
        if (emu_setup(e)) {
            fprintf(stderr, "emu: cannot re-create the engine\n");
            abort();
        }
    }
    /* the exec and the block at the addresses the 32-bit block words can name; the exec in the
     * block's page, where the code reads the run's budget (block word budget_at) */
    mbpf_exec *hx = (mbpf_exec *)(void *)sb_ptr(SB_EXEC);
    mbpf_jit_block *b = (mbpf_jit_block *)(void *)sb_ptr(SB_BLOCK);
    *hx = *x;
    mbpf_jit_block_fill(b, hx);
    const uint32_t t = e->thumb ? 1u : 0u;
    b->fn_helper = STUB_HELPER | t;
    b->fn_check = STUB_CHECK | t;
    b->fn_div64 = STUB_DIV64 | t;
    b->fn_shift64 = STUB_SHIFT64 | t;
    b->fn_atomic = STUB_ATOMIC | t;

    memset(&e->trap, 0, sizeof e->trap);
    uint32_t a0 = SB_BLOCK, sp = SB_NSTACK + SB_NSTACK_LEN, lr = SB_STOP | t, zero = 0;
    /* the other arguments of mbpf_jit_fn: the context and its length (the third register 0) */
    uint32_t args[3] = {(uint32_t)(uintptr_t)hx->ctx, hx->ctx_len, 0};
    if (e->thumb) {
        for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
            uc_reg_write(e->uc, r, &zero);
        uc_reg_write(e->uc, UC_ARM_REG_R0, &a0);
        for (int i = 0; i < 3; i++)
            uc_reg_write(e->uc, UC_ARM_REG_R1 + i, &args[i]);
        uc_reg_write(e->uc, UC_ARM_REG_SP, &sp);
        uc_reg_write(e->uc, UC_ARM_REG_LR, &lr);
    } else {
        for (int r = UC_RISCV_REG_X1; r <= UC_RISCV_REG_X31; r++)
            uc_reg_write(e->uc, r, &zero);
        uc_reg_write(e->uc, UC_RISCV_REG_A0, &a0);
        for (int i = 0; i < 3; i++)
            uc_reg_write(e->uc, UC_RISCV_REG_A1 + i, &args[i]);
        uc_reg_write(e->uc, UC_RISCV_REG_SP, &sp);
        uc_reg_write(e->uc, UC_RISCV_REG_RA, &lr);
    }
    watch(e->uc, timeout_us);
    uc_err err = uc_emu_start(e->uc, (SB_CODE + entry_off) | t, SB_STOP, 0, 0);
    int timed_out = unwatch();
    uint32_t pc = 0, status = 0;
    uc_reg_read(e->uc, e->thumb ? UC_ARM_REG_PC : UC_RISCV_REG_PC, &pc);
    if (err == UC_ERR_OK && pc != SB_STOP && e->trap.kind == EMU_TRAP_NONE)
        e->trap.kind = timed_out ? EMU_TRAP_TIMEOUT : EMU_TRAP_OTHER;
    if (err != UC_ERR_OK && e->trap.kind == EMU_TRAP_NONE)
        e->trap.kind = err == UC_ERR_EXCEPTION ? EMU_TRAP_EXCEPTION : EMU_TRAP_OTHER;
    e->trap.uc_err = (int)err;
    e->trap.native_pc = pc - SB_CODE;
    if (e->trap.kind == EMU_TRAP_FETCH || e->trap.kind == EMU_TRAP_EXCEPTION ||
        e->trap.kind == EMU_TRAP_TIMEOUT || e->trap.kind == EMU_TRAP_OTHER)
        e->trap.addr = e->trap.kind == EMU_TRAP_FETCH ? e->trap.addr : pc;
    *trap = e->trap;
    if (e->trap.kind != EMU_TRAP_NONE) {
        *x = *hx;
        x->status = MBPF_FAULT_BAD_INSN;
        /* a run stopped from outside (the watchdog) or by a trap leaves this Unicorn's
         * translation state unreliable (2.0.1 crashed later in its block invalidation): the next
         * run gets a fresh engine; the sandbox memory and the loaded code stay as they are */
        uc_close(e->uc);
        if (emu_setup(e)) {
            fprintf(stderr, "emu: cannot re-create the engine\n");
            abort();
        }
        return x->status;
    }
    uc_reg_read(e->uc, e->thumb ? UC_ARM_REG_R0 : UC_RISCV_REG_A0, &status);
    mbpf_jit_block_finish(b, hx, status);
    *x = *hx;
    return x->status;
}
