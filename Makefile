# Hookscope's entry points. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
CARGO ?= cargo
TARGET_DIR := $(abspath $(or $(CARGO_TARGET_DIR),target))

.PHONY: bootstrap run app app-debug ui bindings serve test lint test-rust test-ui test-e2e test-conformance package package-test bench bench-desktop

bootstrap:
	@bash scripts/bootstrap.sh

## Build and start the desktop app (data in the OS data dir, capture on 127.0.0.1:8787).
run: bootstrap app
	$(TARGET_DIR)/release/hookscope-desktop

## The desktop binary with its front end embedded (release, no installer bundle).
app: bootstrap
	npx tauri build --no-bundle

## The same in debug, for the end-to-end test.
app-debug: bootstrap
	npx tauri build --debug --no-bundle

## The front end, built into ui/dist (the shell embeds it, so cargo needs it to compile).
ui: bootstrap
	npm --prefix ui run build

## Regenerate the TypeScript bindings from the Rust types (commit the result).
bindings: ui
	HOOKSCOPE_WRITE_BINDINGS=1 $(CARGO) test -p hookscope-desktop --locked --lib bindings

## The headless capture server.
serve: bootstrap
	$(CARGO) run --release -p hookscope-cli -- serve

## Every test: formatting, lints, unit, integration, UI, the real app, and process-level tests.
test: bootstrap lint test-rust test-ui test-e2e test-conformance package-test

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## Rust tests of every crate, the desktop shell's included (mock runtime; bindings drift check).
test-rust: ui
	$(CARGO) test --workspace --locked

## Type-check and unit-test the front end.
test-ui: bootstrap
	npm --prefix ui run check
	npm --prefix ui test

## The real app under Xvfb, driven through tauri-driver and WebKitWebDriver; a notification
## daemon on a private session bus. Screenshots land in $(TARGET_DIR)/e2e.
test-e2e: app-debug
	bash tests/e2e/prepare.sh
	xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- \
		bash tests/e2e/run.sh $(TARGET_DIR)/debug/hookscope-desktop $(TARGET_DIR)/e2e

## Signatures checked against the providers' own SDKs (Python and npm packages, installed on demand).
test-conformance:
	$(CARGO) build -p hookscope-cli --locked
	HOOKSCOPE_BIN=$(TARGET_DIR)/debug/hookscope bash tests/conformance/run.sh

## The installers: release app, .deb and .rpm, built offline; both carry the `hookscope` CLI.
## (AppImage, .msi and .dmg are configured in tauri.conf.json but need tools or platforms this
## machine lacks.)
PACKAGE_FILES := {"/usr/bin/hookscope":"$(TARGET_DIR)/release/hookscope"}
package: bootstrap
	$(CARGO) build --release -p hookscope-cli --locked
	npx tauri build --bundles deb,rpm --config '{"bundle":{"linux":{"deb":{"files":$(PACKAGE_FILES)},"rpm":{"files":$(PACKAGE_FILES)}}}}'

## Build the packages, install the .deb, start the installed app under Xvfb, capture, remove.
package-test: package
	xvfb-run -a -s "-screen 0 1280x800x24" bash tests/package/run.sh $(TARGET_DIR)/release/bundle $(TARGET_DIR)/package-test

## Throughput and latency of the capture path against a bare server and a peer tool, then the
## desktop app's figures with 100 000 stored events.
bench: bootstrap app
	bash bench/run.sh
	bash bench/desktop.sh

## Only the desktop figures: launch -> list, search, ack -> row, idle memory (BENCH_EVENTS).
bench-desktop: bootstrap app
	bash bench/desktop.sh
