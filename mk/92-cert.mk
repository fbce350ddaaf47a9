# Verifier certificates on both emulated boards: bpfpack writes a container with its certificate
# for every test vector (v3) and bench kernel; the firmware (tests/cert/firmware.c) verifies each
# with the full verifier and checks it through the certificate, compares the facts, measures both
# and alters every byte of each certificate.
CERT_DIR := $(BUILD)/cert
CERT_FW_THUMB2 := $(CERT_DIR)/firmware-thumb2.elf
CERT_FW_RV32 := $(CERT_DIR)/firmware-rv32imc.elf
CERT_VECTORS := $(patsubst %,$(CERT_DIR)/progs/vec_%.mbc,$(VECTOR_NAMES))
CERT_KERNELS := $(patsubst %,$(CERT_DIR)/progs/bench_%.mbc,$(BENCH_KERNELS))

$(CERT_DIR)/progs/vec_%.mbc: $(BUILD)/test-vectors/v3/%.o $(BUILD)/bin/bpfpack
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/bin/bpfpack $< -o $@ 2>/dev/null
$(CERT_DIR)/progs/bench_%.mbc: $(BUILD)/bench/bpf/%.o $(BUILD)/bin/bpfpack
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/bin/bpfpack $< -o $@ 2>/dev/null
$(CERT_DIR)/progs/list: $(CERT_VECTORS) $(CERT_KERNELS)
	$(Q)for f in $(notdir $(basename $^)); do echo $$f; done >$@

$(CERT_FW_THUMB2): tests/cert/firmware.c platform/mps2-an386/board.c $(call ARM_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
		-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o,$^) -o $@
$(CERT_FW_RV32): tests/cert/firmware.c platform/virt/board.c $(call RV_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
		-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o,$^) -o $@

cert: $(CERT_FW_THUMB2) $(CERT_FW_RV32) $(CERT_DIR)/progs/list
SUITES += cert
suite-cert: cert
	@scripts/run-suite $(BUILD)/results cert tests/cert/run $(CERT_DIR)
bench-build: $(CERT_FW_THUMB2)
