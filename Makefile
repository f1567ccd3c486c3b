# PasswordVault — two commands on a fresh Debian machine with the Swift toolchain:
#   make run    installs what is missing, builds, and runs `pwvault demo`
#   make test   installs what is missing, then runs the whole test suite
#   make bench  installs liboath-dev too, runs the benchmark suite (Benchmarks/, its own package)
#               and prints one table: operation, our median, the C peer's, the ratio
#   make bench-smoke  every benchmark once, with small stores (CI)
SWIFT ?= swift
APT_PACKAGES := pkg-config libsodium-dev libssl-dev libsqlite3-dev
PKG_MODULES := libsodium libcrypto sqlite3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The benchmarks' C peers need liboath too (libsodium and SQLite come with `deps`).
BENCH_APT_PACKAGES := liboath-dev
BENCH_RESULTS := .build/bench-results
# package-benchmark writes one percentile file per benchmark and metric; the script makes the table.
BENCH_RUN = cd Benchmarks && rm -rf $(BENCH_RESULTS) && $(BENCH_ENV) $(SWIFT) package \
	--allow-writing-to-package-directory benchmark --format histogramPercentiles --path $(BENCH_RESULTS) --no-progress
BENCH_TABLE := python3 Benchmarks/Scripts/bench_table.py Benchmarks/$(BENCH_RESULTS)

.PHONY: deps bench-deps build run test test-tsan format format-check bench bench-smoke fuzz docs clean

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench-deps: deps
	@if ! pkg-config --exists liboath 2>/dev/null; then \
		echo "Installing $(BENCH_APT_PACKAGES) with apt-get"; \
		$(SUDO) apt-get update && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(BENCH_APT_PACKAGES); \
	fi

# The plugin's "Writing to …" lines are left out; its exit status is kept (bash's PIPESTATUS).
bench bench-smoke: SHELL := /bin/bash
bench-smoke: BENCH_ENV := BENCH_SMOKE=1

bench: bench-deps
	$(BENCH_RUN) | grep -v '^Writing to '; exit $${PIPESTATUS[0]}
	@echo
	@$(BENCH_TABLE)

bench-smoke: bench-deps
	$(BENCH_RUN) | grep -v '^Writing to '; exit $${PIPESTATUS[0]}
	@echo
	@$(BENCH_TABLE) --expect-all --smoke

format:
	$(SWIFT) format format --in-place --parallel --recursive Package.swift Sources Tests

format-check:
	$(SWIFT) format lint --strict --parallel --recursive Package.swift Sources Tests

# The DocC catalogs of both library products; any warning (an unresolved link, a broken
# reference) fails the build.
docs: deps
	$(SWIFT) package --allow-writing-to-directory .build/docs generate-documentation \
		--target PasswordVault --target PasswordVaultSQLite --warnings-as-errors \
		--output-path .build/docs --transform-for-static-hosting
	@echo "Documentation in .build/docs"

clean:
	rm -rf .build .build-* Benchmarks/.build
