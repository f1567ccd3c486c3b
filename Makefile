# PasswordVault — two commands on a fresh Debian machine with the Swift toolchain:
#   make run    installs what is missing, builds, and runs `pwvault demo`
#   make test   installs what is missing, then runs the whole test suite
SWIFT ?= swift
APT_PACKAGES := pkg-config libsodium-dev libssl-dev libsqlite3-dev
PKG_MODULES := libsodium libcrypto sqlite3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test test-tsan format format-check bench bench-smoke fuzz docs clean

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
	rm -rf .build .build-*
