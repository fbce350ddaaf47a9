/* Defence in depth: a verifier proof removes a run-time check only where the translator can
 * confirm it (mid_access.h). */
#include "jit/mid/mid_access.h"

/* Every load and store form (plain, sign-extending, atomic), as the verifier classifies them. */
static int is_access(const mbpf_insn *in)
{
    const uint8_t cls = MBPF_CLASS(in->code);
    return cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX;
}

/* An access (is_access) at [r10 + off, r10 + off + size) inside the frame? */
static int in_frame(const mbpf_insn *in)
{
    const int base = MBPF_CLASS(in->code) == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
    const int32_t lo = in->off;
    return base == MBPF_REG_FP && lo >= -MBPF_STACK_SIZE && lo + (int32_t)mbpf_size_bytes(in->code) <= 0;
}

int mid_access_in_frame(const mbpf_insn *in)
{
    return is_access(in) && in_frame(in);
}

uint8_t mid_access_check(const mbpf_insn *in, const mbpf_fact *f)
{
    if (!is_access(in))
        return MBPF_MEM_NONE;
#ifdef MBPF_JIT_TEST_TRUST_PROOFS
    /* only in the in-process fuzzer's self-test build: trusting every proof shows that the
     * oracle sees the escapes a wrong proof would cause without this defence */
    return f->mem;
#else
    if (f->mem != MBPF_MEM_PROVEN || in_frame(in))
        return f->mem;
    return MBPF_MEM_GUARD_REGION;
#endif
}
