# make install PREFIX=... [DESTDIR=...]: headers, host tools (built without sanitizers), the
# runner firmwares bpfrun --target boots, per device target (thumb2, rv32imc) a static library
# with the translator, an interpreter-only one and libsodium's Ed25519 verification, pkg-config
# files and a CMake package with toolchain files (docs/embedding.md).
PREFIX ?= /usr/local
DESTDIR ?=
MCUBPF_VERSION ?= 0.1.0
INSTALL_TOOLS := bpfrun bpfverify bpfpack bpf2thumb bpf2rv32 bpfkey
RELEASE_BUILD := $(BUILD)/release
DEV_LIB_DIR := $(BUILD)/lib
# The device libraries hold the device code without the conformance suites' helpers; the
# interpreter-only one also leaves the translators out and builds the runtime's own files with
# MBPF_RT_WITH_JIT=0.
DEV_SRCS := $(filter-out runtime/test_helpers.c,$(CORE_SRCS))
DEV_RT_SRCS := $(filter runtime/rt%.c,$(CORE_SRCS))
DEV_INTERP_SRCS := $(filter-out jit/% $(DEV_RT_SRCS),$(DEV_SRCS))

$(BUILD)/arm-interp/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_CFLAGS) -DMBPF_RT_WITH_JIT=0 -c $< -o $@
$(BUILD)/rv32-interp/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_CFLAGS) -DMBPF_RT_WITH_JIT=0 -c $< -o $@

$(DEV_LIB_DIR)/thumb2/libmcubpf.a: $(call ARM_OBJ,$(DEV_SRCS))
$(DEV_LIB_DIR)/thumb2/libmcubpf-interp.a: $(call ARM_OBJ,$(DEV_INTERP_SRCS)) \
	$(patsubst %.c,$(BUILD)/arm-interp/%.o,$(DEV_RT_SRCS))
$(DEV_LIB_DIR)/thumb2/libmcubpf-ed25519.a: $(ARM_ED25519_LIB)
$(DEV_LIB_DIR)/rv32imc/libmcubpf.a: $(call RV_OBJ,$(DEV_SRCS))
$(DEV_LIB_DIR)/rv32imc/libmcubpf-interp.a: $(call RV_OBJ,$(DEV_INTERP_SRCS)) \
	$(patsubst %.c,$(BUILD)/rv32-interp/%.o,$(DEV_RT_SRCS))
$(DEV_LIB_DIR)/rv32imc/libmcubpf-ed25519.a: $(RV_ED25519_LIB)
$(DEV_LIB_DIR)/thumb2/%.a:
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(if $(filter %ed25519.a,$@),cp $< $@,$(ARM_CC:gcc=ar) rcs $@ $^)
$(DEV_LIB_DIR)/rv32imc/%.a:
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && $(if $(filter %ed25519.a,$@),cp $< $@,$(RV_CC:gcc=ar) rcs $@ $^)
DEV_LIBS := $(foreach t,thumb2 rv32imc,$(addprefix $(DEV_LIB_DIR)/$(t)/,libmcubpf.a libmcubpf-interp.a libmcubpf-ed25519.a))
device-libs: $(DEV_LIBS)

# Host tools and library without sanitizers, in a build tree of their own.
release-tools:
	@$(MAKE) --no-print-directory BUILD=$(RELEASE_BUILD) SAN=0 SODIUM_DIR=$(abspath $(SODIUM_DIR)) \
		$(addprefix $(RELEASE_BUILD)/bin/,$(INSTALL_TOOLS)) $(RELEASE_BUILD)/host/libmcubpf.a

# pkg-config file NAME DESCRIPTION LIBDIR CFLAGS LIBS (one shell command, ';'-terminated)
install_pc = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(3)|' -e 's|@NAME@|$(1)|' \
	-e 's|@DESCRIPTION@|$(2)|' -e 's|@VERSION@|$(MCUBPF_VERSION)|' -e 's|@CFLAGS@|$(4)|' \
	-e 's|@LIBS@|$(5)|' cmake/mcubpf.pc.in >$(DESTDIR)$(PREFIX)/lib/pkgconfig/$(1).pc || exit 1;
PC_LIBDIR = $${prefix}/lib/mcubpf/$(1)

install: device-libs release-tools runners
	@test -n "$(PREFIX)" || { echo "install: PREFIX is empty"; exit 1; }
	@mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/mcubpf \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/mcubpf \
		$(DESTDIR)$(PREFIX)/share/mcubpf/cmake $(DESTDIR)$(PREFIX)/share/mcubpf/platform
	install -m 0755 $(addprefix $(RELEASE_BUILD)/bin/,$(INSTALL_TOOLS)) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 include/mcubpf/*.h $(DESTDIR)$(PREFIX)/include/mcubpf/
	install -m 0644 $(RELEASE_BUILD)/host/libmcubpf.a $(DESTDIR)$(PREFIX)/lib/
	for t in thumb2 rv32imc; do mkdir -p $(DESTDIR)$(PREFIX)/lib/mcubpf/$$t && \
		install -m 0644 $(DEV_LIB_DIR)/$$t/*.a $(DESTDIR)$(PREFIX)/lib/mcubpf/$$t/ || exit 1; done
	install -m 0644 $(RUNNER_THUMB2) $(RUNNER_RV32) $(DESTDIR)$(PREFIX)/share/mcubpf/platform/
	install -m 0644 cmake/mcubpf-config.cmake $(DESTDIR)$(PREFIX)/lib/cmake/mcubpf/
	sed 's|@VERSION@|$(MCUBPF_VERSION)|' cmake/mcubpf-config-version.cmake.in \
		>$(DESTDIR)$(PREFIX)/lib/cmake/mcubpf/mcubpf-config-version.cmake
	install -m 0644 cmake/toolchain-common.cmake cmake/toolchain-thumb2.cmake cmake/toolchain-rv32imc.cmake \
		$(DESTDIR)$(PREFIX)/share/mcubpf/cmake/
	@$(call install_pc,mcubpf,mcubpf host library: runtime API and the code of the host tools,$${prefix}/lib,,-lmcubpf -lelf -lcapstone -lsodium -lm) \
	$(foreach t,thumb2 rv32imc,\
	$(call install_pc,mcubpf-$(t),mcubpf device runtime for $(t) with its translator,$(call PC_LIBDIR,$(t)),,-lmcubpf -Wl$(,)--gc-sections)\
	$(call install_pc,mcubpf-$(t)-interp,mcubpf interpreter-only device runtime for $(t),$(call PC_LIBDIR,$(t)), -DMBPF_RT_WITH_JIT=0,-lmcubpf-interp -Wl$(,)--gc-sections)\
	$(call install_pc,mcubpf-$(t)-ed25519,libsodium Ed25519 verification for signed mcubpf programs on $(t),$(call PC_LIBDIR,$(t)),,-lmcubpf-ed25519))
	@echo "install: mcubpf $(MCUBPF_VERSION) installed in $(DESTDIR)$(PREFIX)"

.PHONY: install device-libs release-tools suite-install
, := ,

# An install into a temporary prefix, then a firmware per board built against that copy alone
# (CMake, find_package) and run in QEMU with the signing checks; the files it loads are made by
# the installed tools.
SUITES += install
# Everything install copies is built first, by this make, so that the suite's own `make install`
# only copies (no second make building in the same tree at the same time).
suite-install: device-libs release-tools runners $(SIGN_DIR)/prog.o
	@scripts/run-suite $(BUILD)/results install tests/install/run $(BUILD) $(SIGN_DIR)/prog.o
