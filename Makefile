# The two commands of the README: `make demo` (the main job) and `make test` (every test).
# Each installs what it needs first. `make` alone builds the release tree; the `tessera`
# program lands in build/release/bin/tessera.

JOBS ?= $(shell nproc)
CMAKE_CONFIGURE = cmake --preset

.PHONY: all setup release python demo test test-asan test-tsan fuzz clean

all: release

setup:
	@scripts/setup-debian.sh

build/release/build.ninja: | setup
	$(CMAKE_CONFIGURE) release >/dev/null

release: setup build/release/build.ninja
	cmake --build build/release -j $(JOBS)

demo: release
	build/release/bin/tessera demo

# The Python package: the project's virtual environment (build/venv) with current numpy, pandas
# and pyarrow, and tessera pip-installed into it.
python: setup
	scripts/setup-python.sh

PYTEST = python -m pytest -q -p no:cacheprovider ../python/tests

# Tests build with warnings as errors, as CI does. The Python tests run against the pip-installed
# package (built with the same flags, so ccache reuses the C++ objects), under the newest pandas
# and again under pandas 2.2 with the same wheel.
build/ci/build.ninja: | setup
	$(CMAKE_CONFIGURE) ci >/dev/null

test: setup build/ci/build.ninja
	cmake --build build/ci -j $(JOBS)
	ctest --test-dir build/ci --output-on-failure -j $(JOBS) --timeout 600
	scripts/setup-python.sh -C cmake.define.TESSERA_WERROR=ON
	cd build && venv/bin/$(PYTEST)
	TESSERA_VENV=build/venv-pandas2 TESSERA_PANDAS="pandas>=2.2,<3" scripts/setup-python.sh -C cmake.define.TESSERA_WERROR=ON
	cd build && venv-pandas2/bin/$(PYTEST)

build/asan/build.ninja: | setup
	$(CMAKE_CONFIGURE) asan >/dev/null

# Unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: setup build/asan/build.ninja
	cmake --build build/asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 900

build/tsan/build.ninja: | setup
	$(CMAKE_CONFIGURE) tsan >/dev/null

# The threaded suites (scheduler, delayed and futures, diagnostics) under ThreadSanitizer; only
# their targets are built, and ctest picks their tests by label (the executable's name).
TSAN_SUITES = sched_test delayed_test diagnostics_test
test-tsan: setup build/tsan/build.ninja
	cmake --build build/tsan -j $(JOBS) --target $(TSAN_SUITES)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --test-dir build/tsan --output-on-failure -j $(JOBS) --timeout 900 -L '^(sched_test|delayed_test|diagnostics_test)$$'

# The CSV tokenizer and reader, then the Parquet reader, under libFuzzer (clang), seeded with
# the golden files.
build/fuzz/build.ninja: | setup
	CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTESSERA_BUILD_FUZZERS=ON -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_BENCHMARKS=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" >/dev/null

FUZZ_SECONDS ?= 60
fuzz: build/fuzz/build.ninja
	cmake --build build/fuzz -j $(JOBS) --target csv_tokenizer_fuzzer parquet_reader_fuzzer
	mkdir -p build/fuzz/corpus && cp tests/data/csv/*.csv build/fuzz/corpus/
	build/fuzz/fuzz/csv_tokenizer_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=512 build/fuzz/corpus
	mkdir -p build/fuzz/parquet-corpus && cp tests/data/parquet/*.parquet build/fuzz/parquet-corpus/
	build/fuzz/fuzz/parquet_reader_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=16384 build/fuzz/parquet-corpus

clean:
	rm -rf build
