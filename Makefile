# Hookscope's entry points. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: bootstrap run serve test lint test-rust bench

bootstrap:
	@bash scripts/bootstrap.sh

## Build and start Hookscope with its defaults (data in the OS data dir, capture on 127.0.0.1:8787).
run: bootstrap
	$(CARGO) run --release -p hookscope-cli -- serve

## The headless capture server.
serve: run

## Every test: formatting, lints, unit, integration and process-level tests.
test: bootstrap lint test-rust

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test-rust:
	$(CARGO) test --workspace --locked

## Throughput and latency of the capture path against a bare server and a peer tool.
bench: bootstrap
	bash bench/run.sh
