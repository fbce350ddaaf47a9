# Runner firmware for the emulated boards (QEMU), and the host side that drives them.
RUNNER_THUMB2 := $(BUILD)/platform/runner-thumb2.elf
RUNNER_RV32 := $(BUILD)/platform/runner-rv32imc.elf
RUNNER_CFLAGS := -std=c99 -Os -g $(WARN) -Iinclude -I. -ffunction-sections -fdata-sections
PICOLIBC_LINK := --oslib=semihost --crt0=semihost -Wl,--gc-sections

$(RUNNER_THUMB2): platform/runner.c platform/mps2-an386/board.c tests/diff/randprog.c tests/diff/randloops.c $(call ARM_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_ARCH) $(RUNNER_CFLAGS) -DMBPF_RUNNER_TARGET=MBPF_TARGET_THUMB2 \
		-DMBPF_RUNNER_HAS_JIT=1 $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
		-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 \
		-Wl,--defsym=__stack_size=0x4000 \
		platform/runner.c platform/mps2-an386/board.c tests/diff/randprog.c $(call ARM_OBJ,$(CORE_SRCS)) -o $@

$(RUNNER_RV32): platform/runner.c platform/virt/board.c tests/diff/randprog.c tests/diff/randloops.c $(call RV_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_ARCH) $(RUNNER_CFLAGS) -DMBPF_RUNNER_TARGET=MBPF_TARGET_RV32IMC \
		-DMBPF_RUNNER_HAS_JIT=1 $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
		-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000 \
		-Wl,--defsym=__stack_size=0x4000 \
		platform/runner.c platform/virt/board.c tests/diff/randprog.c $(call RV_OBJ,$(CORE_SRCS)) -o $@

runners: $(RUNNER_THUMB2) $(RUNNER_RV32)
tools: runners

# Differential suite in QEMU: conformance programs and test vectors, interp vs JIT vs AOT.
SUITES += diff-thumb2
suite-diff-thumb2: vectors $(RUNNER_THUMB2) $(BUILD)/bin/bpfrun
	@scripts/run-suite $(BUILD)/results diff-thumb2 tests/diff/run $(BUILD) thumb2 $(CONFORMANCE_DIR)

# Random differential programs, generated and compared on the device (interp vs JIT).
RANDOM_COUNT ?= 5000
SUITES += random-thumb2
suite-random-thumb2: $(RUNNER_THUMB2)
	@scripts/run-suite $(BUILD)/results random-thumb2 tests/diff/random $(RUNNER_THUMB2) thumb2 1 $(RANDOM_COUNT)

SUITES += diff-rv32 random-rv32
suite-diff-rv32: vectors $(RUNNER_RV32) $(BUILD)/bin/bpfrun
	@scripts/run-suite $(BUILD)/results diff-rv32 tests/diff/run $(BUILD) rv32imc $(CONFORMANCE_DIR)
suite-random-rv32: $(RUNNER_RV32)
	@scripts/run-suite $(BUILD)/results random-rv32 tests/diff/random $(RUNNER_RV32) rv32imc 1 $(RANDOM_COUNT)
