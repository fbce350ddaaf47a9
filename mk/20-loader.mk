# Host loader, bpfrun, conformance helpers.
CORE_SRCS += runtime/test_helpers.c
HOST_SRCS += aot/loader.c aot/target_run.c
TOOLS += bpfrun
bpfrun_SRCS := aot/bpfrun.c
