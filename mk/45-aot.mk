# AOT image format (device-side parser, host writer), SHA-256, and the bpf2thumb / bpf2rv32 tools.
CORE_SRCS += runtime/sha256.c runtime/image.c
HOST_SRCS += aot/image_write.c
TOOLS += bpf2thumb bpf2rv32
bpf2thumb_SRCS := aot/bpf2native.c
bpf2rv32_SRCS := aot/bpf2native.c
UNIT_TEST_SRCS += tests/unit/test_image.c
