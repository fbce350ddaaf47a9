/* libFuzzer target: the ELF / raw-bytecode loader, then the verifier on whatever it produced. */
#include <stdlib.h>

#include "aot/loader.h"
#include "mcubpf/verifier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    mbpf_loaded l;
    if (mbpf_load_buffer(data, size, NULL, &l, err, sizeof err))
        return 0;
    size_t asz = mbpf_verify_arena_size(l.prog.n_insns);
    void *arena = malloc(asz);
    mbpf_fact *facts = calloc(l.prog.n_insns, sizeof *facts);
    mbpf_verify_opts o = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};
    mbpf_verify_result r;
    if (arena && facts)
        mbpf_verify(&l.prog, &o, facts, arena, asz, &r);
    free(arena);
    free(facts);
    mbpf_loaded_free(&l);
    return 0;
}
