# kimap — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_INSTALL_STAMP := node_modules/.install-stamp

.PHONY: help install build run test lint format format-check typecheck generate generate-check chart-tools services-up services-down clean bench bench-idle bench-lmtp fuzz

help:
	@echo "make run         start the embedded server (one process, PGlite in ./data, self-signed TLS)"
	@echo "make test        lint, typecheck and run every test against real PostgreSQL and Kafka"
	@echo "make build       compile every workspace to dist/"
	@echo "make services-up start local PostgreSQL and Kafka for development (prints their URLs)"
	@echo "make bench       kimap against Dovecot (docs/benchmarks.md); make bench-idle: IDLE push latency"
	@echo "make bench-lmtp  LMTP deliveries against Dovecot's LMTP, push latency of a delivery (docs/hosting/delivery.md)"
	@echo "make fuzz        1,000,000 fuzzed commands against the embedded server (FUZZ_COMMANDS, FUZZ_SEED; docs/reliability/fuzzing.md)"

$(NPM_INSTALL_STAMP): package.json package-lock.json $(wildcard services/*/package.json) e2e/package.json
	npm ci --no-audit --no-fund
	@touch $@

install: $(NPM_INSTALL_STAMP)

build: install
	npx tsc -b

run: build
	node services/server/dist/main.js

generate: install
	npm run generate

generate-check: install
	npm run generate:check

lint: install
	npx eslint .

# Prettier (.prettierrc.json) owns the layout of code and JSON; `make format` applies it.
format: install
	npx prettier --write .

format-check: install
	npx prettier --check .

typecheck: build
	npx tsc -p tsconfig.tests.json

# The chart's checks (charts/test) run the pinned helm and kubernetes-validate, which
# these scripts install the first time (helm is built from the Go module proxy: minutes).
# Under CI=true a tool that cannot be had fails the run; elsewhere charts/test skips, saying why.
chart-tools:
	@if ! { bash scripts/tools/helm.sh --path && bash scripts/tools/kubernetes-validate.sh --path; } >/dev/null; then \
	  if [ "$${CI:-}" = true ] || [ "$${CI:-}" = 1 ]; then echo "chart-tools: helm or kubernetes-validate could not be installed" >&2; exit 1; fi; \
	  echo "chart-tools: helm or kubernetes-validate could not be installed; the chart checks will be skipped" >&2; \
	fi

# Unit tests need no services; integration and e2e tests get real PostgreSQL
# and Kafka from scripts/test-env.sh (or DATABASE_URL / KAFKA_BROKERS).
test: install generate-check format-check lint typecheck chart-tools
	source scripts/test-env.sh && npm test

# Benchmarks print figures; they are not tests (docs/benchmarks.md).
bench: install
	source scripts/test-env.sh && node --conditions=source --import tsx bench/imap-vs-dovecot.ts

bench-idle: install
	source scripts/test-env.sh && node --conditions=source --import tsx bench/idle-latency.ts

bench-lmtp: install
	source scripts/test-env.sh && node --conditions=source --import tsx bench/lmtp-vs-dovecot.ts

# The long fuzz run against the embedded server as a process (docs/reliability/fuzzing.md);
# `make test` runs the same grammar for a few seconds.
fuzz: build
	node --conditions=source --import tsx bench/fuzz-server.ts

services-up:
	source scripts/test-env.sh && env | grep -E '^(DATABASE_URL|KAFKA_BROKERS)='

services-down:
	bash scripts/services/stop-all.sh

clean:
	rm -rf services/*/dist .turbo node_modules/.install-stamp
