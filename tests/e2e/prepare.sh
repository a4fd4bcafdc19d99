#!/usr/bin/env bash
# The e2e test's Python environment (selenium, pytest from PyPI), outside the repo; reinstalled
# only when requirements.txt changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/hookscope/e2e-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" > "$stamp"
fi
command -v tauri-driver >/dev/null || { echo "e2e: tauri-driver missing: run scripts/bootstrap.sh" >&2; exit 1; }
command -v WebKitWebDriver >/dev/null || { echo "e2e: WebKitWebDriver missing: run scripts/bootstrap.sh" >&2; exit 1; }
