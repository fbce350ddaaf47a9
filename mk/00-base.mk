# Base suites: unit tests (Criterion, ASan+UBSan) and freestanding cross builds of all device code.
SUITES += unit cross

suite-unit: $(UNIT_TESTS)
	@scripts/run-suite $(BUILD)/results unit $(UNIT_TESTS) --jobs 2

suite-cross: cross
	@scripts/run-suite $(BUILD)/results cross scripts/cross-sizes $(BUILD) $(CORE_SRCS)
