# Host loader, bpfrun, conformance helpers.
CORE_SRCS += runtime/test_helpers.c
HOST_SRCS += aot/loader.c aot/target_run.c
TOOLS += bpfrun
bpfrun_SRCS := aot/bpfrun.c

# Hostile inputs to bpfrun: each refused with one clear line (exit 2), never a sanitizer report.
$(BUILD)/bad-input/%.o: tests/bad-input/%.c
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -ffreestanding -c $< -o $@

SUITES += bad-input
BAD_INPUT_REFUSED := $(addprefix $(BUILD)/loader-test/,core.o dataptr.o kfunc.o fnptr.o multi.o) \
                     $(BUILD)/bad-input/text_functions.o
suite-bad-input: $(BUILD)/bin/bpfrun $(BUILD)/bad-input/maps.o $(BUILD)/test-vectors/v3/helpers.o \
		$(BUILD)/test-vectors/v3/globals.o $(BAD_INPUT_REFUSED)
	@scripts/run-suite $(BUILD)/results bad-input tests/bad-input/run $(BUILD)/bin/bpfrun \
		$(BUILD)/test-vectors/v3/helpers.o $(BUILD)/bad-input/maps.o $(BUILD)/bad-input/work \
		$(BUILD)/test-vectors/v3/globals.o $(BAD_INPUT_REFUSED)

# Loader unit tests run on real objects: the test vectors and the fixtures in tests/loader/
# (compiled with -g so the BTF sections, and CO-RE relocations, are present).
LOADER_FIXTURES := $(patsubst tests/loader/%.c,$(BUILD)/loader-test/%.o,$(wildcard tests/loader/*.c))
$(BUILD)/loader-test/%.o: tests/loader/%.c
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -g -target bpf -c $< -o $@
UNIT_TEST_SRCS += tests/unit/test_loader.c
$(call HOST_OBJ,tests/unit/test_loader.c): HOST_CFLAGS += -DLOADER_TEST_BUILD='"$(BUILD)"'
$(call HOST_OBJ,tests/unit/test_loader.c): $(LOADER_FIXTURES) $(BUILD)/bad-input/maps.o
# (and the vector objects: see mk/25-vectors.mk, where they are defined)
