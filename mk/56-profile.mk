# Device profiles (include/mcubpf/profile.h): the load-time check shared by the device and the
# host tools; the tools' profile parser and file-kind detection.
CORE_SRCS += runtime/device_profile.c
HOST_SRCS += aot/profile_args.c aot/tool_args.c aot/file_kind.c aot/file_info.c
UNIT_TEST_SRCS += tests/unit/test_profile.c
