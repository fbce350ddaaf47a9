# `make demo`: the end-to-end example. The compile line the demo prints is the one used here.
DEMO_COMPILE = $(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -Iinclude -c examples/hello/filter.c -o $(BUILD)/demo/filter.o
$(BUILD)/demo/filter.o: examples/hello/filter.c include/mcubpf/bpf_helpers.h
	@mkdir -p $(dir $@)
	$(Q)$(DEMO_COMPILE)
	@echo '$(DEMO_COMPILE)' > $(BUILD)/demo/compile-line
$(BUILD)/demo/frame.bin: examples/hello/make-frame.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< $@

DEMO_STEPS += demo-host
demo-host: $(BUILD)/bin/bpfrun $(BUILD)/bin/bpf2thumb $(BUILD)/bin/bpf2rv32 $(BUILD)/bin/bpfpack runners \
		$(BUILD)/demo/filter.o $(BUILD)/demo/frame.bin
	@examples/hello/demo.sh $(BUILD)
