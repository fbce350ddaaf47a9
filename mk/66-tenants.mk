# Tenant isolation and code-cache checks through the runtime API, on both emulated boards:
# hostile programs (tests/tenants/progs) as containers (interpreter, JIT) and AOT images.
TENANT_PROGS := $(basename $(notdir $(wildcard tests/tenants/progs/*.c)))
TENANT_DIR := $(BUILD)/tenants
TENANT_FW_THUMB2 := $(TENANT_DIR)/firmware-thumb2.elf
TENANT_FW_RV32 := $(TENANT_DIR)/firmware-rv32imc.elf
TENANT_FILES := $(foreach t,thumb2 rv32imc,$(foreach p,$(TENANT_PROGS),$(TENANT_DIR)/$(t)/$(p).mbc $(TENANT_DIR)/$(t)/$(p).img))

# Device profile options per program: reenter calls the firmware's own test helper 10.
TENANT_PROFILE_reenter := --helpers default,10

$(TENANT_DIR)/progs/%.o: tests/tenants/progs/%.c tests/tenants/progs/probe.h include/mcubpf/bpf_helpers.h
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -Iinclude -I. -c $< -o $@
$(TENANT_DIR)/%.mbc: $(BUILD)/bin/bpfpack
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/bin/bpfpack $(TENANT_DIR)/progs/$(notdir $*).o -o $@ $(TENANT_PROFILE_$(notdir $*)) >/dev/null
$(TENANT_DIR)/thumb2/%.img: $(TENANT_DIR)/progs/%.o $(BUILD)/bin/bpf2thumb
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/bin/bpf2thumb $< -o $@ $(TENANT_PROFILE_$*) >/dev/null
$(TENANT_DIR)/rv32imc/%.img: $(TENANT_DIR)/progs/%.o $(BUILD)/bin/bpf2rv32
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/bin/bpf2rv32 $< -o $@ $(TENANT_PROFILE_$*) >/dev/null
$(foreach t,thumb2 rv32imc,$(foreach p,$(TENANT_PROGS),$(eval $(TENANT_DIR)/$(t)/$(p).mbc: $(TENANT_DIR)/progs/$(p).o)))

$(TENANT_FW_THUMB2): tests/tenants/firmware.c platform/mps2-an386/board.c $(call ARM_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
		-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o,$^) -o $@
$(TENANT_FW_RV32): tests/tenants/firmware.c platform/virt/board.c $(call RV_OBJ,$(CORE_SRCS))
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_ARCH) $(RUNNER_CFLAGS) $(PICOLIBC_LINK) \
		-Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
		-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000 -Wl,--defsym=__stack_size=0x4000 \
		$(filter %.c %.o,$^) -o $@

tenants: $(TENANT_FW_THUMB2) $(TENANT_FW_RV32) $(TENANT_FILES)
SUITES += tenants
suite-tenants: tenants
	@scripts/run-suite $(BUILD)/results tenants tests/tenants/run $(TENANT_DIR)
