# Test vectors (clang -target bpf at three CPU levels, plus the native oracle) and the suites that
# run them and the public conformance suites through bpfrun.
VECTOR_NAMES := $(basename $(notdir $(wildcard test-vectors/*.c)))
VECTOR_CPUS := v1 v2 v3
VECTOR_OBJS := $(foreach c,$(VECTOR_CPUS),$(patsubst %,$(BUILD)/test-vectors/$(c)/%.o,$(VECTOR_NAMES)))
BPF_CFLAGS := -O2 -target bpf -ffreestanding -Wall -Werror -I.

define vector_rule
$(BUILD)/test-vectors/$(1)/%.o: test-vectors/%.c test-vectors/vector.h
	@mkdir -p $$(dir $$@)
	$(Q)$$(BPF_CLANG) $$(BPF_CFLAGS) -mcpu=$(1) -c $$< -o $$@
endef
$(foreach c,$(VECTOR_CPUS),$(eval $(call vector_rule,$(c))))
# The loader unit tests read the vector objects.
$(call HOST_OBJ,tests/unit/test_loader.c): $(VECTOR_OBJS)

$(BUILD)/test-vectors/input.bin: test-vectors/gen-input.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< $@

TOOLS += vectors-native
vectors-native_SRCS := tests/vectors/native_main.c $(wildcard test-vectors/*.c)

vectors: $(VECTOR_OBJS) $(BUILD)/test-vectors/input.bin $(BUILD)/bin/vectors-native $(BUILD)/bin/bpfrun

SUITES += vectors conformance
suite-vectors: vectors
	@scripts/run-suite $(BUILD)/results vectors tests/vectors/run $(BUILD) --conformance-helpers

suite-conformance: $(BUILD)/bin/bpfrun
	@scripts/run-suite $(BUILD)/results conformance tests/conformance/run $(BUILD)/bin/bpfrun \
		$(CONFORMANCE_DIR) $(BUILD)/conformance
