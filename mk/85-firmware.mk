# Example firmware (examples/firmware): a cooperative scheduler probed by one tenant's eBPF
# program (hot-swapped at run time) and a packet filter of a second tenant, on the Cortex-M4 in
# QEMU (mps2-an386). Three links of the same firmware:
#   firmware.elf         runtime with the Thumb-2 JIT (engines interp, jit, aot)
#   firmware-interp.elf  interpreter-only runtime (MBPF_RT_WITH_JIT=0, no translator linked)
#   firmware-native.elf  no runtime: the hooks in native C (-DNO_RUNTIME), reference and baseline
FW_DIR := $(BUILD)/firmware
FW_SRC := examples/firmware
FW_PROGS := sched_count sched_policy packet_filter filter_log filter_oob
FW_ELF := $(FW_DIR)/firmware.elf
FW_ELF_INTERP := $(FW_DIR)/firmware-interp.elf
FW_ELF_NATIVE := $(FW_DIR)/firmware-native.elf
FW_FILES := $(foreach p,$(FW_PROGS),$(FW_DIR)/$(p).mbc $(FW_DIR)/$(p).thumb2.bin)

# eBPF programs: containers for the device to verify (and translate), AOT images for engine=aot.
# The tools' one-line summaries go to a .log next to each output (shown when they fail).
$(FW_DIR)/progs/%.o: $(FW_SRC)/%.c $(FW_SRC)/fw_abi.h include/mcubpf/bpf_helpers.h include/mcubpf/helpers.h
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -Iinclude -I. -c $< -o $@
$(FW_DIR)/%.mbc: $(FW_DIR)/progs/%.o $(BUILD)/bin/bpfpack
	$(Q)$(BUILD)/bin/bpfpack $< -o $@ >$@.log 2>&1 || { cat $@.log; exit 1; }
$(FW_DIR)/%.thumb2.bin: $(FW_DIR)/progs/%.o $(BUILD)/bin/bpf2thumb
	$(Q)$(BUILD)/bin/bpf2thumb $< -o $@ >$@.log 2>&1 || { cat $@.log; exit 1; }
.PRECIOUS: $(FW_DIR)/progs/%.o

# Firmware objects, one directory per variant: $(FW_DIR)/{jit,interp,native}/. Application code
# builds like the runner (RUNNER_CFLAGS); the interpreter-only variant also rebuilds the runtime's
# own files (rt*.c) with MBPF_RT_WITH_JIT=0 and the device flags of every CORE object.
FW_CFLAGS := $(ARM_ARCH) $(RUNNER_CFLAGS) -MMD -MP
FW_DEFS_jit :=
FW_DEFS_interp := -DMBPF_RT_WITH_JIT=0
FW_DEFS_native := -DNO_RUNTIME
FW_APP_SRCS := $(FW_SRC)/firmware.c $(FW_SRC)/sched.c platform/mps2-an386/board.c
FW_RT_SRCS := $(filter runtime/rt%.c,$(CORE_SRCS))
define fw_variant_rules
$(FW_DIR)/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(Q)$$(ARM_CC) $$(FW_CFLAGS) $$(FW_DEFS_$(1)) -c $$< -o $$@
$(FW_DIR)/$(1)/runtime/%.o: runtime/%.c
	@mkdir -p $$(dir $$@)
	$(Q)$$(ARM_CC) $$(ARM_CFLAGS) $$(FW_DEFS_$(1)) -c $$< -o $$@
endef
$(foreach v,jit interp native,$(eval $(call fw_variant_rules,$(v))))
fw_objs = $(patsubst %.c,$(FW_DIR)/$(1)/%.o,$(2))

# Linked like the runner (mk/60-platform.mk, same memory map), with integer-only printf, an
# 8 KiB C stack and a map file for the footprint report. CORE objects not referenced are dropped
# by --gc-sections (they are built with -ffunction-sections -fdata-sections).
FW_LINK = $(ARM_CC) $(ARM_ARCH) $(PICOLIBC_LINK) -DPICOLIBC_INTEGER_PRINTF_SCANF \
	-Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
	-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 \
	-Wl,--defsym=__stack_size=0x2000 -Wl,-Map=$(basename $@).map $^ -o $@

$(FW_ELF): $(call fw_objs,jit,$(FW_APP_SRCS)) $(call ARM_OBJ,$(CORE_SRCS))
	$(Q)$(FW_LINK)
$(FW_ELF_INTERP): $(call fw_objs,interp,$(FW_APP_SRCS) $(FW_RT_SRCS)) \
		$(call ARM_OBJ,$(filter-out $(FW_RT_SRCS),$(CORE_SRCS)))
	$(Q)$(FW_LINK)
$(FW_ELF_NATIVE): $(call fw_objs,native,$(FW_APP_SRCS) $(FW_SRC)/native.c)
	$(Q)$(FW_LINK)

.PHONY: firmware demo-firmware footprint suite-firmware
firmware: $(FW_ELF) $(FW_ELF_INTERP) $(FW_ELF_NATIVE) $(FW_FILES)

DEMO_STEPS += demo-firmware
demo-firmware: firmware
	@$(FW_SRC)/run.sh $(BUILD)

footprint: firmware
	@$(FW_SRC)/footprint.sh $(BUILD)

SUITES += firmware
suite-firmware: firmware
	@scripts/run-suite $(BUILD)/results firmware $(FW_SRC)/check.sh $(BUILD)
