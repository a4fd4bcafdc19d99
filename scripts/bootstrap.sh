#!/usr/bin/env bash
# Install what building and testing Hookscope needs, idempotently: Debian packages that are
# missing, and nothing else. Safe to run on every `make run` / `make test`.
set -euo pipefail

# Debian packages the build and tests need. Each group says what needs it.
packages=(
  build-essential pkg-config curl ca-certificates   # Rust crates that build C (SQLite is bundled)
  python3 python3-venv                               # provider SDK conformance tests, desktop e2e
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev # the desktop app (Tauri: WebKitGTK, tray)
  librsvg2-dev libxdo-dev libssl-dev file
  xvfb xauth webkit2gtk-driver                       # desktop e2e: a display and WebKit's WebDriver
  dbus dbus-x11 dunst                                # desktop e2e: session bus and a notification daemon
  imagemagick fonts-dejavu-core                      # desktop e2e: screenshots, readable text
  x11-utils                                          # package test: xwininfo finds the installed app's window
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js and npm for the conformance tests' @octokit helper: the machine's own when present
# (Debian's dpkg name for it may differ), else Debian's.
if ! command -v npm >/dev/null; then
  echo "bootstrap: installing nodejs npm"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi

command -v cargo >/dev/null || { echo "bootstrap: cargo not found; install Rust from https://rustup.rs" >&2; exit 1; }

# The desktop app's front end and the Tauri CLI, from the committed lockfiles; reinstalled only
# when a lockfile is newer than what is installed.
for dir in . ui; do
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "bootstrap: npm ci in $dir"
    npm --prefix "$dir" ci --no-audit --no-fund --loglevel=error
  fi
done

# WebDriver server for the desktop e2e (it drives WebKitWebDriver); 2.x, from crates.io.
if ! command -v tauri-driver >/dev/null; then
  echo "bootstrap: cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi
