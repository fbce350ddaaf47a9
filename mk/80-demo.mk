# `make demo`: the end-to-end example.
$(BUILD)/demo/filter.o: examples/hello/filter.c
	@mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) -O2 -target bpf -mcpu=v3 -ffreestanding -c $< -o $@
$(BUILD)/demo/frame.bin: examples/hello/make-frame.py
	@mkdir -p $(dir $@)
	$(Q)python3 $< $@

DEMO_STEPS += demo-host
demo-host: $(BUILD)/bin/bpfrun $(BUILD)/bin/bpf2thumb runners $(BUILD)/demo/filter.o $(BUILD)/demo/frame.bin
	@examples/hello/demo.sh $(BUILD)
