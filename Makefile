# Hookscope's entry points. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: bootstrap run serve test lint test-rust test-conformance bench

bootstrap:
	@bash scripts/bootstrap.sh

## Build and start Hookscope with its defaults (data in the OS data dir, capture on 127.0.0.1:8787).
run: bootstrap
	$(CARGO) run --release -p hookscope-cli -- serve

## The headless capture server.
serve: run

## Every test: formatting, lints, unit, integration and process-level tests.
test: bootstrap lint test-rust test-conformance

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test-rust:
	$(CARGO) test --workspace --locked

## Signatures checked against the providers' own SDKs (Python and npm packages, installed on demand).
test-conformance:
	$(CARGO) build -p hookscope-cli --locked
	HOOKSCOPE_BIN=$(abspath $(or $(CARGO_TARGET_DIR),target))/debug/hookscope bash tests/conformance/run.sh

## Throughput and latency of the capture path against a bare server and a peer tool.
bench: bootstrap
	bash bench/run.sh
