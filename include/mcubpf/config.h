/* Build options of the device code, all in one place (docs/runtime.md, "Build options"). Each is
 * a macro set to 0 or 1 on the compiler's command line; left undefined it takes the default here,
 * which is the small configuration for the optional pieces. The device library and every file of
 * the embedder that includes mcubpf/runtime.h must be compiled with the same options (the
 * runtime object's layout depends on MBPF_RT_WITH_JIT). examples/firmware builds one firmware per
 * configuration an embedder would choose and `make footprint` measures each. */
#ifndef MCUBPF_CONFIG_H
#define MCUBPF_CONFIG_H

/* Bytecode on the device: containers are parsed and checked at load (the container parser,
 * the device checker), then interpreted or translated. 0: an AOT-only runtime, which loads AOT
 * images alone (no checker, no translator, no interpreter). */
#ifndef MBPF_WITH_BYTECODE
#define MBPF_WITH_BYTECODE 1
#endif

/* The interpreter. 0 with the translator: bytecode only runs translated, so a program whose
 * translation fails (code or work arena too small) does not run: its load fails with
 * MBPF_RT_TRANSLATE_AT_LOAD (and a hot swap then leaves the slot empty), its run faults
 * otherwise. */
#ifndef MBPF_WITH_INTERP
#define MBPF_WITH_INTERP MBPF_WITH_BYTECODE
#endif

/* The translator on the device (JIT), with its code cache. 0: no translator linked. The name
 * predates this file; installed pkg-config files and CMake packages pass it. */
#ifndef MBPF_RT_WITH_JIT
#define MBPF_RT_WITH_JIT MBPF_WITH_BYTECODE
#endif

/* AOT images (the image parser and the native run glue, no translator). By default present
 * where the translator is (the run glue is shared) and in an AOT-only runtime. */
#ifndef MBPF_WITH_AOT
#define MBPF_WITH_AOT (MBPF_RT_WITH_JIT || !MBPF_WITH_BYTECODE)
#endif

/* Verifier messages with the instruction disassembled ("insn 6 (call 7): ..."). 0: the compact
 * form "insn 6 (op 0x85): ...", opcode and pc, which the host tools render in full from the
 * program they hold. The host library builds with 1. */
#ifndef MBPF_WITH_DISASM
#define MBPF_WITH_DISASM 0
#endif

/* Load and trust messages in full ("image: SHA-256 mismatch (corrupted or altered)"). 0: their
 * short codes ("I9"), listed with the text in runtime/messages.h. By default compact in an
 * AOT-only device build, the smallest one, whose images are made and checked on the host. */
#ifndef MBPF_WITH_MESSAGES
#if (defined(__arm__) || defined(__riscv)) && !MBPF_WITH_BYTECODE
#define MBPF_WITH_MESSAGES 0
#else
#define MBPF_WITH_MESSAGES 1
#endif
#endif

/* The key/value helpers among the default helpers (MBPF_HELPER_KV_*). 0: those ids stay
 * unregistered, and programs that call them are refused at load. */
#ifndef MBPF_WITH_KV
#define MBPF_WITH_KV 1
#endif

/* The interpreter built for speed: compiled -O2 whatever the build's optimisation, each handler
 * with its own dispatch jump (GCC), handlers for K forms, proven accesses unchecked. 0: compiled
 * like the rest, dispatched through a switch, K forms run by the X handlers, every access
 * checked: a third smaller, and slower (docs/runtime.md gives the figures). */
#ifndef MBPF_WITH_FAST_INTERP
#define MBPF_WITH_FAST_INTERP 1
#endif

/* How a program without a verifier certificate is checked: 1, by the full verifier linked into
 * the firmware; 0, not at all (the load is refused: "this device needs a certificate"), which
 * leaves the fixpoint verifier out of the firmware. A container with a certificate (bpfpack adds
 * one) is always checked by the one-pass certificate checker. On by default on the host. */
#ifndef MBPF_WITH_FULL_VERIFIER
#if defined(__arm__) || defined(__riscv)
#define MBPF_WITH_FULL_VERIFIER 0
#else
#define MBPF_WITH_FULL_VERIFIER 1
#endif
#endif

#if !MBPF_WITH_BYTECODE && (MBPF_RT_WITH_JIT || MBPF_WITH_INTERP)
#error "MBPF_RT_WITH_JIT and MBPF_WITH_INTERP need MBPF_WITH_BYTECODE: they run checked bytecode"
#endif
#if MBPF_WITH_BYTECODE && !MBPF_RT_WITH_JIT && !MBPF_WITH_INTERP
#error "MBPF_WITH_BYTECODE needs MBPF_WITH_INTERP or MBPF_RT_WITH_JIT: bytecode would not run"
#endif
#if !MBPF_WITH_BYTECODE && !MBPF_WITH_AOT
#error "MBPF_WITH_BYTECODE=0 needs MBPF_WITH_AOT=1: the runtime would load nothing"
#endif

#endif
