# Host loader, bpfrun, conformance helpers.
CORE_SRCS += runtime/test_helpers.c
HOST_SRCS += aot/loader.c aot/target_run.c
TOOLS += bpfrun
bpfrun_SRCS := aot/bpfrun.c

# Hostile inputs to bpfrun: each refused with one clear line (exit 2), never a sanitizer report.
$(BUILD)/bad-input/maps.o: tests/bad-input/maps.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -O2 -target bpf -c $< -o $@

SUITES += bad-input
suite-bad-input: $(BUILD)/bin/bpfrun $(BUILD)/bad-input/maps.o $(BUILD)/test-vectors/v3/helpers.o
	@scripts/run-suite $(BUILD)/results bad-input tests/bad-input/run $(BUILD)/bin/bpfrun \
		$(BUILD)/test-vectors/v3/helpers.o $(BUILD)/bad-input/maps.o $(BUILD)/bad-input/work
