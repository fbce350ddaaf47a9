# Verifier and disassembler (freestanding).
CORE_SRCS += verifier/disasm.c verifier/preflight.c verifier/cfg.c verifier/absint.c verifier/absint_ops.c verifier/loops.c verifier/verify.c \
	verifier/cert_write.c verifier/check.c verifier/check_cfg.c
# bpfverify: the device verifier on the host (verdict, figures, facts).
TOOLS += bpfverify
bpfverify_SRCS := aot/bpfverify.c

# The accept/reject suite (test-vectors/verifier/cases.txt), through bpfverify.
SUITES += verifier-cases
suite-verifier-cases: $(BUILD)/bin/bpfverify
	@scripts/run-suite $(BUILD)/results verifier-cases tests/verifier/run $(BUILD)
UNIT_TEST_SRCS += tests/unit/test_cert.c tests/unit/test_loop_table.c tests/unit/test_loop_bounds.c tests/unit/test_access_bounds.c tests/unit/test_upper_halves.c
