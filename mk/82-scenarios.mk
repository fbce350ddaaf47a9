# The three programs of docs/writing-programs.md (examples/scenarios), compiled exactly as the
# guide says, run by bpfrun on the host and on both boards with every engine.
SCENARIOS := threshold coap_filter calibrate
SCENARIO_OBJS := $(patsubst %,$(BUILD)/scenarios/%.o,$(SCENARIOS))
$(BUILD)/scenarios/%.o: examples/scenarios/%.c include/mcubpf/bpf_helpers.h include/mcubpf/helpers.h
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -g -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -Iinclude -c $< -o $@

SUITES += scenarios
suite-scenarios: $(SCENARIO_OBJS) runners $(BUILD)/bin/bpfrun
	@scripts/run-suite $(BUILD)/results scenarios examples/scenarios/check.py $(BUILD)
