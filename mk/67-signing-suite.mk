# Signed updates on both emulated boards (tests/signing): a firmware that registers a key and
# requires signatures loads signed, tampered, unsigned, wrong-key, other-hook and rolled-back
# containers and AOT images through the runtime API.
SIGN_DIR := $(BUILD)/signing
SIGN_FW_THUMB2 := $(SIGN_DIR)/firmware-thumb2.elf
SIGN_FW_RV32 := $(SIGN_DIR)/firmware-rv32imc.elf

$(SIGN_DIR)/prog.o: tests/signing/prog.c
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -c $< -o $@

# Keys, then per board the files tests/signing/run names (tests/signing/make-files).
$(SIGN_DIR)/files.stamp: $(SIGN_DIR)/prog.o tests/signing/make-files $(BUILD)/bin/bpfkey \
		$(BUILD)/bin/bpfpack $(BUILD)/bin/bpf2thumb $(BUILD)/bin/bpf2rv32
	$(Q)tests/signing/make-files $(BUILD)/bin $(SIGN_DIR)/prog.o $(SIGN_DIR)
	@touch $@

$(SIGN_FW_THUMB2): tests/signing/firmware.c platform/mps2-an386/board.c $(call ARM_OBJ,$(CORE_SRCS)) $(ARM_ED25519_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
		-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o %.a,$^) -o $@
$(SIGN_FW_RV32): tests/signing/firmware.c platform/virt/board.c $(call RV_OBJ,$(CORE_SRCS)) $(RV_ED25519_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
		-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o %.a,$^) -o $@

signing: $(SIGN_FW_THUMB2) $(SIGN_FW_RV32) $(SIGN_DIR)/files.stamp
.PHONY: signing suite-signing
SUITES += signing
suite-signing: signing
	@scripts/run-suite $(BUILD)/results signing tests/signing/run $(SIGN_DIR) $(SIGN_DIR) \
		$(BUILD)/bin $(SIGN_DIR)/prog.o
