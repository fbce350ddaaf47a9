# Interpreter and execution model (freestanding).
CORE_SRCS += runtime/exec.c runtime/interp.c runtime/interp_decode.c runtime/interp_facts.c
UNIT_TEST_SRCS += tests/unit/test_interp.c
