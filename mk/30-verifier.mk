# Verifier and disassembler (freestanding).
CORE_SRCS += verifier/disasm.c verifier/preflight.c verifier/cfg.c verifier/absint.c verifier/absint_ops.c verifier/loops.c verifier/verify.c
