"""Attacks on the verifier's reasoning, run by tests/escape/run on every engine and target. Each
is (name, attack, program, expected outcome), the outcome as in run. The first three once got a
wrong "proven in bounds" fact, which translated code trusts: they must now be stopped by the guard
at run time; the others must be rejected (or, the last, run)."""


def cases(I, LDDW, EXIT):
    R0_0 = I(0xb7, 0, 0, 0, 0)
    # a value the verifier cannot see: a constant through a stack round trip, written as two words
    # and read as one doubleword (the verifier keeps records of whole stores only)
    hidden = lambda r, imm: I(0x62, 10, 0, -8, imm) + I(0x62, 10, 0, -4, -1 if imm < 0 else 0) + I(0x79, r, 10, -8)
    ctx_end = I(0xbf, 5, 1) + I(0x0f, 5, 2)  # r5 = ctx + len
    loops = b"".join(I(0xb7, 3, 0, 0, 0) + I(0x07, 0, 0, 0, 1) + I(0x07, 3, 0, 0, 1) + I(0xa5, 3, 0, -3, 3)
                     for _ in range(64))
    return [
        ("jmp32-ctx-wrap", "a 32-bit compare of context pointers after the low word wraps: store below the context",
         I(0xb4, 3, 0, 0, -8) + I(0x7b, 10, 3, -8) + I(0x79, 3, 10, -8) + I(0xbc, 3, 3) +
         I(0xbf, 4, 1) + I(0x0f, 4, 3) + ctx_end + I(0x3e, 4, 5, 1) + I(0x72, 4, 0, 0, 1) + R0_0 + EXIT,
         "fault:memory write fault"),
        ("signed-ctx-wrap", "a signed compare of context pointers, one past 2^63: store below the context",
         hidden(3, -16) + I(0x77, 3, 0, 0, 2) + I(0xbf, 4, 1) + I(0x0f, 4, 3) + I(0x0f, 4, 3) + ctx_end +
         I(0x7d, 4, 5, 1) + I(0x72, 4, 0, 0, 1) + R0_0 + EXIT,
         "fault:memory write fault"),
        ("stack-offset-overflow", "stack offset [1, 2^62] added four times: store above the frame",
         hidden(3, 12) + I(0x77, 3, 0, 0, 2) + I(0x07, 3, 0, 0, 1) + I(0xbf, 4, 10) + I(0x0f, 4, 3) * 4 +
         I(0x72, 4, 0, -8, 1) + R0_0 + EXIT,
         "fault:memory write fault"),
        ("leak-spill-reload", "a frame pointer spilled, reloaded and stored into the context",
         I(0x7b, 10, 10, -8) + I(0x79, 3, 10, -8) + I(0x7b, 1, 3, 0) + R0_0 + EXIT,
         "reject:pointer stored into the context"),
        ("leak-local-call", "a local function storing the frame pointer it is given into the context",
         I(0xbf, 2, 10) + I(0x85, 0, 1, 0, 2) + R0_0 + EXIT + I(0x7b, 1, 2, 0) + EXIT,
         "reject:pointer stored into the context"),
        ("stale-stack-deep", "read never-written stack 264 bytes below r10 (another run's bytes)",
         I(0x79, 0, 10, -264) + EXIT, "reject:read of uninitialised stack"),
        ("loops-64", "64 sequential 3-trip loops (a valid program)", R0_0 + loops + EXIT, "ok:0xc0"),
    ]
