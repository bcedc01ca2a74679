# Thin wrapper over CMake.  `make` builds, `make test` installs missing Debian packages (as root),
# builds and runs the test suite; `make example` trains the Burgers example end to end
# (about 10 minutes on 2 cores; the run directory is runs/burgers).
BUILD ?= build
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test test-sanitize test-float32 example clean
all: build

deps:
	@sh tools/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null || cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPINN_SANITIZE=ON $(CMAKE_FLAGS)
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 PINN_TEST_QUICK=1 ctest --output-on-failure -j $(JOBS)

# pinn_real = float: the whole suite with single-precision tolerances (tests/check.h)
test-float32: deps
	@cmake -S . -B build-f32 -DCMAKE_BUILD_TYPE=Release -DPINN_FLOAT32=ON $(CMAKE_FLAGS)
	@cmake --build build-f32 -j $(JOBS)
	@cd build-f32 && ctest --output-on-failure -j $(JOBS)

example: build
	@./$(BUILD)/pinnc train examples/burgers.yaml --out runs/burgers --force

clean:
	rm -rf $(BUILD) build-asan build-f32
