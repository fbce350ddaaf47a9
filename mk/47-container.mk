# Bytecode container (device-side parser, host writer) and the bpfpack tool.
CORE_SRCS += runtime/container.c
HOST_SRCS += aot/container_write.c aot/cert_tool.c
TOOLS += bpfpack
bpfpack_SRCS := aot/bpfpack.c
UNIT_TEST_SRCS += tests/unit/test_container.c
