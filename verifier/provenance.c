/* Pointer provenance: a forward dataflow pass that tracks which region each register (and each
 * spilled 8-byte stack slot near the frame top) points into: stack, context, rodata or data.
 *
 * The result only selects the guard the translators try first (MBPF_MEM_GUARD_REGION): a guard
 * against one region that falls back to the full check of every region when it fails. So the
 * analysis may be imprecise without any effect on safety or results; it only costs speed.
 * Lattice per location: BOTTOM (not reached) < one region kind < UNKNOWN; joins converge after at
 * most two changes per location, so the pass is linear in program size. */
#include <string.h>

#include "verifier/verifier_internal.h"

enum { K_UNKNOWN = 0, K_STACK, K_CTX, K_RODATA, K_DATA, K_BOTTOM };

static uint8_t join(uint8_t a, uint8_t b)
{
    if (a == K_BOTTOM)
        return b;
    if (b == K_BOTTOM || a == b)
        return a;
    return K_UNKNOWN;
}

/* Slot index of an 8-byte aligned access [r10+off, +8) within the tracked top of the frame. */
static int slot_of(int16_t off)
{
    if (off >= 0 || off < -(int16_t)(8 * VPROV_SLOTS) || (off & 7))
        return -1;
    return (-off) / 8 - 1;
}

static void transfer(const vstate *st, uint32_t pc, uint8_t *s)
{
    const mbpf_insn *in = &st->insns[pc];
    const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    const uint8_t dst = MBPF_DST(in), src = MBPF_SRC(in);
    uint8_t *slots = s + MBPF_NREGS;
    switch (cls) {
    case MBPF_ALU64:
        if (op == MBPF_MOV)
            s[dst] = (MBPF_SRCBIT(in->code) && in->off == 0) ? s[src] : K_UNKNOWN;
        else if (op == MBPF_ADD || op == MBPF_SUB) {
            if (MBPF_SRCBIT(in->code)) { /* pointer +- scalar keeps the region */
                uint8_t a = s[dst], b = s[src];
                if (a != K_UNKNOWN && b != K_UNKNOWN)
                    s[dst] = K_UNKNOWN;
                else if (op == MBPF_ADD && a == K_UNKNOWN)
                    s[dst] = b;
            }
        } else
            s[dst] = K_UNKNOWN;
        break;
    case MBPF_ALU:
        s[dst] = K_UNKNOWN;
        break;
    case MBPF_LD:
        s[dst] = MBPF_SRC(in) != MBPF_LDDW_REGION ? K_UNKNOWN
                 : in->imm == MBPF_REGION_ID_RODATA ? K_RODATA : K_DATA;
        break;
    case MBPF_LDX: {
        int k = src == MBPF_REG_FP && MBPF_SIZE(in->code) == MBPF_DW ? slot_of(in->off) : -1;
        s[dst] = k >= 0 ? slots[k] : K_UNKNOWN;
        break;
    }
    case MBPF_ST:
    case MBPF_STX:
        if (dst == MBPF_REG_FP) {
            int k = slot_of((int16_t)(in->off & ~7));
            if (k >= 0)
                slots[k] = (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_MEM &&
                            MBPF_SIZE(in->code) == MBPF_DW && !(in->off & 7)) ? s[src] : K_UNKNOWN;
        }
        if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC && (in->imm & MBPF_FETCH))
            s[in->imm == MBPF_CMPXCHG ? 0 : src] = K_UNKNOWN;
        break;
    default: /* JMP, JMP32 */
        if (op == MBPF_CALL) {
            for (int r = 0; r <= 5; r++)
                s[r] = K_UNKNOWN;
        }
        break;
    }
}

static void entry_state(uint8_t *s, int main_entry)
{
    memset(s, K_UNKNOWN, VPROV_STATE);
    s[MBPF_REG_FP] = K_STACK;
    if (main_entry)
        s[1] = K_CTX;
}

/* Merge `from` into the state of pc; queue pc when it changed. */
static void flow(vstate *st, uint32_t pc, const uint8_t *from, uint32_t *top)
{
    uint8_t *to = st->prov + (size_t)pc * VPROV_STATE;
    int changed = 0;
    for (uint32_t i = 0; i < VPROV_STATE; i++) {
        uint8_t j = join(to[i], from[i]);
        if (j != to[i]) {
            to[i] = j;
            changed = 1;
        }
    }
    if (changed && !(st->marks[pc] & VM_QUEUED)) {
        st->marks[pc] |= VM_QUEUED;
        st->work[(*top)++] = pc;
    }
}

void vprovenance(vstate *st, mbpf_fact *facts)
{
    uint8_t cur[VPROV_STATE];
    uint32_t top = 0;
    memset(st->prov, K_BOTTOM, (size_t)st->n * VPROV_STATE);
    for (uint32_t pc = 0; pc < st->n; pc++) {
        st->marks[pc] &= (uint8_t)~VM_QUEUED;
        if (st->marks[pc] & VM_SUBPROG) {
            entry_state(cur, pc == 0);
            flow(st, pc, cur, &top);
        }
    }
    while (top) {
        uint32_t pc = st->work[--top];
        const mbpf_insn *in = &st->insns[pc];
        st->marks[pc] &= (uint8_t)~VM_QUEUED;
        memcpy(cur, st->prov + (size_t)pc * VPROV_STATE, VPROV_STATE);
        transfer(st, pc, cur);
        const uint8_t cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        const int is_jump = (cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT;
        if (is_jump) {
            int32_t rel = (cls == MBPF_JMP32 && op == MBPF_JA) ? in->imm : in->off;
            flow(st, (uint32_t)((int64_t)pc + 1 + rel), cur, &top);
        }
        const int falls = in->code != MBPF_OPC_EXIT && !(is_jump && op == MBPF_JA);
        uint32_t next = pc + (in->code == MBPF_OPC_LDDW ? 2u : 1u);
        if (falls && next < st->n)
            flow(st, next, cur, &top);
    }
    if (!facts)
        return;
    static const uint8_t region_of[] = {0, MBPF_RGN_STACK, MBPF_RGN_CTX, MBPF_RGN_RODATA, MBPF_RGN_DATA};
    for (uint32_t pc = 0; pc < st->n; pc++) {
        mbpf_fact *f = &facts[pc];
        if (f->mem != MBPF_MEM_GUARD_ANY)
            continue;
        const mbpf_insn *in = &st->insns[pc];
        uint8_t base = MBPF_CLASS(in->code) == MBPF_LDX ? MBPF_SRC(in) : MBPF_DST(in);
        uint8_t k = st->prov[(size_t)pc * VPROV_STATE + base];
        if (k != K_UNKNOWN && k != K_BOTTOM) {
            f->mem = MBPF_MEM_GUARD_REGION;
            f->region = region_of[k];
        }
    }
}
