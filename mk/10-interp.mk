# Interpreter and execution model (freestanding).
CORE_SRCS += runtime/exec.c runtime/interp.c
