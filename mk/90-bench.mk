# Benchmarks: the kernels of bench/kernels as eBPF (clang) and natively (gcc -O2 and -Os) on both
# boards. `make bench` writes bench/results.md and plots; `make check` runs one kernel as a smoke
# test so the harness cannot rot.
BENCH_KERNELS := $(basename $(notdir $(wildcard bench/kernels/*.c)))
BENCH_BPF := $(patsubst %,$(BUILD)/bench/bpf/%.o,$(BENCH_KERNELS))
BENCH_INPUT := $(BUILD)/bench/input.bin
BENCH_NATIVE := $(foreach t,thumb2 rv32imc,$(foreach o,O2 Os,$(BUILD)/bench/native-$(t)-$(o).elf))

$(BUILD)/bench/bpf/%.o: bench/kernels/%.c bench/kernels/kernel.h
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Wall -Werror -I. -c $< -o $@

$(BENCH_INPUT): bench/gen-input.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< $@

BENCH_ARM_LINK := $(ARM_ARCH) $(PICOLIBC_LINK) -Wl,--defsym=__flash=0x0 -Wl,--defsym=__flash_size=0x400000 \
	-Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000
BENCH_RV_LINK := $(RV_ARCH) $(PICOLIBC_LINK) -Wl,--defsym=__flash=0x80000000 -Wl,--defsym=__flash_size=0x200000 \
	-Wl,--defsym=__ram=0x80200000 -Wl,--defsym=__ram_size=0x400000

define bench_native
$(BUILD)/bench/native-$(1)-$(2).elf: bench/native_main.c $(wildcard bench/kernels/*.c) bench/kernels/list.h $(3)
	@mkdir -p $$(dir $$@)/obj-$(1)-$(2)
	$(Q)for k in $(BENCH_KERNELS); do \
		$(4) $(5) -$(2) -std=c99 $(WARN) -I. -ffreestanding -fno-inline-functions-called-once \
			-c bench/kernels/$$$$k.c -o $$(dir $$@)/obj-$(1)-$(2)/$$$$k.o || exit 1; done
	$(Q)$(4) $(6) -Os -std=c99 $(WARN) -Iinclude -I. bench/native_main.c $(3) \
		$$(dir $$@)/obj-$(1)-$(2)/*.o -o $$@
endef
$(eval $(call bench_native,thumb2,O2,platform/mps2-an386/board.c,$(ARM_CC),$(ARM_ARCH),$(BENCH_ARM_LINK)))
$(eval $(call bench_native,thumb2,Os,platform/mps2-an386/board.c,$(ARM_CC),$(ARM_ARCH),$(BENCH_ARM_LINK)))
$(eval $(call bench_native,rv32imc,O2,platform/virt/board.c,$(RV_CC),$(RV_ARCH),$(BENCH_RV_LINK)))
$(eval $(call bench_native,rv32imc,Os,platform/virt/board.c,$(RV_CC),$(RV_ARCH),$(BENCH_RV_LINK)))

bench-build: $(BENCH_BPF) $(BENCH_INPUT) $(BENCH_NATIVE) runners tools cross vectors

BENCH_STEPS += bench-run
bench-run: bench-build
	$(Q)python3 bench/run.py $(BUILD) bench

SUITES += bench-smoke
suite-bench-smoke: bench-build
	@scripts/run-suite $(BUILD)/results bench-smoke python3 bench/run.py $(BUILD) --smoke fletcher32
