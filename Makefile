# Thin wrapper over CMake so that a fresh Debian machine needs two commands:
#   make demo   install what is missing, build, run the demo
#   make test   install what is missing, build, run every test (plain + ASan/UBSan)

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build build-asan test test-plain test-asan demo fuzz bench clean

all: build

deps:
	@sh contrib/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCFS_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

test-plain: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

test: test-plain test-asan

demo: build
	@sh contrib/demo.sh $(BUILD)/clusterfs

# A short libFuzzer run of every harness (needs clang; not part of `make test`):
#   make fuzz FUZZ_SECONDS=60
FUZZ_SECONDS ?= 30
FUZZ_BUILD   ?= build-fuzz
fuzz: deps
	command -v clang >/dev/null || apt-get install -y -qq clang
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DCFS_SANITIZE=ON \
	  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target cfs_engine
	for f in tests/fuzz/fuzz_*.c; do \
	  n=$$(basename $$f .c); what=$${n#fuzz_}; \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -I. $$f \
	    $(FUZZ_BUILD)/libcfs_engine.a $(FUZZ_BUILD)/libcfs_ledger.a $(FUZZ_BUILD)/libcfs_core.a \
	    $$(pkg-config --libs yaml-0.1 jansson libcrypto) -o $(FUZZ_BUILD)/$$n || exit 1; \
	  mkdir -p $(FUZZ_BUILD)/corpus-$$what; \
	  $(FUZZ_BUILD)/$$n -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    $(FUZZ_BUILD)/corpus-$$what tests/fuzz/corpus/$$what || exit 1; \
	done

# The graph store against SQLite on the same rows, then `clusterfs mount`
# against libfuse's passthrough example and native reads (prints ratios;
# not a test).
CLUSTERFS ?= $(BUILD)/clusterfs
bench: build
	$(BUILD)/graph_bench $(BENCH_ARGS)
	CLUSTERFS=$(CLUSTERFS) bash bench/fs_bench.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
