/* Native oracle for the test vectors: runs each vector compiled by the host compiler on a fresh
 * copy of its input and prints "name 0xRESULT", the value bpfrun must reproduce. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-vectors/vector.h"

uint64_t helper_memfrob(void *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        ((uint8_t *)p)[i] ^= 42;
    return 0;
}
uint64_t helper_isqrt(uint64_t v)
{
    uint64_t r = 0;
    while ((r + 1) * (r + 1) <= v)
        r++;
    return r;
}
int64_t helper_strcmp(const char *a, const char *b)
{
    for (;; a++, b++)
        if (*a != *b || !*a)
            return (int64_t)(uint8_t)*a - (int64_t)(uint8_t)*b;
}

#define V(name) uint64_t vector_##name(uint8_t *ctx, uint64_t len);
#include "tests/vectors/list.h"
#undef V

typedef struct entry {
    const char *name;
    uint64_t (*fn)(uint8_t *, uint64_t);
} entry;
static const entry entries[] = {
#define V(name) {#name, vector_##name},
#include "tests/vectors/list.h"
#undef V
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: vectors-native NAME INPUT|-\n");
        return 1;
    }
    static uint8_t mem[4096];
    size_t n = 0;
    if (strcmp(argv[2], "-")) {
        FILE *f = fopen(argv[2], "rb");
        if (!f) {
            perror(argv[2]);
            return 1;
        }
        n = fread(mem, 1, sizeof mem, f);
        fclose(f);
    }
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
        if (!strcmp(entries[i].name, argv[1])) {
            printf("0x%" PRIx64 "\n", entries[i].fn(n ? mem : NULL, n));
            return 0;
        }
    fprintf(stderr, "vectors-native: no vector %s\n", argv[1]);
    return 1;
}
