# In-process differential fuzzer for translated code: Thumb-2 and RV32 translations run under
# Unicorn against the interpreter (tests/unicorn/, docs/testing.md). `make suite-unicorn` runs
# the oracle's self-test, the regression inputs and a short deterministic run of every generator.
#
# It builds its own objects without sanitizers, as a build service that translates tenant
# bytecode would run the tools: a sanitizer would stop at an overflow in the verifier before the
# translated code could show what the overflow does. The interpreter keeps its fact checks.
UNICORN_SRCS := tests/unicorn/sandbox.c tests/unicorn/emu_runtime.c tests/unicorn/emu.c \
                tests/unicorn/diff.c tests/unicorn/gen.c tests/unicorn/minimise.c tests/diff/randprog.c
UNICORN_LIB_SRCS := $(filter-out jit/jit_runtime.c,$(CORE_SRCS))
UNICORN_CFLAGS := $(filter-out $(HOST_SAN_FLAGS),$(HOST_CFLAGS))
UNICORN_OBJ = $(patsubst %.c,$(BUILD)/unicorn/%.o,$(1))
EMU_DIFF := $(BUILD)/bin/emu-diff
UNICORN_COUNT ?= 3000
UNICORN_SEED ?= 1

$(BUILD)/unicorn/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UNICORN_CFLAGS) -c $< -o $@

$(EMU_DIFF): $(call UNICORN_OBJ,tests/unicorn/emu_diff.c $(UNICORN_SRCS) $(UNICORN_LIB_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $^ -lunicorn

# The oracle's self-test needs translations that trust every proof: the same driver with the
# translator's defence in depth (jit/mid/mid_access.c) compiled out. Never a product build.
EMU_DIFF_TRUSTING := $(BUILD)/bin/emu-diff-trusting
$(BUILD)/unicorn-trusting/jit/mid/mid_access.o: jit/mid/mid_access.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(UNICORN_CFLAGS) -DMBPF_JIT_TEST_TRUST_PROOFS -c $< -o $@

$(EMU_DIFF_TRUSTING): $(filter-out $(BUILD)/unicorn/jit/mid/mid_access.o,$(call UNICORN_OBJ,tests/unicorn/emu_diff.c $(UNICORN_SRCS) $(UNICORN_LIB_SRCS))) \
		$(BUILD)/unicorn-trusting/jit/mid/mid_access.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $^ -lunicorn

SUITES += unicorn
suite-unicorn: $(EMU_DIFF) $(EMU_DIFF_TRUSTING)
	@scripts/run-suite $(BUILD)/results unicorn tests/unicorn/run $(EMU_DIFF) $(UNICORN_SEED) \
		$(UNICORN_COUNT) $(EMU_DIFF_TRUSTING)

# libFuzzer form (make fuzz, and briefly in suite-fuzz-smoke). Without UBSan: an overflow in the
# verifier is what it must see the effect of in translated code.
$(FUZZ_DIR)/fuzz_emu: tests/unicorn/fuzz_emu.c $(UNICORN_SRCS) $(UNICORN_LIB_SRCS)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -std=c99 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address -Iinclude -I. \
		-DMBPF_INTERP_CHECK_FACTS $^ -o $@ -lunicorn
