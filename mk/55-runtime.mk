# The on-device runtime API (include/mcubpf/runtime.h): loading, code cache, tenants, helpers.
CORE_SRCS += runtime/rt.c runtime/rt_cache.c runtime/rt_helpers.c
UNIT_TEST_SRCS += tests/unit/test_runtime.c tests/unit/test_messages.c
