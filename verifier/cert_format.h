/* The certificate's encoding of abstract states, shared by the writer (cert_write.c) and the
 * checker (check.c). A state is written as the fields that differ from their defaults:
 *
 *   varint  present mask of the state fields (state_fields[] below), then each present value
 *   varint  register mask: bit r = rr listed; an unlisted register is uninitialised
 *   per listed register, ascending: u8 type | the defaults its fields are written against
 *           (CERT_DEF_*) << CERT_DEFS_SHIFT (the writer takes the ones that need the fewest
 *           bytes), varint present mask of reg_fields[], the values
 *   varint  slot mask (64 bits): bit s = stack slot s listed (its init bits are not 0 or it may
 *           hold more than numbers); per listed slot, ascending: u8 init bits, u8 kind
 *   varint  spill mask (SPILLS bits): bit i = spill record i kept (newest first); per record, in
 *           order: varint offset (zigzag), u8 size, the value as a listed register
 *
 * A register's link group is in its flags (bits 4-7), its delta a field: each group numbered
 * after its lowest listed member, the full verifier's deltas kept (a_links_canonical), and the
 * checker's inclusion test asks each claimed link (the difference of two deltas) of the incoming
 * state (a_links_imply) and each spill record of it (same place and size, the value included).
 *
 * Values are zigzag LEB128 varints of the field sign-extended to 64 bits. A new field of areg
 * or astate is one more row in a table (its offset, size, signedness and default); the checker's
 * inclusion test is the verifier's own join for each value, so a field the join already treats
 * needs nothing new there. */
#ifndef MCUBPF_VERIFIER_CERT_FORMAT_H
#define MCUBPF_VERIFIER_CERT_FORMAT_H

#include <stddef.h>

#include "mcubpf/cert.h"
#include "verifier/absint.h"

typedef struct cert_field {
    uint16_t off;
    uint8_t size;      /* 1, 2, 4 or 8 bytes */
    uint8_t is_signed; /* sign-extend before zigzag */
    int64_t def[4];    /* defaults (CERT_DEF_*): a number, a pointer, a pointer reloaded from the
                        * stack (AF_HINT, offset unknown), a number below 2^32 */
} cert_field;

enum { CERT_DEF_NUMBER, CERT_DEF_PTR, CERT_DEF_HINT, CERT_DEF_U32, CERT_N_DEFS };
#define CERT_DEFS_SHIFT 4 /* a register's type byte: bits 0-3 the type, 4-5 its defaults */

static const cert_field reg_fields[] = {
    {offsetof(areg, flags), 1, 0, {0, 0, AF_HINT, 0}},
    {offsetof(areg, ub), 4, 1, {UB_NONE, UB_NONE, UB_NONE, UB_NONE}},
    {offsetof(areg, lo), 8, 1, {0, 0, INT64_MIN, 0}},
    {offsetof(areg, hi), 8, 1, {-1, 0, INT64_MAX, 0xffffffffll}},
    {offsetof(areg, delta), 2, 1, {0, 0, 0, 0}},
};
#define N_REG_FIELDS (sizeof reg_fields / sizeof reg_fields[0])

static const cert_field state_fields[] = {
    {offsetof(astate, len_min), 4, 0, {0, 0, 0, 0}},
};
#define N_STATE_FIELDS (sizeof state_fields / sizeof state_fields[0])

/* Flag bits a register may carry and slot kinds a stack slot may have. */
#define CERT_REG_FLAGS (AF_EQ_LEN | AF_HINT | 0xf0u) /* bits 4-7: the link group */

static inline int64_t cert_get(const void *base, const cert_field *f)
{
    const uint8_t *p = (const uint8_t *)base + f->off;
    switch (f->size) {
    case 1: return f->is_signed ? (int64_t)*(const int8_t *)p : (int64_t)*p;
    case 2: return f->is_signed ? (int64_t)*(const int16_t *)(const void *)p : (int64_t)*(const uint16_t *)(const void *)p;
    case 4: return f->is_signed ? (int64_t)*(const int32_t *)(const void *)p : (int64_t)*(const uint32_t *)(const void *)p;
    default: return (int64_t)*(const uint64_t *)(const void *)p;
    }
}

/* Store v; returns 0 when v does not fit the field. */
static inline int cert_set(void *base, const cert_field *f, int64_t v)
{
    uint8_t *p = (uint8_t *)base + f->off;
    switch (f->size) {
    case 1:
        if (f->is_signed ? v < -128 || v > 127 : v < 0 || v > 0xff)
            return 0;
        *p = (uint8_t)v;
        return 1;
    case 2:
        if (f->is_signed ? v < -32768 || v > 32767 : v < 0 || v > 0xffff)
            return 0;
        *(uint16_t *)(void *)p = (uint16_t)v;
        return 1;
    case 4:
        if (f->is_signed ? v < INT32_MIN || v > INT32_MAX : v < 0 || v > 0xffffffffll)
            return 0;
        *(uint32_t *)(void *)p = (uint32_t)v;
        return 1;
    default:
        *(uint64_t *)(void *)p = (uint64_t)v;
        return 1;
    }
}

static inline uint64_t cert_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t cert_unzigzag(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* The defaults a register of this type (and flags) has by its kind (what `bpfverify --cert`
 * prints a register against). */
static inline int cert_defaults_of(uint8_t type, uint8_t flags)
{
    return type < T_STACK ? CERT_DEF_NUMBER : (flags & AF_HINT) ? CERT_DEF_HINT : CERT_DEF_PTR;
}

#endif
