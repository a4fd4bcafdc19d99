#!/usr/bin/env bash
# Install what building and testing Hookscope needs, idempotently: Debian packages that are
# missing, and nothing else. Safe to run on every `make run` / `make test`.
set -euo pipefail

# Debian packages the build and tests need. Each group says what needs it.
packages=(
  build-essential pkg-config curl ca-certificates   # Rust crates that build C (SQLite is bundled)
  python3 python3-venv                               # provider SDK conformance tests
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
