# Sandbox-escape suite: hostile programs x every engine on every target, with guard-zone checks.
ESCAPE_C := $(basename $(notdir $(wildcard tests/escape/*.c)))
ESCAPE_OBJS := $(patsubst %,$(BUILD)/escape/%.o,$(ESCAPE_C))
$(BUILD)/escape/%.o: tests/escape/%.c
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -c $< -o $@

SUITES += escape
suite-escape: $(ESCAPE_OBJS) runners $(BUILD)/bin/bpfrun
	@scripts/run-suite $(BUILD)/results escape tests/escape/run $(BUILD)
