/* Signed updates on an emulated board, through the runtime API only: the firmware registers one
 * public key, requires signatures on containers and AOT images (policy=all) or on AOT images only
 * (policy=images), serves hook 1, and loads each file named on its command line from dir=PATH,
 * printing one line per file:
 *   load NAME: ok engine=E r0=N
 *   load NAME: refused (ERROR NAME: MESSAGE)
 * and for accepted ones the guest instructions of the load (signature check included):
 *   measure NAME load_insns=N
 * tests/signing/run decides what each file must give. Built against the source tree (suite
 * signing) and against an installed copy (suite install). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/runtime.h"
#include "mcubpf/sign.h"
#include "platform/args.h"
#include "platform/board.h"

#define FILE_MAX 8192u
#define HOOK 1u

static uint8_t code_arena[8 * 1024] __attribute__((aligned(8)));
static uint8_t work_arena[16 * 1024] __attribute__((aligned(8)));
static uint8_t stack[MBPF_STACK_SIZE] __attribute__((aligned(8)));
static uint8_t file[FILE_MAX] __attribute__((aligned(8)));
static uint8_t prog_data[64] __attribute__((aligned(8)));
static uint8_t key[32];
static mbpf_runtime rt;
static mbpf_tenant tenant;
static mbpf_prog slot;

static size_t read_file(const char *dir, const char *name, uint8_t *buf, size_t cap)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("error cannot open %s\n", path);
        exit(1);
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void load(const char *dir, const char *name)
{
    size_t len = read_file(dir, name, file, sizeof file);
    mbpf_rt_error err;
    uint32_t t0 = board_counter_read();
    int rc = mbpf_rt_load(&rt, &slot, &tenant, file, len, &err);
    uint32_t insns = board_counter_to_insns(board_counter_read() - t0);
    if (rc != MBPF_RT_OK) {
        printf("load %s: refused (%s: %s)\n", name, mbpf_rt_error_name(rc), mbpf_rt_last_message(&rt));
        return;
    }
    uint8_t ctx[4] = {10, 20, 30, 40};
    uint64_t r0 = 0;
    mbpf_status st = mbpf_rt_run(&rt, &slot, ctx, sizeof ctx, &r0, NULL);
    printf("load %s: ok engine=%s r0=%llu%s\n", name, mbpf_rt_engine_name(slot.stats.engine),
           (unsigned long long)r0, st == MBPF_OK ? "" : " (run faulted)");
    printf("measure %s load_insns=%lu\n", name, (unsigned long)insns);
}

int main(int argc, char **argv)
{
    const char *dir = board_arg(argc, argv, "dir");
    if (!dir) {
        printf("error usage: firmware dir=PATH [policy=all|images] FILE...\n");
        return 1;
    }
    board_counter_init();
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_RT_NATIVE_TARGET;
    const char *policy = board_arg(argc, argv, "policy");
    cfg.flags = MBPF_RT_ALLOW_AOT | MBPF_RT_TRANSLATE_AT_LOAD;
    if (!policy || strcmp(policy, "images"))
        cfg.flags |= MBPF_RT_REQUIRE_SIGNED;
    cfg.code = code_arena;
    cfg.code_len = sizeof code_arena;
    cfg.work = work_arena;
    cfg.work_len = sizeof work_arena;
    if (mbpf_rt_init(&rt, &cfg)) {
        printf("error runtime init\n");
        return 1;
    }
    if (read_file(dir, "key.pub", key, sizeof key) != sizeof key ||
        mbpf_rt_register_key(&rt, key) != MBPF_RT_OK) {
        printf("error key.pub is not a 32-byte public key\n");
        return 1;
    }
    mbpf_rt_set_verify(&rt, mbpf_ed25519_verify, NULL);
    tenant.ctx_flags = MBPF_REGION_R;
    tenant.stack = stack;
    tenant.stack_len = sizeof stack;
    slot.hook = HOOK;
    slot.data = prog_data;
    slot.data_cap = sizeof prog_data;
    for (int i = 1; i < argc; i++) {
        size_t n = argv[i] ? strlen(argv[i]) : 0;
        if (n > 4 && (!strcmp(argv[i] + n - 4, ".mbc") || !strcmp(argv[i] + n - 4, ".img")))
            load(dir, argv[i]);
    }
    printf("done\n");
    return 0;
}
