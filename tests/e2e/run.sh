#!/usr/bin/env bash
# End-to-end test of the real desktop app: runs inside `xvfb-run -a dbus-run-session -- …`
# (that order, so a notification daemon activated on the bus can reach the X display).
# Starts dbus-monitor (to assert notifications) and tauri-driver (which spawns
# WebKitWebDriver and the app), then runs the pytest suite against it.
#
# Usage: tests/e2e/run.sh APP_BINARY OUT_DIR
set -euo pipefail
app="$(realpath "$1")"
out="$(mkdir -p "$2" && realpath "$2")"
here="$(cd "$(dirname "$0")" && pwd)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The app takes its environment from tauri-driver's process: each phase exports the app's
# environment, then starts its own tauri-driver.
export HOOKSCOPE_APP="$app" HOOKSCOPE_E2E_OUT="$out" HOOKSCOPE_DBUS_LOG="$out/dbus.log"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

dbus-monitor "interface='org.freedesktop.Notifications',member='Notify'" > "$out/dbus.log" 2>&1 &
pids+=($!)

# Runs one pytest module against a fresh app on a scratch data dir.
phase() {
  local name="$1" module="$2"
  export HOOKSCOPE_DATA="$out/data-$name"
  rm -rf "$HOOKSCOPE_DATA"
  # Free ports, not the default 4444/4445, so runs from other checkouts cannot collide.
  local port native
  port="$(free_port)"
  native="$(free_port)"
  export HOOKSCOPE_WEBDRIVER="http://127.0.0.1:$port"
  tauri-driver --port "$port" --native-port "$native" > "$out/tauri-driver-$name.log" 2>&1 &
  local driver=$!
  pids+=("$driver")
  for _ in $(seq 100); do
    curl -sf -o /dev/null "$HOOKSCOPE_WEBDRIVER/status" && break
    sleep 0.1
  done
  local rc=0
  PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -q -p no:cacheprovider --rootdir "$here" "$here/$module" || rc=$?
  kill "$driver" 2>/dev/null || true
  wait "$driver" 2>/dev/null || true
  return "$rc"
}

python="${XDG_CACHE_HOME:-$HOME/.cache}/hookscope/e2e-venv/bin/python"
# Every phase runs; the run fails at the end, naming the phases that failed.
failed=()

HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
export HOOKSCOPE_LISTEN
phase main test_app.py || failed+=(main)

HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
export HOOKSCOPE_LISTEN
phase forward test_forward.py || failed+=(forward)

# Export and import: file dialogs answer these paths (WebDriver cannot drive a native dialog).
mkdir -p "$out/transfer"
rm -f "$out/transfer/"*
HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)" \
  HOOKSCOPE_TEST_SAVE_PATH="$out/transfer/export.har" HOOKSCOPE_TEST_OPEN_PATH="$out/transfer/import.ndjson" \
  phase transfer test_transfer.py || failed+=(transfer)

# Replay, on a fresh app: the receiver's expectations start from an empty store.
HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
export HOOKSCOPE_LISTEN
phase replay test_replay.py || failed+=(replay)

# The port is taken (as by `hookscope serve`) before the app starts.
exec 3< <(python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(600)')
pids+=($!)
holder_port="$(head -n1 <&3)"
HOOKSCOPE_LISTEN="127.0.0.1:$holder_port"
export HOOKSCOPE_LISTEN
phase port-in-use test_port_in_use.py || failed+=(port-in-use)

# The data dir holds a damaged database: the window explains instead of the app vanishing.
HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
export HOOKSCOPE_LISTEN
phase startup-failure test_startup_failure.py || failed+=(startup-failure)

if (( ${#failed[@]} )); then
  echo "e2e: failed phases: ${failed[*]}" >&2
  exit 1
fi
