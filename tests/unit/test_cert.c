/* Verifier certificates (mcubpf/cert.h): the certificates the host writes check with the same
 * facts as the full verifier; altered ones (tampered, over-claiming, missing states, wrong loop
 * claims, truncated, oversized) are rejected each with its own line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/cert.h"
#include "tests/unit/bpf_asm.h"

#define CAP 4096

static const mbpf_verify_opts opts = {~0ull, ~0ull, 0, MBPF_REGION_R | MBPF_REGION_W, 0};

/* A counted loop (head at 2, closed at 4): one loop claim. */
static const mbpf_insn loop_prog[] = {
    MOV64(0, 0),
    MOV64(3, 0),
    ALU64_REG(MBPF_ADD, 0, 3),
    ALU64_IMM(MBPF_ADD, 3, 1),
    JMP_IMM(MBPF_JLT, 3, 10, -3),
    EXIT(),
};

/* A counter spilled at the head (2), its register reused, reloaded, counted down and tested
 * (clang's form of chacha's round loop): a loop claim of 9 trips. */
static const mbpf_insn spill_loop_prog[] = {
    MOV64(0, 0),
    ALU32_IMM(MBPF_MOV, 6, 10),
    STX(MBPF_DW, 10, 6, -8),
    MOV64(6, 3),
    ALU64_REG(MBPF_ADD, 0, 6),
    LDX(MBPF_DW, 6, 10, -8),
    ALU32_IMM(MBPF_ADD, 6, -1),
    JMP32_IMM(MBPF_JEQ, 6, 0, 1),
    JA(-7),
    EXIT(),
};

/* A length test that proves the context read at 5, and a stack slot written before it. */
static const mbpf_insn len_prog[] = {
    MOV64(3, 7),
    STX(MBPF_DW, 10, 3, -8),
    JMP_IMM(MBPF_JGT, 2, 4, 2),
    MOV64(0, 0),
    EXIT(),
    LDX(MBPF_W, 0, 1, 0),
    LDX(MBPF_DW, 4, 10, -8),
    EXIT(),
};

typedef struct cert {
    uint8_t b[CAP];
    size_t len;
} cert;

static mbpf_program prog_of(const mbpf_insn *insns, uint32_t n)
{
    mbpf_program p = {insns, n, NULL, 0, NULL, 0};
    return p;
}

static void write_cert(const mbpf_program *p, cert *c, mbpf_fact *facts)
{
    size_t need = mbpf_verify_arena_need(p);
    void *arena = malloc(need);
    mbpf_verify_result r;
    cr_assert_eq(mbpf_cert_write(p, &opts, facts, arena, need, &r, c->b, sizeof c->b, &c->len, 0), 0, "%s", r.msg);
    free(arena);
}

/* Check c; returns the verdict with the message in msg. */
static int check(const mbpf_program *p, const uint8_t *b, size_t len, mbpf_fact *facts, char *msg)
{
    size_t need = mbpf_check_arena_size(p->n_insns);
    void *arena = malloc(need);
    mbpf_verify_result r;
    int rc = mbpf_check(p, &opts, b, len, facts, arena, need, &r);
    strcpy(msg, r.msg);
    free(arena);
    return rc;
}

static void expect_reject(const mbpf_program *p, const cert *c, const char *want)
{
    mbpf_fact facts[64];
    char msg[256];
    cr_assert_eq(check(p, c->b, c->len, facts, msg), -1, "accepted; expected \"%s\"", want);
    cr_expect(strstr(msg, want) != NULL, "got \"%s\", expected \"%s\"", msg, want);
}

static uint32_t get16(const uint8_t *b)
{
    return b[0] | (uint32_t)b[1] << 8;
}

static void put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}

/* The parts of a certificate: states (pc, bytes) and loop claims, to alter and reassemble. */
typedef struct parts {
    uint8_t version, flags;
    uint32_t n_states, n_loops;
    uint32_t pc[32], loop[32][2];
    uint8_t state[32][256];
    size_t state_len[32];
} parts;

static void split(const cert *c, parts *s)
{
    memset(s, 0, sizeof *s);
    s->version = c->b[0];
    s->flags = c->b[1];
    s->n_states = get16(c->b + 2);
    s->n_loops = get16(c->b + 4);
    const uint8_t *loops = c->b + MBPF_CERT_HEADER + 4 * s->n_states;
    for (uint32_t i = 0; i < s->n_loops; i++) {
        s->loop[i][0] = get16(loops + 4 * i);
        s->loop[i][1] = get16(loops + 4 * i + 2);
    }
    for (uint32_t i = 0; i < s->n_states; i++) {
        const uint8_t *e = c->b + MBPF_CERT_HEADER + 4 * i;
        uint32_t off = get16(e + 2), end = i + 1 < s->n_states ? get16(e + 6) : (uint32_t)c->len;
        s->pc[i] = get16(e);
        s->state_len[i] = end - off;
        memcpy(s->state[i], c->b + off, end - off);
    }
}

static void join(const parts *s, cert *c)
{
    uint8_t *b = c->b;
    b[0] = s->version;
    b[1] = s->flags;
    put16(b + 2, s->n_states);
    put16(b + 4, s->n_loops);
    put16(b + 6, 0);
    size_t off = MBPF_CERT_HEADER + 4 * (s->n_states + s->n_loops);
    for (uint32_t i = 0; i < s->n_loops; i++) {
        put16(b + MBPF_CERT_HEADER + 4 * s->n_states + 4 * i, s->loop[i][0]);
        put16(b + MBPF_CERT_HEADER + 4 * s->n_states + 4 * i + 2, s->loop[i][1]);
    }
    for (uint32_t i = 0; i < s->n_states; i++) {
        put16(b + MBPF_CERT_HEADER + 4 * i, s->pc[i]);
        put16(b + MBPF_CERT_HEADER + 4 * i + 2, (uint32_t)off);
        memcpy(b + off, s->state[i], s->state_len[i]);
        off += s->state_len[i];
    }
    c->len = off;
}

static uint32_t state_index(const parts *s, uint32_t pc)
{
    for (uint32_t i = 0; i < s->n_states; i++)
        if (s->pc[i] == pc)
            return i;
    cr_assert_fail("no state for insn %u", pc);
    return 0;
}

Test(cert, host_certificates_check_with_the_full_verifiers_facts)
{
    const mbpf_program ps[] = {prog_of(loop_prog, 6), prog_of(len_prog, 8)};
    for (unsigned k = 0; k < 2; k++) {
        cert c;
        mbpf_fact full[16], checked[16];
        char msg[256];
        write_cert(&ps[k], &c, full);
        cr_assert_eq(check(&ps[k], c.b, c.len, checked, msg), 0, "%s", msg);
        cr_expect_eq(memcmp(full, checked, ps[k].n_insns * sizeof *full), 0, "program %u: facts differ", k);
    }
    /* what the figures say: the loop is bounded, the context read proven */
    mbpf_fact f[16];
    char msg[256];
    cert c;
    mbpf_program lp = prog_of(loop_prog, 6), cp = prog_of(len_prog, 8);
    write_cert(&lp, &c, f);
    cr_expect(f[2].flags & MBPF_FACT_LOOP_HEAD);
    write_cert(&cp, &c, f);
    cr_assert_eq(check(&cp, c.b, c.len, f, msg), 0, "%s", msg);
    cr_expect_eq(f[5].mem, MBPF_MEM_PROVEN);
}

Test(cert, tampered_state_is_rejected)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c;
    parts s;
    write_cert(&p, &c, f);
    split(&c, &s);
    /* the state at 5 lists r1 (a context pointer) first after the state fields: make it a stack
     * pointer */
    uint32_t i = state_index(&s, 5);
    uint8_t *st = s.state[i];
    cr_assert_eq(st[0], 1, "len_min present");
    cr_assert_eq(st[2] & 0x02, 0x02, "r1 listed");
    cr_assert_eq(st[3] & 0x0f, 4, "r1 is a context pointer"); /* bits 4-5: its defaults */
    st[3] = (uint8_t)((st[3] & 0xf0) | 3);
    join(&s, &c);
    expect_reject(&p, &c, "insn 2 (jgt r2, 4, +2): certificate: the state here is not included in the state claimed for insn 5");
}

Test(cert, state_claiming_too_much_is_rejected)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c;
    parts s;
    write_cert(&p, &c, f);
    split(&c, &s);
    uint32_t i = state_index(&s, 5);
    cr_assert_eq(s.state[i][1], 10, "len_min 5, zigzag");
    s.state[i][1] = 100; /* LEN >= 50: more than the test at 2 proves */
    join(&s, &c);
    expect_reject(&p, &c, "not included in the state claimed for insn 5");
}

Test(cert, weaker_state_is_accepted_with_weaker_facts)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    char msg[256];
    cert c;
    parts s;
    write_cert(&p, &c, f);
    split(&c, &s);
    uint32_t i = state_index(&s, 5);
    s.state[i][1] = 0; /* LEN >= 0: true, and proves nothing */
    join(&s, &c);
    cr_assert_eq(check(&p, c.b, c.len, f, msg), 0, "%s", msg);
    cr_expect_neq(f[5].mem, MBPF_MEM_PROVEN, "a weaker state cannot prove the read");
}

/* r1 founds r6 = r1 - 30000 and r7 = r1 - 29990 at the join (9) and is dead there: the state
 * at 9 keeps the two deltas as they are (r6, the lowest member, is the group's founder with a
 * delta that is not 0), and the link claimed is their difference. */
static const mbpf_insn dead_founder_prog[] = {
    MOV64R(9, 1),
    MOV64(0, 0),
    MOV64(1, 40000),
    MOV64(6, 10000),
    MOV64(7, 10010),
    JMP_IMM(MBPF_JEQ, 2, 5, 3),
    MOV64(1, 50000),
    MOV64(6, 20000),
    MOV64(7, 20010),
    ALU64_IMM(MBPF_SUB, 6, 5000),
    JMP_REG(MBPF_JGT, 7, 2, 2),
    ALU64_REG(MBPF_ADD, 9, 6),
    LDX(MBPF_B, 0, 9, 0),
    EXIT(),
};

/* Replace the varint `from` (3 bytes) in a state by `to`; it must be there once. */
static void swap_varint(uint8_t *st, size_t len, const uint8_t *from, const uint8_t *to)
{
    int found = 0;
    for (size_t k = 0; k + 3 <= len; k++)
        if (!memcmp(st + k, from, 3)) {
            memcpy(st + k, to, 3);
            found++;
        }
    cr_assert_eq(found, 1, "varint %02x %02x %02x in the state", from[0], from[1], from[2]);
}

Test(cert, link_deltas_claim_their_difference)
{
    mbpf_program p = prog_of(dead_founder_prog, 14);
    mbpf_fact full[16], f[16];
    char msg[256];
    cert c, alt;
    parts s;
    write_cert(&p, &c, full);
    cr_assert_eq(check(&p, c.b, c.len, f, msg), 0, "%s", msg);
    /* zigzag varints: -30000 (r6), -29990 (r7), -29999, -29989 */
    static const uint8_t d6[3] = {0xdf, 0xd4, 0x03}, d7[3] = {0xcb, 0xd4, 0x03};
    static const uint8_t d6_up[3] = {0xdd, 0xd4, 0x03}, d7_up[3] = {0xc9, 0xd4, 0x03};
    /* both deltas one higher: the same difference, the same link */
    split(&c, &s);
    uint32_t i = state_index(&s, 9);
    swap_varint(s.state[i], s.state_len[i], d6, d6_up);
    swap_varint(s.state[i], s.state_len[i], d7, d7_up);
    join(&s, &alt);
    cr_assert_eq(check(&p, alt.b, alt.len, f, msg), 0, "%s", msg);
    cr_expect_eq(memcmp(full, f, p.n_insns * sizeof *f), 0, "facts differ");
    /* r7's alone: a difference of 11 that no way in has */
    split(&c, &s);
    swap_varint(s.state[i], s.state_len[i], d7, d7_up);
    join(&s, &alt);
    expect_reject(&p, &alt, "not included in the state claimed for insn 9");
}

Test(cert, missing_state_is_rejected)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c;
    parts s;
    write_cert(&p, &c, f);
    split(&c, &s);
    uint32_t i = state_index(&s, 5);
    for (uint32_t k = i; k + 1 < s.n_states; k++) {
        s.pc[k] = s.pc[k + 1];
        memcpy(s.state[k], s.state[k + 1], sizeof s.state[k]);
        s.state_len[k] = s.state_len[k + 1];
    }
    s.n_states--;
    join(&s, &c);
    expect_reject(&p, &c, "insn 2 (jgt r2, 4, +2): certificate: no state for the jump target, insn 5");
}

Test(cert, wrong_loop_claims_are_rejected)
{
    mbpf_program p = prog_of(loop_prog, 6);
    mbpf_fact f[16];
    cert c, w;
    parts s;
    write_cert(&p, &c, f);
    split(&c, &s);
    cr_assert_eq(s.n_loops, 1);
    cr_assert_eq(s.loop[0][0], 2);
    const uint32_t trips = s.loop[0][1];
    s.loop[0][1] = trips - 1; /* fewer trips than the loop may run: an under-charged budget */
    join(&s, &w);
    expect_reject(&p, &w, "insn 2 (add r0, r3): certificate: loop claim does not hold; the checked states bound it by ");
    s.loop[0][1] = trips + 1;
    join(&s, &w);
    expect_reject(&p, &w, "loop claim does not hold; the checked states bound it by ");
    s.loop[0][0] = 1; /* a loop where there is none */
    s.loop[0][1] = trips;
    join(&s, &w);
    expect_reject(&p, &w, "insn 1 (mov r3, 0): certificate: loop claim does not hold (the checked states do not bound this loop)");
    s.n_loops = 0;
    join(&s, &w);
    expect_reject(&p, &w, "insn 2 (add r0, r3): certificate: no claim for this loop the checked states bound");
    s.n_loops = 1;
    s.loop[0][0] = 2;
    s.loop[0][1] = MBPF_LOOP_MAX_TRIPS + 1;
    join(&s, &w);
    expect_reject(&p, &w, "certificate: loop claim out of order or out of range at entry 0");
}

Test(cert, truncated_certificates_are_rejected)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    char msg[256];
    cert c;
    write_cert(&p, &c, f);
    for (size_t len = 0; len < c.len; len++)
        cr_expect_eq(check(&p, c.b, len, f, msg), -1, "accepted at %zu of %zu bytes", len, c.len);
    cert t = c;
    t.len = 5;
    expect_reject(&p, &t, "verify: certificate: length out of range: 5");
    t.len = MBPF_CERT_HEADER + 2;
    expect_reject(&p, &t, "certificate: truncated (its tables run past its end)");
    t.len = c.len - 1; /* the last state (at 5) is cut: the jump to it finds it malformed */
    expect_reject(&p, &t, "insn 2 (jgt r2, 4, +2): certificate: malformed state for insn 5");
    cr_expect_eq(check(&p, NULL, 0, f, msg), -1);
    cr_expect(strstr(msg, "certificate: none given"), "%s", msg);
}

Test(cert, oversized_and_malformed_certificates_are_rejected)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c, t;
    write_cert(&p, &c, f);
    t = c;
    t.b[t.len++] = 0;
    expect_reject(&p, &t, "certificate: bytes after its last state: 1");
    t = c;
    t.len = MBPF_CERT_MAX_LEN + 1;
    uint8_t *big = calloc(1, t.len);
    memcpy(big, c.b, c.len);
    char msg[256];
    cr_expect_eq(check(&p, big, t.len, f, msg), -1);
    cr_expect(strstr(msg, "certificate: length out of range"), "%s", msg);
    free(big);
    t = c;
    t.b[0] = MBPF_CERT_VERSION + 1;
    expect_reject(&p, &t, "certificate: unsupported version 4");
    t = c;
    t.b[1] = 0x80;
    expect_reject(&p, &t, "certificate: unknown flags or reserved bits set");
    /* an index out of order: the state at 5 listed twice */
    parts s;
    split(&c, &s);
    cr_assert_eq(s.n_states, 1, "a state at 5 only: the entry's is the checker's own");
    s.pc[1] = s.pc[0];
    memcpy(s.state[1], s.state[0], s.state_len[0]);
    s.state_len[1] = s.state_len[0];
    s.n_states = 2;
    join(&s, &t);
    expect_reject(&p, &t, "certificate: state index out of order or out of range at entry 1");
    /* a register of an unknown type */
    split(&c, &s);
    cr_assert_eq(s.state[0][0], 1, "len_min present");
    s.state[0][3] = 9;
    join(&s, &t);
    expect_reject(&p, &t, "verify: insn 2 (jgt r2, 4, +2): certificate: malformed state for insn 5");
}

Test(cert, arena_too_small_names_the_bytes)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c;
    write_cert(&p, &c, f);
    uint8_t small[64];
    mbpf_verify_result r;
    cr_assert_eq(mbpf_check(&p, &opts, c.b, c.len, f, small, sizeof small, &r), -2);
    char want[96];
    snprintf(want, sizeof want, "the check needs bytes: %zu", mbpf_check_arena_size(8));
    cr_expect(strstr(r.msg, want), "%s", r.msg);
    /* 512 instructions: within 4 KiB plus the 4 bytes per instruction of the facts */
    cr_expect_leq(mbpf_check_arena_size(512), 4096u, "%zu", mbpf_check_arena_size(512));
}

Test(cert, every_bit_flip_gives_a_verdict)
{
    const mbpf_program ps[] = {prog_of(loop_prog, 6), prog_of(len_prog, 8)};
    for (unsigned k = 0; k < 2; k++) {
        cert c;
        mbpf_fact f[16];
        char msg[256];
        write_cert(&ps[k], &c, f);
        for (size_t i = 0; i < c.len; i++)
            for (int bit = 0; bit < 8; bit++) {
                c.b[i] ^= (uint8_t)(1u << bit);
                int rc = check(&ps[k], c.b, c.len, f, msg);
                cr_expect(rc == 0 || (rc == -1 && !strncmp(msg, "verify: ", 8)), "byte %zu bit %d: %d %s", i, bit, rc, msg);
                c.b[i] ^= (uint8_t)(1u << bit);
            }
    }
}

/* ---- through the runtime: mbpf_rt_load checks a container's certificate ---- */

#include "aot/container_write.h"
#include "mcubpf/runtime.h"

static uint8_t rt_work[64 * 1024] __attribute__((aligned(8)));
static uint8_t rt_stack[MBPF_STACK_SIZE * 2] __attribute__((aligned(8)));

static void rt_setup(mbpf_runtime *rt, mbpf_tenant *t, size_t work_len)
{
    mbpf_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.target = MBPF_TARGET_NONE;
    cfg.work = rt_work;
    cfg.work_len = work_len;
    cr_assert_eq(mbpf_rt_init(rt, &cfg), MBPF_RT_OK);
    memset(t, 0, sizeof *t);
    t->helper_mask = 0xffffu;
    t->ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    t->stack = rt_stack;
    t->stack_len = sizeof rt_stack;
    t->budget = 1000;
}

/* A container of len_prog with its certificate; with `alter`, the state at 5 claims LEN >= 50. */
static uint8_t *pack_with_cert(int alter, size_t *len)
{
    mbpf_program p = prog_of(len_prog, 8);
    mbpf_fact f[16];
    cert c;
    write_cert(&p, &c, f);
    if (alter) {
        parts s;
        split(&c, &s);
        s.state[state_index(&s, 5)][1] = 100;
        join(&s, &c);
    }
    uint8_t *buf = mbpf_container_build_cert(&p, 0, c.b, (uint32_t)c.len, len);
    cr_assert_not_null(buf);
    return buf;
}

Test(cert, runtime_loads_through_the_certificate)
{
    static mbpf_runtime rt;
    mbpf_tenant t;
    rt_setup(&rt, &t, sizeof rt_work);
    size_t len;
    uint8_t *buf = pack_with_cert(0, &len);
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &t, buf, len, &err), MBPF_RT_OK, "%s", mbpf_rt_last_message(&rt));
    uint8_t ctx[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint64_t r0 = 0;
    mbpf_fault fault;
    cr_assert_eq(mbpf_rt_run(&rt, &slot, ctx, sizeof ctx, &r0, &fault), MBPF_OK);
    cr_expect_eq(r0, 0x04030201u);
    free(buf);
    buf = pack_with_cert(1, &len);
    memset(&slot, 0, sizeof slot);
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &t, buf, len, &err), MBPF_RT_ERR_VERIFY);
    cr_expect(strstr(mbpf_rt_last_message(&rt), "not included in the state claimed for insn 5"), "%s",
              mbpf_rt_last_message(&rt));
    free(buf);
}

Test(cert, runtime_names_the_work_arena_needed)
{
    static mbpf_runtime rt;
    mbpf_tenant t;
    mbpf_program p = prog_of(len_prog, 8);
    const size_t need = mbpf_rt_work_need(&p, 1);
    rt_setup(&rt, &t, need - 1);
    size_t len;
    uint8_t *buf = pack_with_cert(0, &len);
    mbpf_prog slot;
    memset(&slot, 0, sizeof slot);
    mbpf_rt_error err;
    cr_assert_eq(mbpf_rt_load(&rt, &slot, &t, buf, len, &err), MBPF_RT_ERR_NOMEM);
    char want[96];
    snprintf(want, sizeof want, "work arena too small for this program; it needs %zu bytes", need);
    cr_expect(strstr(err.msg, want), "%s", err.msg);
    rt_setup(&rt, &t, need);
    memset(&slot, 0, sizeof slot);
    cr_expect_eq(mbpf_rt_load(&rt, &slot, &t, buf, len, &err), MBPF_RT_OK, "%s", mbpf_rt_last_message(&rt));
    free(buf);
}

Test(cert, spilled_counter_loop_claims_check_and_wrong_ones_are_rejected)
{
    mbpf_program p = prog_of(spill_loop_prog, 10);
    mbpf_fact full[16], checked[16];
    char msg[256];
    cert c, w;
    parts s;
    write_cert(&p, &c, full);
    cr_assert(full[2].flags & MBPF_FACT_LOOP_HEAD);
    cr_expect_eq(MBPF_FACT_TRIPS(&full[2]), 9);
    cr_assert_eq(check(&p, c.b, c.len, checked, msg), 0, "%s", msg);
    cr_expect_eq(memcmp(full, checked, p.n_insns * sizeof *full), 0, "facts differ");
    split(&c, &s);
    cr_assert_eq(s.n_loops, 1);
    cr_assert_eq(s.loop[0][0], 2);
    s.loop[0][1] = 8;
    join(&s, &w);
    expect_reject(&p, &w, "certificate: loop claim does not hold; the checked states bound it by ");
}
