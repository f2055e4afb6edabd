# RTT build. `make demo` and `make test` work on a fresh clone: they install
# Deno (npm package "deno", pinned) and the npm libraries from package-lock.json,
# and build the native library with cargo.

# The npm package "deno" hardlinks its platform binary to node_modules/deno/deno in
# postinstall; fall back to the platform package itself if install scripts were skipped.
DENO = $(firstword $(wildcard node_modules/deno/deno node_modules/@deno/*/deno))
STAMP := node_modules/.rtt-install-stamp

# Public entry points whose docs `make doc-lint` checks (std's lint:docs habit).
DOC_MODULES = $(sort $(shell find lib -name mod.ts)) ffi/mod.ts

.PHONY: all install build native compile demo test bench fmt lint check check-code doc-lint cycles clean

all: build

install: $(STAMP)

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(STAMP)

native:
	@if [ -f ffi/Cargo.toml ]; then cargo build --release --quiet --manifest-path ffi/Cargo.toml; fi

build: install native
	$(DENO) check -q main.ts

compile: build
	$(DENO) run -q -P=rtt scripts/compile.ts

demo: build
	bash scripts/demo.sh

test: build
	$(DENO) run -q -A scripts/test.ts

bench: build
	$(DENO) bench -q -A

fmt: install
	$(DENO) fmt

lint: install
	$(DENO) lint

# fmt, lint, type check, doc lint, then the module-cycle and layering check.
# `make -k check` runs all of them even when one fails.
check: check-code doc-lint cycles

check-code: install
	$(DENO) fmt --check && $(DENO) lint && $(DENO) check -q main.ts scripts/check_cycles.ts

doc-lint: install
	$(DENO) doc --lint $(DOC_MODULES)

cycles: install
	$(DENO) run -q --allow-read --allow-run scripts/check_cycles.ts

clean:
	rm -rf dist ffi/target
