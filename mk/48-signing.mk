# Signed containers and AOT images: the signature block and the runtime's trust store (device),
# libsodium signing and the bpfkey tool (host), and libsodium's own Ed25519 verification built
# freestanding for each board from Debian's source package (libmcubpf-ed25519.a).
CORE_SRCS += runtime/sign.c runtime/rt_trust.c
HOST_SRCS += aot/sign_write.c runtime/sign_ed25519.c
HOST_LIBS += -lsodium
TOOLS += bpfkey
bpfkey_SRCS := aot/bpfkey.c
UNIT_TEST_SRCS += tests/unit/test_sign.c

# libsodium's sources: the version of the host's libsodium-dev, fetched once by scripts/deps.
SODIUM_DIR := $(BUILD)/third-party/libsodium
SODIUM_STAMP := $(SODIUM_DIR)/.unpacked
SODIUM_LIB := $(SODIUM_DIR)/src/libsodium
# What crypto_sign_ed25519_verify_detached needs, and no more: verification, the ref10 group
# arithmetic (32-bit field code: no 128-bit integers on these cores), the hash-init shared with
# signing (sign.c; signing itself is dropped by --gc-sections), SHA-512, the constant-time
# compare and sodium_memzero/sodium_memcmp (utils.c).
SODIUM_SRCS := crypto_sign/ed25519/ref10/open.c crypto_sign/ed25519/ref10/sign.c \
	crypto_core/ed25519/ref10/ed25519_ref10.c crypto_hash/sha512/cp/hash_sha512_cp.c \
	crypto_verify/sodium/verify.c sodium/utils.c
SODIUM_CFLAGS := -Os -ffreestanding -fno-common -ffunction-sections -fdata-sections \
	-DCONFIGURED=1 -DNATIVE_LITTLE_ENDIAN=1 -I$(SODIUM_LIB)/include -I$(SODIUM_LIB)/include/sodium
ED25519_WRAP_FLAGS := -DMBPF_ED25519_FREESTANDING -I$(SODIUM_LIB)/include

$(SODIUM_STAMP): scripts/deps
	@scripts/deps --source libsodium $(SODIUM_DIR)
	@touch $@

ARM_ED25519_LIB := $(BUILD)/arm/libmcubpf-ed25519.a
RV_ED25519_LIB := $(BUILD)/rv32/libmcubpf-ed25519.a
ARM_SODIUM_OBJS := $(patsubst %.c,$(BUILD)/arm/sodium/%.o,$(SODIUM_SRCS))
RV_SODIUM_OBJS := $(patsubst %.c,$(BUILD)/rv32/sodium/%.o,$(SODIUM_SRCS))

$(BUILD)/arm/sodium/%.o: $(SODIUM_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_ARCH) $(SODIUM_CFLAGS) -c $(SODIUM_LIB)/$*.c -o $@
$(BUILD)/rv32/sodium/%.o: $(SODIUM_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_ARCH) $(SODIUM_CFLAGS) -c $(SODIUM_LIB)/$*.c -o $@
$(BUILD)/arm/ed25519/sign_ed25519.o: runtime/sign_ed25519.c $(SODIUM_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(ARM_CC) $(ARM_CFLAGS) $(ED25519_WRAP_FLAGS) -c $< -o $@
$(BUILD)/rv32/ed25519/sign_ed25519.o: runtime/sign_ed25519.c $(SODIUM_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(RV_CC) $(RV_CFLAGS) $(ED25519_WRAP_FLAGS) -c $< -o $@

$(ARM_ED25519_LIB): $(BUILD)/arm/ed25519/sign_ed25519.o $(ARM_SODIUM_OBJS)
	$(Q)rm -f $@ && $(ARM_CC:gcc=ar) rcs $@ $^
$(RV_ED25519_LIB): $(BUILD)/rv32/ed25519/sign_ed25519.o $(RV_SODIUM_OBJS)
	$(Q)rm -f $@ && $(RV_CC:gcc=ar) rcs $@ $^
ed25519-libs: $(ARM_ED25519_LIB) $(RV_ED25519_LIB)
.PHONY: ed25519-libs

# Signed seeds for the container and image fuzz targets, so that they start from real signature
# blocks (the targets rewrite the key id to their own key and check with a stand-in).
FUZZ_SIGN_KEY := $(BUILD)/fuzz/seed-key
fuzz-seeds-signed: vectors $(BUILD)/bin/bpfkey $(BUILD)/bin/bpfpack $(BUILD)/bin/bpf2thumb $(BUILD)/bin/bpf2rv32
	@mkdir -p $(BUILD)/fuzz/seeds-container $(BUILD)/fuzz/seeds-image
	@[ -f $(FUZZ_SIGN_KEY).key ] || $(BUILD)/bin/bpfkey generate $(FUZZ_SIGN_KEY) >/dev/null
	@for v in $(wordlist 1,8,$(VECTOR_NAMES)); do o=$(BUILD)/test-vectors/v3/$$v.o; \
		$(BUILD)/bin/bpfpack $$o -o $(BUILD)/fuzz/seeds-container/$$v.signed.mbc --hook 1 --prog-version 2 --sign $(FUZZ_SIGN_KEY).key 2>/dev/null; \
		$(BUILD)/bin/bpf2thumb $$o -o $(BUILD)/fuzz/seeds-image/$$v.signed.t2 --hook 1 --sign $(FUZZ_SIGN_KEY).key 2>/dev/null; \
		$(BUILD)/bin/bpf2rv32 $$o -o $(BUILD)/fuzz/seeds-image/$$v.signed.rv --hook 1 --sign $(FUZZ_SIGN_KEY).key 2>/dev/null; \
	done; true
fuzz-seeds: fuzz-seeds-signed
.PHONY: fuzz-seeds-signed
