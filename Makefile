# PasswordVault — two commands on a fresh Debian machine with the Swift toolchain:
#   make run    installs what is missing, builds, and runs `pwvault demo`
#   make test   installs what is missing (PyNaCl too, for the independent reader of docs/format.md),
#               then runs the whole test suite
#   make bench  installs liboath-dev and libpq-dev too, runs the benchmark suite (Benchmarks/, its
#               own package) beside a throw-away PostgreSQL server it starts and stops, and prints
#               one table: operation, our median, the C peer's, the ratio
#   make bench-smoke  every benchmark once, with small stores (CI)
#   (both then time `pwvault import` / `export` of 10,000 entries — 200 for the smoke run —
#   beside keepassxc-cli, whole processes: Benchmarks/Scripts/interchange_bench.sh)
SWIFT ?= swift
SHELL := /bin/bash
APT_PACKAGES := pkg-config libsodium-dev libssl-dev libsqlite3-dev libargon2-dev zlib1g-dev
PKG_MODULES := libsodium libcrypto sqlite3 libargon2 zlib
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The benchmarks' C peers need liboath and libpq too (libsodium and SQLite come with `deps`).
BENCH_APT_PACKAGES := liboath-dev libpq-dev
BENCH_RESULTS := .build/bench-results
# package-benchmark writes one percentile file per benchmark and metric; the script makes the table.
# The PostgreSQL rows run against a throw-away server started for the run (Tools/with-pg-cluster.sh,
# as `make test` does), with fsync on for `make bench` (every commit measured is durable) and off
# for the smoke run.
BENCH_RUN = cd Benchmarks && rm -rf $(BENCH_RESULTS) && $(BENCH_ENV) ../Tools/with-pg-cluster.sh $(SWIFT) package \
	--allow-writing-to-package-directory benchmark --format histogramPercentiles --path $(BENCH_RESULTS) --no-progress
BENCH_TABLE := python3 Benchmarks/Scripts/bench_table.py Benchmarks/$(BENCH_RESULTS)


.PHONY: deps test-deps bench-deps build run test test-tsan format format-check bench bench-smoke fuzz docs clean example-test example-test-deps consumer-test api-check

deps:
	@if ! pkg-config --exists $(PKG_MODULES) 2>/dev/null; then \
		echo "Installing $(APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

run: build
	$(SWIFT) run pwvault demo

# The independent reader of docs/format.md (Tools/independent-reader) is Python 3 with PyNaCl:
# pip first, Debian's python3-nacl when pip cannot install (an externally managed Python).
# The interchange tests run Debian's keepassxc-cli (KeePassXC 2.7.4; the package pulls in Qt).
test-deps: deps
	@if ! command -v keepassxc-cli >/dev/null 2>&1; then \
		echo "Installing keepassxc (keepassxc-cli) with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends keepassxc; \
		command -v keepassxc-cli >/dev/null || { echo "keepassxc-cli is still missing"; exit 1; }; \
	fi
	@if ! python3 -c 'import nacl.bindings, nacl.hashlib, nacl.pwhash' 2>/dev/null; then \
		echo "Installing PyNaCl for the independent reader"; \
		python3 -m pip install --quiet pynacl || { \
			$(SUDO) apt-get update && \
			DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends python3 python3-nacl; }; \
		python3 -c 'import nacl.bindings, nacl.hashlib, nacl.pwhash' || { echo "PyNaCl is still missing"; exit 1; }; \
	fi
	@if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
		echo "Installing postgresql (PostgreSQL 15 for Tools/pg-test-cluster.sh) with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends postgresql; \
		[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "PostgreSQL 15 is still missing"; exit 1; }; \
	fi

# The PostgreSQL tests run against a throw-away cluster started here and stopped and removed at
# the end, even when tests fail (Tools/with-pg-cluster.sh, docs/contract.md §14). The suite runs
# under Tools/test-watchdog.py: stdin is /dev/null, and a run that outlives TEST_SECONDS (about
# six times what it takes on 2 cores) fails naming the tests that never ended, the process tree
# and the test process's backtraces, instead of hanging until CI cuts it off.
TEST_SECONDS ?= 2400
test: test-deps
	$(SWIFT) build --build-tests
	Tools/with-pg-cluster.sh Tools/test-watchdog.py $(TEST_SECONDS) $(SWIFT) test --disable-xctest

bench-deps: deps
	@if ! pkg-config --exists liboath libpq 2>/dev/null; then \
		echo "Installing $(BENCH_APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(BENCH_APT_PACKAGES); \
	fi

# The plugin's "Writing to …" lines are left out; its exit status is kept (bash's PIPESTATUS).
bench bench-smoke: SHELL := /bin/bash
bench-smoke: BENCH_ENV := BENCH_SMOKE=1
bench: BENCH_ENV := PWVAULT_PG_FSYNC=on

bench: bench-deps test-deps
	$(BENCH_RUN) | grep -v '^Writing to '; exit $${PIPESTATUS[0]}
	@echo
	@$(BENCH_TABLE)
	@echo
	$(SWIFT) build -c release --product pwvault
	Benchmarks/Scripts/interchange_bench.sh $$($(SWIFT) build -c release --show-bin-path)/pwvault 10000

bench-smoke: bench-deps test-deps
	$(BENCH_RUN) | grep -v '^Writing to '; exit $${PIPESTATUS[0]}
	@echo
	@$(BENCH_TABLE) --expect-all --smoke
	@echo
	$(SWIFT) build --product pwvault
	Benchmarks/Scripts/interchange_bench.sh $$($(SWIFT) build --show-bin-path)/pwvault 200
# KDBXReaderFuzz runs without leak detection: FoundationXML's XMLParser leaks the CFString of
# every libxml2 error it reports (_CFErrorCreateFromXMLInterface), outside our code.
# libFuzzer with AddressSanitizer, in its own scratch path (a half-built fuzzer build in .build
# breaks later normal builds). Each target runs FUZZ_SECONDS from its checked-in seeds in
# Fuzz/Corpus/<target> plus a working corpus in Fuzz/artifacts/corpus/<target>; crashes, leaks
# and timeouts land in Fuzz/artifacts/<target>/. Both directories are git-ignored.
# Debug builds by default (FUZZ_CONFIG=release for about twice the inputs per second).
#
# Coverage is asked for explicitly: on this toolchain `swift build --sanitize=fuzzer` passes
# `-sanitize=fuzzer` to the link step only, so the compiled objects carried no coverage
# instrumentation (no __sancov_gen sections; libFuzzer then mutates blind). Earlier builds got it
# now and then, which is why a fresh clone's `make fuzz` failed. `-sanitize-coverage` with the
# counters libFuzzer reads (inline 8-bit counters and the PC table) fixes every product; the check
# below keeps it that way.
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=WireFuzz FUZZ_FLAGS=-runs=1000000
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= Base32Fuzz OTPAuthURIFuzz WireFuzz SealedValueFuzz VaultHeaderFuzz KDBXReaderFuzz
FUZZ_FLAGS ?=
FUZZ_CONFIG ?= debug
FUZZ_COVERAGE := -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
FUZZ_BUILD := $(SWIFT) build -c $(FUZZ_CONFIG) --sanitize=fuzzer --sanitize=address $(FUZZ_COVERAGE) \
	--scratch-path .build-fuzz

fuzz: deps
	@for target in $(FUZZ_TARGETS); do $(FUZZ_BUILD) --product $$target || exit 1; done
	@bin=$$($(FUZZ_BUILD) --show-bin-path) && for target in $(FUZZ_TARGETS); do \
		nm "$$bin/$$target" | grep -q __sancov_gen || { \
			echo "$$target was built without coverage instrumentation"; exit 1; }; done
	@bin=$$($(FUZZ_BUILD) --show-bin-path); \
	for target in $(FUZZ_TARGETS); do \
		mkdir -p Fuzz/artifacts/$$target Fuzz/artifacts/corpus/$$target; \
		dict=; [ -f Fuzz/Dictionaries/$$target.dict ] && dict=-dict=Fuzz/Dictionaries/$$target.dict; \
		leaks=; [ $$target = KDBXReaderFuzz ] && leaks=detect_leaks=0; \
		echo "== $$target: $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=$$leaks SWIFT_BACKTRACE=enable=no "$$bin/$$target" Fuzz/artifacts/corpus/$$target Fuzz/Corpus/$$target \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
			-artifact_prefix=Fuzz/artifacts/$$target/ $$dict $(FUZZ_FLAGS) 2>&1 \
			| grep -vE '^(#[0-9]+|INFO: |MS: |\s*"|###### |Dictionary: |NOTE: |      )' ; \
		status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || { echo "$$target failed ($$status): see Fuzz/artifacts/$$target/"; exit 1; }; \
	done

# The concurrent tests under the thread sanitizer, in their own scratch path: every suite whose
# type name ends in ConcurrencyTests (vault writes and reads, key rotation and passphrase change
# during reads, InMemoryStorage and directory changes, shared TOTP/SecretBytes) and HMACKeyTests
# (one HMAC key shared by many tasks). The IDs are anchored on type names: a file name such as
# VaultConcurrencyTests.swift is part of every ID in it and would also select the listing tests.
TSAN_FILTER := PasswordVaultTests\.[A-Za-z]*ConcurrencyTests/|PasswordVaultTests\.HMACKeyTests/

test-tsan: deps
	TSAN_OPTIONS=halt_on_error=1 Tools/test-watchdog.py $(TEST_SECONDS) $(SWIFT) test --disable-xctest --sanitize=thread \
		--scratch-path .build-tsan --filter '$(TSAN_FILTER)'

format:
	$(SWIFT) format format --in-place --parallel --recursive Package.swift Sources Tests Fuzz

format-check:
	$(SWIFT) format lint --strict --parallel --recursive Package.swift Sources Tests Fuzz

# The DocC catalogs of both library products; any warning (an unresolved link, a broken
# reference) fails the build.
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation \
		--target PasswordVault --target PasswordVaultSQLite --target PasswordVaultTesting --target StorageConformance --warnings-as-errors \
		--output-path .build/docs --transform-for-static-hosting
	@echo "Documentation in .build/docs"

clean:
	rm -rf .build .build-* Benchmarks/.build

# The public API of PasswordVault and PasswordVaultSQLite against the previous release, 0.1.0
# (CHANGELOG.md): any break not listed in Tools/api-breakage-allowlist.txt fails.
API_BASELINE := 1cc81947c1c7ce1ff8d1fd918aa36f057c376735
api-check: deps
	$(SWIFT) package diagnose-api-breaking-changes $(API_BASELINE) --products PasswordVault PasswordVaultSQLite \
		--breakage-allowlist-path Tools/api-breakage-allowlist.txt

# A consumer's build (Examples/Consumer, its own package): PasswordVault by URL and version, from
# a tagged clone of HEAD in a temporary folder, built from nothing, its tests and its program run.
consumer-test: deps
	SWIFT=$(SWIFT) Examples/Consumer/Scripts/consumer-check.sh

# The example HTTP server (Examples/Server, its own package): its tests, then a live run with curl
# the OpenAPI check and Schemathesis 4.32.5 (Python: jsonschema, PyYAML, schemathesis, installed with
# pip when missing).
SCHEMATHESIS_VERSION = 4.32.5
example-test-deps:
	@python3 -c 'import jsonschema, referencing, yaml' 2>/dev/null || python3 -m pip install --quiet jsonschema pyyaml
	@python3 -c 'import jsonschema, referencing, yaml' || { echo "jsonschema or PyYAML is still missing"; exit 1; }
	@python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("schemathesis") != "$(SCHEMATHESIS_VERSION)")' 2>/dev/null || \
		python3 -m pip install --quiet "schemathesis==$(SCHEMATHESIS_VERSION)"
	@python3 -c 'import schemathesis.cli' || { echo "schemathesis is still missing"; exit 1; }

example-test: example-test-deps
	SWIFT=$(SWIFT) Examples/Server/Scripts/example-test.sh
