# The two commands a new machine needs: `make run` and `make test` (README.md).
JOBS ?= $(shell nproc)
INPUT ?= srt://127.0.0.1:9000?mode=listener
OUTPUTS ?=
DATA_DIR ?= ./data
SERVE_ARGS ?=
FUZZ_SECONDS ?= 10
FUZZ_TARGETS = $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/*_fuzz.cpp))

.PHONY: deps web build run relay lambda-package test test-services test-default test-asan fuzz format format-check tidy bench clean

deps:
	@scripts/install-deps.sh

# The browser assets (web/dist): the player page and hls.js. Node.js is needed to build them, not to run.
web: deps
	cd web && npm ci --no-audit --no-fund && npm run build

build: deps web
	cmake --preset default
	cmake --build --preset default -j$(JOBS)

# Runs the service: REST API on 127.0.0.1:8080, RTMP ingest on :1935, channel `main` on SRT :9000.
run: build
	./build/default/src/lunora serve --data-dir '$(DATA_DIR)' $(SERVE_ARGS)

# Restreams INPUT to every URL in OUTPUTS without the API, printing stats once a second.
relay: build
	./build/default/src/lunora relay --input '$(INPUT)' $(foreach o,$(OUTPUTS),--output '$(o)') --stats

# The AWS Lambda zip (README "On AWS Lambda"): build/lambda/lunora-lambda.zip, `bootstrap` at its root.
lambda-package: build
	python3 scripts/lambda_package.py build/default/src/lunora build/lambda

# The fakes of services that cannot run here (dynalite for DynamoDB), pinned in tests/services.
test-services: deps
	cd tests/services && npm ci --no-audit --no-fund

# Every test: the suite (unit, fuzz corpus replay, integration) in the normal build and again under
# ASan/UBSan, then each libFuzzer target for FUZZ_SECONDS (scripts/test_all.sh: the ASan build compiles,
# niced, while the normal build's tests run). test-default, test-asan and fuzz run one stage each.
test: build test-services
	JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/test_all.sh

test-default: build test-services
	ctest --preset default -j2

test-asan: deps web test-services
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
	bench/api/bench_api.py

clean:
	rm -rf build
