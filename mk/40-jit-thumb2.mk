# Translator core and the Thumb-2 backend (freestanding), with Capstone-checked encoder tests.
CORE_SRCS += jit/core.c jit/mid/mid.c jit/mid/mid_access.c jit/mid/mid_idioms.c jit/mid/mid_loops.c \
             jit/jit_runtime.c jit/thumb2/t2_encode.c jit/thumb2/t2_emit.c jit/thumb2/t2_groups.c \
             jit/thumb2/t2_consts.c jit/thumb2/t2_mulrot.c jit/thumb2/t2_reads.c jit/thumb2/t2_loops.c \
             jit/thumb2/t2_run.c
UNIT_TEST_SRCS += tests/unit/test_t2_encode.c tests/unit/test_mid.c tests/unit/test_t2_idioms.c \
                  tests/unit/test_mid_loops.c tests/unit/test_t2_groups.c \
                  tests/unit/test_t2_reads.c
