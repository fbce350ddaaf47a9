# RV32IMC backend on the middle end (freestanding), with objdump-checked encoder tests.
CORE_SRCS += jit/rv32/rv_encode.c jit/rv32/rv_emit.c jit/rv32/rv_loops.c jit/rv32/rv_run.c
UNIT_TEST_SRCS += tests/unit/test_rv_encode.c tests/unit/test_jit_access.c tests/unit/test_rv_loops.c
