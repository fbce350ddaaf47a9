# Example firmware (examples/firmware): a cooperative scheduler probed by one tenant's eBPF
# program (hot-swapped at run time) and a packet filter of a second tenant, on the Cortex-M4 in
# QEMU (mps2-an386) and on RV32IMC (QEMU virt). Five links of the same firmware per board, one per
# configuration an embedder would choose (include/mcubpf/config.h), the M4's in $(FW_DIR), the
# RV32's in $(FW_DIR)/rv32:
#   firmware.elf         the default options: checker, JIT, interpreter, AOT (engines interp, jit, aot)
#   firmware-interp.elf  interpreter and device checker (MBPF_RT_WITH_JIT=0, no translator linked;
#                        MBPF_WITH_FAST_INTERP=0, the interpreter compiled for size)
#   firmware-jit.elf     JIT and device checker (MBPF_WITH_INTERP=0 MBPF_WITH_AOT=0)
#   firmware-aot.elf     AOT images only (MBPF_WITH_BYTECODE=0: no checker, translator, interpreter)
#   firmware-native.elf  no runtime: the hooks in native C (-DNO_RUNTIME), reference and baseline
# Every variant checks containers as a device does by default (include/mcubpf/config.h): with
# the one-pass certificate checker alone, MBPF_WITH_FULL_VERIFIER=0 (bpfpack adds the
# certificates), so the links carry no fixpoint verifier. The runner and the other suites keep
# the full verifier (DEVICE_FLAGS).
FW_DIR := $(BUILD)/firmware
FW_SRC := examples/firmware
FW_PROGS := sched_count sched_policy packet_filter filter_log filter_oob
FW_ELF := $(FW_DIR)/firmware.elf
FW_ELF_INTERP := $(FW_DIR)/firmware-interp.elf
FW_ELF_NATIVE := $(FW_DIR)/firmware-native.elf
FW_ELF_AOT := $(FW_DIR)/firmware-aot.elf
FW_ELF_JIT_ONLY := $(FW_DIR)/firmware-jit.elf
FW_FILES := $(foreach p,$(FW_PROGS),$(FW_DIR)/$(p).mbc $(FW_DIR)/$(p).thumb2.bin $(FW_DIR)/$(p).rv32.bin)

# eBPF programs: containers for the device to verify (and translate), AOT images for engine=aot.
# The tools' one-line summaries go to a .log next to each output (shown when they fail).
$(FW_DIR)/progs/%.o: $(FW_SRC)/%.c $(FW_SRC)/fw_abi.h include/mcubpf/bpf_helpers.h include/mcubpf/helpers.h
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -Iinclude -I. -c $< -o $@
$(FW_DIR)/%.mbc: $(FW_DIR)/progs/%.o $(BUILD)/bin/bpfpack
	$(Q)$(BUILD)/bin/bpfpack $< -o $@ >$@.log 2>&1 || { cat $@.log; exit 1; }
$(FW_DIR)/%.thumb2.bin: $(FW_DIR)/progs/%.o $(BUILD)/bin/bpf2thumb
	$(Q)$(BUILD)/bin/bpf2thumb $< -o $@ >$@.log 2>&1 || { cat $@.log; exit 1; }
$(FW_DIR)/%.rv32.bin: $(FW_DIR)/progs/%.o $(BUILD)/bin/bpf2rv32
	$(Q)$(BUILD)/bin/bpf2rv32 $< -o $@ >$@.log 2>&1 || { cat $@.log; exit 1; }
.PRECIOUS: $(FW_DIR)/progs/%.o

# Each board: its object directory, compiler, arch flags, device objects, board counter and memory
# map (the runner's, mk/60-platform.mk). m4 builds in $(FW_DIR), rv32 in $(FW_DIR)/rv32.
FW_BOARDS := m4 rv32
FW_OUT_m4 := $(FW_DIR)
FW_OUT_rv32 := $(FW_DIR)/rv32
FW_CC_m4 := $(ARM_CC)
FW_CC_rv32 := $(RV_CC)
FW_ARCH_m4 := $(ARM_ARCH)
FW_ARCH_rv32 := $(RV_ARCH)
FW_DEVFLAGS_m4 := $(filter-out -DMBPF_WITH_FULL_VERIFIER=1,$(ARM_CFLAGS))
FW_DEVFLAGS_rv32 := $(filter-out -DMBPF_WITH_FULL_VERIFIER=1,$(RV_CFLAGS))
FW_DEVOBJ_m4 = $(call ARM_OBJ,$(1))
FW_DEVOBJ_rv32 = $(call RV_OBJ,$(1))
FW_BOARD_m4 := platform/mps2-an386/board.c
FW_BOARD_rv32 := platform/virt/board.c
FW_MEM_m4 := -Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
	-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000
FW_MEM_rv32 := -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
	-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000

# Firmware objects, one directory per board and variant: $(FW_OUT_b)/{jit,interp,jitonly,aot,native}/.
# Application code builds like the runner (RUNNER_CFLAGS); every runtime variant also rebuilds
# the runtime's own files (rt*.c and device_profile.c, which choose the checker; image.c and
# sign.c, whose messages MBPF_WITH_MESSAGES shapes; the
# interpreter-only one also the interpreter's) with its options and the device flags of every
# CORE object without the full verifier. The other CORE objects are shared: what a
# configuration does not reference, --gc-sections drops.
FW_VARIANTS := jit interp jitonly aot native
FW_DEFS_jit :=
# the interpreter-only build is the small one: its interpreter is compiled for size too
FW_DEFS_interp := -DMBPF_RT_WITH_JIT=0 -DMBPF_WITH_FAST_INTERP=0
FW_DEFS_jitonly := -DMBPF_WITH_INTERP=0 -DMBPF_WITH_AOT=0
FW_DEFS_aot := -DMBPF_WITH_BYTECODE=0
FW_DEFS_native := -DNO_RUNTIME
FW_APP_SRCS = $(FW_SRC)/firmware.c $(FW_SRC)/sched.c $(FW_BOARD_$(1))
FW_RT_SRCS := $(filter runtime/rt%.c,$(CORE_SRCS)) runtime/device_profile.c runtime/image.c \
	runtime/sign.c
FW_INTERP_SRCS := $(FW_RT_SRCS) runtime/interp.c runtime/interp_decode.c
define fw_variant_rules
$(FW_OUT_$(1))/$(2)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(Q)$$(FW_CC_$(1)) $$(FW_ARCH_$(1)) $$(RUNNER_CFLAGS) -MMD -MP $$(FW_DEFS_$(2)) -c $$< -o $$@
$(FW_OUT_$(1))/$(2)/runtime/%.o: runtime/%.c
	@mkdir -p $$(dir $$@)
	$(Q)$$(FW_CC_$(1)) $$(FW_DEVFLAGS_$(1)) $$(FW_DEFS_$(2)) -c $$< -o $$@
endef
fw_objs = $(patsubst %.c,$(FW_OUT_$(1))/$(2)/%.o,$(3))

# Linked like the runner (mk/60-platform.mk, same memory map), with integer-only printf, an
# 8 KiB C stack and a map file for the footprint report. CORE objects not referenced are dropped
# by --gc-sections (they are built with -ffunction-sections -fdata-sections).
fw_link = $(FW_CC_$(1)) $(FW_ARCH_$(1)) $(PICOLIBC_LINK) -DPICOLIBC_INTEGER_PRINTF_SCANF \
	$(FW_MEM_$(1)) -Wl,--defsym=__stack_size=0x2000 -Wl,-Map=$(basename $@).map $^ -o $@

define fw_board_rules
$(FW_OUT_$(1))/firmware.elf: $(call fw_objs,$(1),jit,$(call FW_APP_SRCS,$(1)) $(FW_RT_SRCS)) \
		$(call FW_DEVOBJ_$(1),$(filter-out $(FW_RT_SRCS),$(CORE_SRCS)))
	$(Q)$$(call fw_link,$(1))
$(FW_OUT_$(1))/firmware-interp.elf: $(call fw_objs,$(1),interp,$(call FW_APP_SRCS,$(1)) $(FW_INTERP_SRCS)) \
		$(call FW_DEVOBJ_$(1),$(filter-out $(FW_INTERP_SRCS),$(CORE_SRCS)))
	$(Q)$$(call fw_link,$(1))
$(FW_OUT_$(1))/firmware-jit.elf: $(call fw_objs,$(1),jitonly,$(call FW_APP_SRCS,$(1)) $(FW_RT_SRCS)) \
		$(call FW_DEVOBJ_$(1),$(filter-out $(FW_RT_SRCS),$(CORE_SRCS)))
	$(Q)$$(call fw_link,$(1))
$(FW_OUT_$(1))/firmware-aot.elf: $(call fw_objs,$(1),aot,$(call FW_APP_SRCS,$(1)) $(FW_RT_SRCS)) \
		$(call FW_DEVOBJ_$(1),$(filter-out $(FW_RT_SRCS),$(CORE_SRCS)))
	$(Q)$$(call fw_link,$(1))
$(FW_OUT_$(1))/firmware-native.elf: $(call fw_objs,$(1),native,$(call FW_APP_SRCS,$(1)) $(FW_SRC)/native.c)
	$(Q)$$(call fw_link,$(1))
endef
$(foreach b,$(FW_BOARDS),$(eval $(call fw_board_rules,$(b))) \
	$(foreach v,$(FW_VARIANTS),$(eval $(call fw_variant_rules,$(b),$(v)))))
FW_ELFS := $(foreach b,$(FW_BOARDS),$(foreach e,firmware firmware-interp firmware-jit firmware-aot firmware-native,$(FW_OUT_$(b))/$(e).elf))

.PHONY: firmware demo-firmware footprint suite-firmware
firmware: $(FW_ELFS) $(FW_FILES)

DEMO_STEPS += demo-firmware
demo-firmware: firmware
	@$(FW_SRC)/run.sh $(BUILD)

footprint: firmware
	@$(FW_SRC)/footprint.sh $(BUILD)

SUITES += firmware
suite-firmware: firmware
	@scripts/run-suite $(BUILD)/results firmware $(FW_SRC)/check.sh $(BUILD)
