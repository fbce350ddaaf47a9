# libFuzzer targets (clang, ASan + UBSan): loader, verifier + interpreter + both translators,
# image parser, container parser. `make fuzz` runs each for FUZZ_SECONDS; `make check` runs each
# briefly.
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_FLAGS := -std=c99 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all -Iinclude -I. -DMBPF_INTERP_CHECK_FACTS
FUZZ_SRCS := $(CORE_SRCS) aot/loader.c tests/diff/randprog.c tests/fuzz/ptrprog.c
FUZZ_TARGETS := $(addprefix $(FUZZ_DIR)/fuzz_,loader bytecode image container facts cert emu)
# fuzz_emu, the in-process differential target, has its own rule (mk/96-unicorn.mk)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_SRCS) -o $@ -lelf

# Seed corpora from the test vectors: objects, their raw code, AOT images and containers of them.
fuzz-seeds: vectors $(BUILD)/bin/bpf2thumb $(BUILD)/bin/bpf2rv32 $(BUILD)/bin/bpfpack $(SCENARIO_OBJS)
	@mkdir -p $(FUZZ_DIR)/seeds-loader $(FUZZ_DIR)/seeds-bytecode $(FUZZ_DIR)/seeds-image \
		$(FUZZ_DIR)/seeds-container $(FUZZ_DIR)/seeds-facts $(FUZZ_DIR)/seeds-cert
	@for s in 1 2 3 4 5 6 7 8; do printf "\\$$(printf %o $$s)\\000\\000\\000" > $(FUZZ_DIR)/seeds-facts/seed$$s; done
	@for s in 1 2 3 4 5 6 7 8; do printf "\\$$(printf %o $$s)\\000\\000\\000\\010" > $(FUZZ_DIR)/seeds-cert/seed$$s; done
	@mkdir -p $(FUZZ_DIR)/seeds-emu
	@for g in 0 1 2 3 4 5 6 7; do for s in 1 2 3 4; do \
		printf "\\$$(printf %o $$g)\\$$(printf %o $$s)\\000\\000\\000" > $(FUZZ_DIR)/seeds-emu/g$$g-s$$s; done; done
	@cp $(SCENARIO_OBJS) $(FUZZ_DIR)/seeds-loader/ # objects with BTF line info (-g)
	@for v in $(VECTOR_NAMES); do \
		cp $(BUILD)/test-vectors/v3/$$v.o $(FUZZ_DIR)/seeds-loader/$$v.o; \
		llvm-objcopy --dump-section $$v=$(FUZZ_DIR)/seeds-bytecode/$$v.bin \
			$(BUILD)/test-vectors/v3/$$v.o /dev/null 2>/dev/null || true; \
		$(BUILD)/bin/bpf2thumb $(BUILD)/test-vectors/v3/$$v.o -o $(FUZZ_DIR)/seeds-image/$$v.t2 2>/dev/null; \
		$(BUILD)/bin/bpf2rv32 $(BUILD)/test-vectors/v3/$$v.o -o $(FUZZ_DIR)/seeds-image/$$v.rv 2>/dev/null; \
		$(BUILD)/bin/bpfpack $(BUILD)/test-vectors/v3/$$v.o -o $(FUZZ_DIR)/seeds-container/$$v.mbc 2>/dev/null; \
	done

FUZZ_STEPS += fuzz-run
fuzz-run: $(FUZZ_TARGETS) fuzz-seeds
	$(Q)tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

SUITES += fuzz-smoke
suite-fuzz-smoke: $(FUZZ_TARGETS) fuzz-seeds
	@scripts/run-suite $(BUILD)/results fuzz-smoke tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SMOKE_SECONDS)
