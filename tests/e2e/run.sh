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

# The app takes its environment from tauri-driver's process, so export it before starting it.
export HOOKSCOPE_DATA="$out/data"
HOOKSCOPE_LISTEN="127.0.0.1:$(free_port)"
export HOOKSCOPE_LISTEN
export HOOKSCOPE_APP="$app" HOOKSCOPE_E2E_OUT="$out"
rm -rf "$HOOKSCOPE_DATA"

dbus-monitor "interface='org.freedesktop.Notifications',member='Notify'" > "$out/dbus.log" 2>&1 &
monitor=$!
tauri-driver --port 4444 > "$out/tauri-driver.log" 2>&1 &
driver=$!
cleanup() { kill "$driver" "$monitor" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:4444/status && break
  sleep 0.1
done

export HOOKSCOPE_DBUS_LOG="$out/dbus.log"
PYTHONDONTWRITEBYTECODE=1 "${XDG_CACHE_HOME:-$HOME/.cache}/hookscope/e2e-venv/bin/python" -m pytest -q -p no:cacheprovider "$here/test_app.py"
