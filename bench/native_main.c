/* Native side of the benchmark: every kernel compiled by gcc for the board, run on a fresh copy
 * of the input file, timed with the board's exact instruction counter. Prints one line per
 * kernel: "native NAME insns=N result=0x..". */
#include <stdio.h>
#include <string.h>

#include "bench/kernels/kernel.h"
#include "platform/board.h"

#define K(name) uint64_t bench_##name(uint8_t *buf, uint64_t len);
#include "bench/kernels/list.h"
#undef K

typedef struct kernel {
    const char *name;
    uint64_t (*fn)(uint8_t *, uint64_t);
} kernel;

static const kernel kernels[] = {
#define K(name) {#name, bench_##name},
#include "bench/kernels/list.h"
#undef K
};

static uint8_t input[4096], work[4096] __attribute__((aligned(8)));

static __attribute__((noinline)) uint64_t empty(uint8_t *b, uint64_t l)
{
    (void)b;
    return l;
}

static __attribute__((noinline)) uint64_t timed(uint64_t (*fn)(uint8_t *, uint64_t), size_t n,
                                               uint32_t *insns)
{
    memcpy(work, input, n);
    uint32_t t0 = board_counter_read();
    uint64_t r = fn(work, n);
    uint32_t t1 = board_counter_read();
    *insns = board_counter_to_insns(t1 - t0);
    return r;
}

int main(int argc, char **argv)
{
    board_counter_init();
    const char *path = NULL;
    for (int i = 0; i < argc; i++)
        if (argv[i] && !strncmp(argv[i], "input=", 6))
            path = argv[i] + 6;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        printf("error no input\n");
        return 1;
    }
    size_t n = fread(input, 1, sizeof input, f);
    fclose(f);
    uint32_t cost;
    timed(empty, n, &cost);
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        uint32_t insns;
        uint64_t r = timed(kernels[k].fn, n, &insns);
        printf("native %s insns=%lu result=0x%llx\n", kernels[k].name,
               (unsigned long)(insns > cost ? insns - cost : 0), (unsigned long long)r);
    }
    return 0;
}
