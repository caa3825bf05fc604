# The two commands a new machine needs: `make run` and `make test` (README.md).
JOBS ?= $(shell nproc)
INPUT ?= srt://127.0.0.1:9000?mode=listener
OUTPUTS ?=
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))

.PHONY: deps build run test test-default test-asan fuzz format format-check tidy bench clean

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset default
	cmake --build --preset default -j$(JOBS)

# Restreams INPUT to every URL in OUTPUTS, printing stats once a second.
run: build
	./build/default/src/lunora relay --input '$(INPUT)' $(foreach o,$(OUTPUTS),--output '$(o)') --stats

# Every test: the suite (unit, fuzz corpus replay, integration) in the normal build and again under
# ASan/UBSan, then each libFuzzer target for FUZZ_SECONDS.
test: test-default test-asan fuzz

test-default: build
	ctest --preset default -j2

test-asan: deps
	cmake --preset asan
	cmake --build --preset asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --preset asan -j2

fuzz: deps
	cmake --preset fuzz
	cmake --build --preset fuzz -j$(JOBS)
	tests/fuzz/run.sh build/fuzz/tests $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.cpp' '*.hpp')

tidy: build
	clang-tidy -p build/default --quiet $$(git ls-files 'src/*.cpp')

bench: build
	bench/fanout/run.sh

clean:
	rm -rf build
