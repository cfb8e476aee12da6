# oncutf: the README's commands. Every target installs what it needs first (scripts/install-deps.sh).
.PHONY: all deps build test test-dev test-asan test-tsan demo gui bench screenshot clean

JOBS ?= $(shell nproc)
CTEST_FLAGS ?= --output-on-failure -j $(JOBS)

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# The whole suite, then the suite under ASan+UBSan, then the concurrency tests under TSan.
test: deps test-dev test-asan test-tsan

test-dev: build
	@cd build/dev && ctest $(CTEST_FLAGS)

test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@cd build/asan && ctest $(CTEST_FLAGS)

test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target concurrency_tests
	@cd build/tsan && ctest $(CTEST_FLAGS) -L concurrency

demo: build
	@./scripts/demo.sh build/dev

gui: build
	@./scripts/gui.sh build/dev

# Regenerates docs/screenshot.png (the README's picture) with the real window, offscreen.
screenshot: build
	@./scripts/screenshot.sh build/dev docs/screenshot.png

bench: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	@./bench/run_all.sh build/release

clean:
	rm -rf build
