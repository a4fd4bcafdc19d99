#!/usr/bin/env bash
# Desktop app figures (`make bench-desktop`, also the end of `make bench`): seeds a scratch data
# dir with BENCH_EVENTS (default 100 000) captured requests through the release `hookscope serve`,
# then starts the release app on it under Xvfb through tauri-driver and measures launch -> list,
# search, ack -> row and idle memory on the real window (bench/desktop.py). Figures are printed,
# not asserted.
#
# Needs the release binaries: `make app` (hookscope-desktop) and hookscope-cli (built here).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin_dir="${CARGO_TARGET_DIR:-$root/target}/release"
events="${BENCH_EVENTS:-100000}"
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench-desktop: %s\n' "$*" >&2; exit 1; }

[[ -x "$bin_dir/hookscope-desktop" ]] || die "no release app in $bin_dir: run make app"
cargo build --release --quiet -p hookscope-cli --locked || die "cargo build failed"
bash tests/e2e/prepare.sh
python="${XDG_CACHE_HOME:-$HOME/.cache}/hookscope/e2e-venv/bin/python"

work="$(mktemp -d -t hookscope-bench-desktop.XXXXXX)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export HOOKSCOPE_DATA="$work/data" BENCH_EVENTS="$events"
export HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
for slug in shop stripe github; do "$bin_dir/hookscope" endpoints add "$slug" >/dev/null; done
log "seeding $events events through hookscope serve (sync normal)"
"$bin_dir/hookscope" serve --listen "$HOOKSCOPE_LISTEN" --sync normal -q &
serve=$!
pids+=("$serve")
for _ in $(seq 100); do curl -s -o /dev/null "http://$HOOKSCOPE_LISTEN/" && break; sleep 0.1; done
python3 bench/seed.py "http://$HOOKSCOPE_LISTEN" "$HOOKSCOPE_DATA/hookscope.sqlite" "$events"
kill -TERM "$serve"; wait "$serve" 2>/dev/null || true

export HOOKSCOPE_APP="$bin_dir/hookscope-desktop"
log "measuring the release app under Xvfb"
xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- bash -c '
  tauri-driver --port 4444 > "$0/tauri-driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:4444/status && break; sleep 0.1; done
  rc=0
  "$1" bench/desktop.py || rc=$?
  kill $driver 2>/dev/null; wait $driver 2>/dev/null
  exit $rc' "$work" "$python"
