# Verifier and disassembler (freestanding).
CORE_SRCS += verifier/disasm.c verifier/preflight.c verifier/cfg.c verifier/provenance.c verifier/verify.c
