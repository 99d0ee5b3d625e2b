# Thin driver over Meson + Ninja. See README.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20

.PHONY: all deps demo check asan fuzz bench clean

# Modules are discovered at configure time (fs.is_file in meson.build), so a
# new module folder or command file triggers a reconfigure.
MODULE_FILES = $(sort $(wildcard src/*/meson.build tests/*/meson.build fuzz/*/meson.build bench/*/meson.build src/cli/cmd_*.c))
define reconfigure_if_modules_changed
	@echo "$(MODULE_FILES)" | cmp -s - $(1)/.puente-modules || \
	  { meson setup --reconfigure $(1) >/dev/null && echo "$(MODULE_FILES)" > $(1)/.puente-modules; }
endef

all: deps $(BUILD)/build.ninja
	$(call reconfigure_if_modules_changed,$(BUILD))
	ninja -C $(BUILD)

deps:
	@scripts/deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

demo: all
	scripts/demo.sh

check: all
	scripts/run-tests.sh $(BUILD)

asan: deps
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false
	$(call reconfigure_if_modules_changed,$(ASAN_BUILD))
	ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    scripts/run-tests.sh $(ASAN_BUILD) --timeout-multiplier 4

fuzz:
	@scripts/deps.sh fuzz
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug \
	    -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
	$(call reconfigure_if_modules_changed,$(FUZZ_BUILD))
	ninja -C $(FUZZ_BUILD)
	scripts/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: all
	@scripts/deps.sh bench
	bench/run-all.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
