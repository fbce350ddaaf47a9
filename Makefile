# mcubpf top-level build. GNU make.
#   make            build host tools and libraries
#   make check      install missing packages, build everything, run all tests, print a summary
#   make check-quick  the inner-loop subset of the suites (a few minutes): QUICK_SUITES
#   make demo       install missing packages, run the end-to-end example
#   make V=1 ...    show every command (quiet by default)
#   make bench      benchmarks (slow; writes bench/results.md)
#   make fuzz       long fuzzing runs
# Components add themselves through mk/*.mk fragments (one per component).

BUILD ?= build
SAN ?= 1
# Commands are not echoed unless V=1; tools and tests print what they do themselves.
V ?= 0
Q := $(if $(filter 1,$(V)),,@)
CONFORMANCE_DIR ?= ../shared/conformance

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
ARM_CC ?= arm-none-eabi-gcc
RV_CC ?= riscv64-unknown-elf-gcc
ARM_SIZE ?= arm-none-eabi-size
RV_SIZE ?= riscv64-unknown-elf-size
BPF_CLANG ?= clang

WARN := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes \
        -Wmissing-prototypes -Werror
SAN_LIST := address,undefined
HOST_SAN_FLAGS := $(if $(filter 1,$(SAN)),-fsanitize=$(SAN_LIST) -fno-sanitize-recover=all -fno-omit-frame-pointer)
# The host library renders verifier messages in full (include/mcubpf/config.h: MBPF_WITH_DISASM).
HOST_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -O2 -g $(WARN) -Iinclude -I. $(HOST_SAN_FLAGS) -MMD -MP \
               -DMBPF_INTERP_CHECK_FACTS -DMBPF_WITH_DISASM=1
HOST_LDFLAGS := $(HOST_SAN_FLAGS)
HOST_LIBS := -lelf -lcapstone -lm

# Device-side code: freestanding C99, no libc beyond memcpy/memset.
# -fno-tree-loop-distribute-patterns: keep plain loops from becoming calls to the (byte-wise,
# size-optimised) library memset/memcpy.
DEVICE_FLAGS := -std=c99 $(WARN) -Iinclude -I. -DMBPF_WITH_FULL_VERIFIER=1 -ffreestanding -fno-common -ffunction-sections \
                -fdata-sections -fno-tree-loop-distribute-patterns -Os -MMD -MP
ARM_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft --specs=picolibc.specs
RV_ARCH := -march=rv32imc -mabi=ilp32 --specs=picolibc.specs
ARM_CFLAGS := $(DEVICE_FLAGS) $(ARM_ARCH)
RV_CFLAGS := $(DEVICE_FLAGS) $(RV_ARCH)

# Filled by the fragments.
CORE_SRCS :=        # freestanding sources (host library and device firmware)
HOST_SRCS :=        # host-only library sources (ELF loader, image writer, ...)
TOOLS :=            # host programs in $(BUILD)/bin; NAME_SRCS lists each one's own sources
UNIT_TEST_SRCS :=   # Criterion test files, linked into one binary
SUITES :=           # test suites `make check` runs; each has a rule suite-NAME
DEMO_STEPS :=       # targets `make demo` runs in order
BENCH_STEPS :=
FUZZ_STEPS :=

# The suites `make check-quick` runs: everything on the host plus the new-user scenarios on the
# boards; the long differential, random, escape, tenant, firmware, benchmark and fuzz suites are
# left to `make check`.
QUICK_SUITES := unit cross bad-input vectors conformance verifier-cases scenarios

.PHONY: all check check-quick demo bench fuzz deps clean cross suites
all: tools

DEPS_STAMP := $(BUILD)/.deps-installed
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps
	@scripts/deps
	@mkdir -p $(BUILD) && touch $@

# Paths fragments may name in their prerequisites (defined before the fragments are read).
LIBMCUBPF := $(BUILD)/host/libmcubpf.a
HOST_OBJ = $(patsubst %.c,$(BUILD)/host/%.o,$(1))
ARM_OBJ = $(patsubst %.c,$(BUILD)/arm/%.o,$(1))
RV_OBJ = $(patsubst %.c,$(BUILD)/rv32/%.o,$(1))
UNIT_TESTS := $(BUILD)/bin/unit-tests

include $(sort $(wildcard mk/*.mk))


$(LIBMCUBPF): $(call HOST_OBJ,$(CORE_SRCS) $(HOST_SRCS))
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@
$(BUILD)/arm/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@
$(BUILD)/rv32/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_CFLAGS) -c $< -o $@

define tool_rule
$(BUILD)/bin/$(1): $(call HOST_OBJ,$($(1)_SRCS)) $(LIBMCUBPF)
	@mkdir -p $$(dir $$@)
	$(Q)$$(CC) $$(HOST_LDFLAGS) -o $$@ $$^ $$(HOST_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))
tools: $(addprefix $(BUILD)/bin/,$(TOOLS))

$(UNIT_TESTS): $(call HOST_OBJ,$(UNIT_TEST_SRCS)) $(LIBMCUBPF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS) -lcriterion

# Every device-side object must build freestanding for both targets.
cross: $(call ARM_OBJ,$(CORE_SRCS)) $(call RV_OBJ,$(CORE_SRCS))

# `make check`: every suite runs (make -k), then the summary decides.
check: deps
	@rm -rf $(BUILD)/results
	@$(MAKE) --no-print-directory -k suites; true
	@scripts/test-summary $(BUILD)/results $(SUITES)
suites: $(addprefix suite-,$(SUITES))
check-quick: deps
	@rm -rf $(BUILD)/results
	@$(MAKE) --no-print-directory -k $(addprefix suite-,$(QUICK_SUITES)); true
	@scripts/test-summary $(BUILD)/results $(QUICK_SUITES)

demo: deps
	@$(MAKE) --no-print-directory $(DEMO_STEPS)
bench: deps
	@$(MAKE) --no-print-directory $(BENCH_STEPS)
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ_STEPS)

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
