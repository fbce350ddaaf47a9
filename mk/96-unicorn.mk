# In-process differential fuzzer for translated code: Thumb-2 and RV32 translations run under
# Unicorn against the interpreter (tests/unicorn/, docs/testing.md). `make suite-unicorn` runs
# the regression inputs and a short deterministic run of every generator.
UNICORN_SRCS := tests/unicorn/sandbox.c tests/unicorn/emu_runtime.c tests/unicorn/emu.c \
                tests/unicorn/diff.c tests/unicorn/gen.c tests/unicorn/minimise.c tests/diff/randprog.c
EMU_DIFF := $(BUILD)/bin/emu-diff
UNICORN_COUNT ?= 3000
UNICORN_SEED ?= 1

$(EMU_DIFF): $(call HOST_OBJ,tests/unicorn/emu_diff.c $(UNICORN_SRCS)) $(LIBMCUBPF)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS) -lunicorn

SUITES += unicorn
suite-unicorn: $(EMU_DIFF)
	@scripts/run-suite $(BUILD)/results unicorn $(EMU_DIFF) --seed $(UNICORN_SEED) \
		--count $(UNICORN_COUNT) $(sort $(wildcard tests/unicorn/regress/*.bin))
