/* Counted loops for the random generator (included by randprog.c, which provides gen, put,
 * below, rnd_imm and CTX_REG): the shapes the translator's loop versioning works on, and the
 * ones it must leave alone.
 *
 * - a counter and a bound (immediate or register) in one of the exit tests the middle end counts
 *   (up to <, <=, !=; down to >, !=; a 64-bit index stepping by 4 up to 0), 32- or 64-bit;
 * - a pointer stepping through the context or the stack buffer, with accesses before and after
 *   its update; the last iteration reaches exactly the last valid byte of the region, rarely one
 *   byte past it (that access faults: the test before the loop must send it to the exact copy);
 * - a long loop (60,000-140,000 iterations) whose budget (100,000 units in the runner) runs out
 *   part way through, straight-line (versioned) or with a branch inside (not versioned);
 * - rarely a loop entered with a start beyond its bound (it runs once);
 * - rotated loops (entered by a jump into the middle, the counter's test at the top, leaving
 *   directly or through a `ja`), with branches inside the body, a second back edge from the
 *   middle of the body, and the last back edge a `ja` or a conditional jump that falls out;
 *   over an array as above (last valid byte, rarely one past) or long enough for the budget to
 *   run out part way in either copy. */

/* A data register other than the context register and the loop's own ones. */
static int rl_reg(gen *g, int a, int b, int c)
{
    for (;;) {
        const int r = (int)below(g, 9);
        if (r != a && r != b && r != c && r != CTX_REG)
            return r;
    }
}

/* An ALU instruction on a body register (never the counter, bound or pointer). */
static void rl_alu(gen *g, int c, int b, int p)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_XOR, MBPF_OR, MBPF_AND, MBPF_MUL,
                                  MBPF_LSH, MBPF_RSH};
    const uint8_t cls = below(g, 2) ? MBPF_ALU64 : MBPF_ALU;
    const uint8_t op = ops[below(g, sizeof ops)];
    const int d = rl_reg(g, c, b, p);
    if (op == MBPF_LSH || op == MBPF_RSH)
        put(g, (uint8_t)(cls | op | MBPF_K), d, 0, 0, (int32_t)below(g, cls == MBPF_ALU64 ? 64 : 32));
    else if (below(g, 2))
        put(g, (uint8_t)(cls | op | MBPF_X), d, rl_reg(g, p, -1, -1), 0, 0);
    else
        put(g, (uint8_t)(cls | op | MBPF_K), d, 0, 0, rnd_imm(g));
}

/* One access at [p + off], size sz: a load into a body register, or a store of an immediate or
 * of a value made from a context byte (the verifier refuses to store anything that may hold an
 * address through a pointer it cannot place on the stack). */
static void rl_access(gen *g, int c, int b, int p, int16_t off, uint8_t sz, int on_stack)
{
    const int t = rl_reg(g, c, b, p);
    switch (below(g, 3)) {
    case 0:
        put(g, (uint8_t)(MBPF_ST | MBPF_MEM | sz), p, 0, off, rnd_imm(g));
        break;
    case 1: /* the value: a context byte (through p, or at a fixed offset for the stack) */
        if (on_stack)
            put(g, MBPF_LDX | MBPF_MEM | MBPF_B, t, CTX_REG, (int16_t)below(g, g->mem_len), 0);
        else
            put(g, MBPF_LDX | MBPF_MEM | MBPF_B, t, p, off, 0);
        put(g, MBPF_ALU64 | MBPF_XOR | MBPF_K, t, 0, 0, rnd_imm(g));
        put(g, (uint8_t)(MBPF_STX | MBPF_MEM | sz), p, t, off, 0);
        break;
    default:
        put(g, (uint8_t)(MBPF_LDX | (sz != MBPF_DW && below(g, 4) == 0 ? MBPF_MEMSX : MBPF_MEM) | sz),
            t, p, off, 0);
        break;
    }
}

/* The counter's start, its update and the latch for n iterations (n >= 1), head at `head`.
 * Emits the start now; *tail_kind tells rl_latch what to emit at the end. */
typedef struct rl_counter {
    int c, b;       /* counter, bound register (-1: immediate) */
    int kind;       /* 0: up <, 1: up !=, 2: down >, 3: down !=, 4: up <=, 5: 64-bit index by 4 */
    int32_t bound;
    uint8_t jcls, acls;
} rl_counter;

static void rl_start(gen *g, rl_counter *k, uint32_t n, int p)
{
    k->c = rl_reg(g, p, -1, -1);
    k->b = below(g, 3) == 0 ? rl_reg(g, p, k->c, -1) : -1;
    k->kind = (int)below(g, 6);
    k->jcls = below(g, 3) == 0 ? MBPF_JMP32 : MBPF_JMP;
    k->acls = below(g, 3) == 0 ? MBPF_ALU : MBPF_ALU64;
    int32_t start;
    switch (k->kind) {
    case 0: start = 0; k->bound = (int32_t)n; break;
    case 1: start = 0; k->bound = (int32_t)n; break;
    case 2: start = (int32_t)n; k->bound = 0; break;
    case 3: start = (int32_t)n; k->bound = 0; break;
    case 4: start = 0; k->bound = (int32_t)n - 1; break;
    default: start = -4 * (int32_t)n; k->bound = 0; k->acls = MBPF_ALU64; break;
    }
    if (below(g, 32) == 0 && (k->kind == 0 || k->kind == 2))
        start = k->kind == 0 ? (int32_t)n + (int32_t)below(g, 3) : -1; /* beyond the bound */
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, k->c, 0, 0, start);
    if (k->b >= 0)
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, k->b, 0, 0, k->bound);
}

static void rl_latch(gen *g, const rl_counter *k, uint32_t head)
{
    static const uint8_t tests[] = {MBPF_JLT, MBPF_JNE, MBPF_JGT, MBPF_JNE, MBPF_JLE, MBPF_JNE};
    const int32_t step = k->kind == 5 ? 4 : (k->kind == 2 || k->kind == 3) ? -1 : 1;
    if (below(g, 2))
        put(g, (uint8_t)(k->acls | MBPF_ADD | MBPF_K), k->c, 0, 0, step);
    else
        put(g, (uint8_t)(k->acls | MBPF_SUB | MBPF_K), k->c, 0, 0, -step);
    const uint8_t op = tests[k->kind];
    const int16_t back = (int16_t)((int32_t)head - (int32_t)g->n - 1);
    if (k->b >= 0)
        put(g, (uint8_t)(k->jcls | op | MBPF_X), k->c, k->b, back, 0);
    else
        put(g, (uint8_t)(k->jcls | op | MBPF_K), k->c, 0, back, k->bound);
}

/* The trip count n (all that fit, or fewer) and the start offset `first` of a pointer stepping
 * by `step` whose accesses reach `reach` bytes past it, in a region of len bytes: in range, at
 * the last valid byte, or (off the stack, rarely) one past the end in the last iteration. */
static void rl_span(gen *g, uint32_t len, uint32_t reach, uint32_t step, int on_stack, uint32_t *n,
                    uint32_t *first)
{
    const uint32_t max_n = (len - reach) / step + 1;
    *n = below(g, 2) ? max_n : 1 + below(g, max_n);
    *first = len - reach - step * (*n - 1); /* room left below: the start's offset */
    if (below(g, 2))
        *first = below(g, *first + 1);
    else if (!on_stack && below(g, 8) == 0)
        (*first)++; /* one past the end in the last iteration */
}

/* The counter for n trips and the pointer, at `first` into the stack frame or the context. */
static int rl_pointer(gen *g, rl_counter *k, uint32_t n, int on_stack, uint32_t first)
{
    const int p = rl_reg(g, -1, -1, -1);
    rl_start(g, k, n, p);
    if (on_stack) {
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, p, MBPF_REG_FP, 0, 0);
        put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, -72 + (int32_t)first);
    } else {
        put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, p, CTX_REG, 0, 0);
        if (first)
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, (int32_t)first);
    }
    return p;
}

/* A counted loop over the context or the stack buffer [r10-72, r10-8). */
static void gen_array_loop(gen *g)
{
    static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    const int on_stack = below(g, 3) == 0 || g->mem_len < 16;
    const uint32_t len = on_stack ? 64 : g->mem_len;
    const uint8_t sz = sizes[below(g, 4)];
    const uint32_t size = mbpf_size_bytes(sz);
    const uint32_t step = (uint32_t)1 << below(g, 4); /* 1..8 */
    const uint32_t n_acc = 1 + below(g, 3);
    int16_t offs[3];
    uint32_t reach = 0; /* end of the highest access over one iteration, from p at its start */
    for (uint32_t i = 0; i < n_acc; i++) {
        offs[i] = (int16_t)below(g, 4);
        const uint32_t end = (uint32_t)offs[i] + size + (i + 1 == n_acc ? step : 0);
        if (end > reach)
            reach = end;
    }
    if (reach > len)
        return;
    uint32_t n, first;
    rl_span(g, len, reach, step, on_stack, &n, &first);
    rl_counter k;
    const int p = rl_pointer(g, &k, n, on_stack, first);
    const uint32_t head = g->n;
    for (uint32_t i = 0; i < n_acc; i++) {
        if (below(g, 2))
            rl_alu(g, k.c, k.b, p);
        if (i + 1 == n_acc) { /* the last access comes after the pointer's update */
            put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, (int32_t)step);
            rl_access(g, k.c, k.b, p, offs[i], sz, on_stack);
        } else {
            rl_access(g, k.c, k.b, p, offs[i], sz, on_stack);
        }
    }
    rl_latch(g, &k, head);
    /* no register keeps a pointer after the loop */
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, p, 0, 0, rnd_imm(g));
}

/* A long loop: the budget runs out part way unless the program has spent little; with a branch
 * inside, the translator cannot version it. */
static void gen_budget_loop(gen *g)
{
    const uint32_t n = 60000 + below(g, 80000);
    const int p = rl_reg(g, -1, -1, -1);
    rl_counter k;
    rl_start(g, &k, n, p);
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, p, CTX_REG, 0, 0);
    const uint32_t head = g->n;
    rl_alu(g, k.c, k.b, p);
    if (g->mem_len >= 8 && below(g, 2))
        rl_access(g, k.c, k.b, p, (int16_t)below(g, g->mem_len - 7), MBPF_B, 0);
    if (below(g, 2)) { /* a branch over one instruction */
        const int32_t bit = (int32_t)(1u << below(g, 8));
        put(g, MBPF_JMP | MBPF_JSET | MBPF_K, rl_reg(g, p, -1, -1), 0, 1, bit);
        rl_alu(g, k.c, k.b, p);
    }
    rl_latch(g, &k, head);
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, p, 0, 0, rnd_imm(g));
}

/* Point the jump at pc to `target` (a loop's exit, known once the loop is emitted). */
static void rl_patch(gen *g, uint32_t pc, uint32_t target)
{
    if (pc < g->cap)
        g->out[pc].off = (int16_t)((int32_t)target - (int32_t)pc - 1);
}

/* The test at the top of a rotated loop: continue at the next instruction but one (A, with a
 * `ja` out after the test) or at the next one (B, the negated test leaves). Returns the pc of
 * the jump that leaves, to patch. */
static uint32_t rl_top_test(gen *g, const rl_counter *k)
{
    static const uint8_t tests[] = {MBPF_JLT, MBPF_JNE, MBPF_JGT, MBPF_JNE, MBPF_JLE, MBPF_JNE};
    static const uint8_t negated[] = {MBPF_JGE, MBPF_JEQ, MBPF_JLE, MBPF_JEQ, MBPF_JGT, MBPF_JEQ};
    const int32_t step = k->kind == 5 ? 4 : (k->kind == 2 || k->kind == 3) ? -1 : 1;
    if (below(g, 2))
        put(g, (uint8_t)(k->acls | MBPF_ADD | MBPF_K), k->c, 0, 0, step);
    else
        put(g, (uint8_t)(k->acls | MBPF_SUB | MBPF_K), k->c, 0, 0, -step);
    const int a = below(g, 2);
    const uint8_t op = a ? tests[k->kind] : negated[k->kind];
    const int16_t off = a ? 1 : 0; /* B: patched to the exit */
    if (k->b >= 0)
        put(g, (uint8_t)(k->jcls | op | MBPF_X), k->c, k->b, off, 0);
    else
        put(g, (uint8_t)(k->jcls | op | MBPF_K), k->c, 0, off, k->bound);
    if (a)
        put(g, MBPF_JMP | MBPF_JA, 0, 0, 0, 0);
    return g->n - 1;
}

/* A body instruction: a branch over the next one (kept inside the loop), sometimes. */
static void rl_branch_over(gen *g, int c, int b, int p)
{
    if (below(g, 3) == 0) {
        const int32_t bit = (int32_t)(1u << below(g, 8));
        put(g, MBPF_JMP | MBPF_JSET | MBPF_K, rl_reg(g, p, c, b), 0, 1, bit);
        rl_alu(g, c, b, p);
    }
}

/* A rotated loop: `ja entry; head: p += step; counter update and test; entry: body; ja head`,
 * the body running n times from the values the loop is entered with. With `on_array` it walks
 * the context or the stack buffer as gen_array_loop does, else it is long (the budget). */
static void gen_rotated_loop(gen *g)
{
    static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    const int on_array = below(g, 4) != 0;
    const int on_stack = on_array && (below(g, 3) == 0 || g->mem_len < 16);
    const uint32_t len = on_stack ? 64 : g->mem_len;
    const uint8_t sz = on_array ? sizes[below(g, 4)] : MBPF_B;
    const uint32_t size = mbpf_size_bytes(sz);
    const uint32_t step = on_array ? (uint32_t)1 << below(g, 4) : 0;
    const uint32_t n_acc = on_array ? 1 + below(g, 3) : (g->mem_len >= 8 ? 1 : 0);
    int16_t offs[3];
    uint32_t reach = 0;
    for (uint32_t i = 0; i < n_acc; i++) {
        offs[i] = (int16_t)below(g, on_array ? 4 : g->mem_len - 7);
        if ((uint32_t)offs[i] + size > reach)
            reach = (uint32_t)offs[i] + size;
    }
    if (reach > len)
        return;
    uint32_t n, first = 0;
    if (on_array) {
        rl_span(g, len, reach, step, on_stack, &n, &first);
    } else {
        n = 60000 + below(g, 80000);
    }
    rl_counter k;
    const int p = rl_pointer(g, &k, n, on_stack, first);
    const uint32_t into = g->n;
    put(g, MBPF_JMP | MBPF_JA, 0, 0, 0, 0); /* to the entry, patched */
    const uint32_t head = g->n;
    if (step)
        put(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, (int32_t)step);
    const uint32_t leave = rl_top_test(g, &k);
    rl_patch(g, into, g->n);
    for (uint32_t i = 0; i < n_acc; i++) {
        rl_branch_over(g, k.c, k.b, p);
        rl_access(g, k.c, k.b, p, offs[i], sz, on_stack);
        if (below(g, 4) == 0) { /* a second back edge from the middle of the body */
            const int32_t bit = (int32_t)(1u << below(g, 8));
            put(g, MBPF_JMP | MBPF_JSET | MBPF_K, rl_reg(g, p, k.c, k.b), 0,
                (int16_t)((int32_t)head - (int32_t)g->n - 1), bit);
        }
    }
    if (!n_acc || below(g, 2))
        rl_alu(g, k.c, k.b, p);
    if (below(g, 4) == 0) { /* the last back edge falls out of the loop when not taken */
        const int32_t bit = (int32_t)(1u << below(g, 8));
        put(g, MBPF_JMP | MBPF_JSET | MBPF_K, rl_reg(g, p, k.c, k.b), 0,
            (int16_t)((int32_t)head - (int32_t)g->n - 1), bit);
    } else {
        put(g, MBPF_JMP | MBPF_JA, 0, 0, (int16_t)((int32_t)head - (int32_t)g->n - 1), 0);
    }
    rl_patch(g, leave, g->n);
    put(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, p, 0, 0, rnd_imm(g));
}

static void gen_counted_loop(gen *g)
{
    const uint32_t k = below(g, 12);
    if (k < 2)
        gen_budget_loop(g);
    else if (k < 6)
        gen_rotated_loop(g);
    else
        gen_array_loop(g);
}
