#!/usr/bin/env bash
# Provider-SDK conformance tests: Hookscope's signatures checked against the official SDKs.
# Usage: HOOKSCOPE_BIN=path/to/hookscope bash tests/conformance/run.sh [pytest args]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
: "${HOOKSCOPE_BIN:?set HOOKSCOPE_BIN to the hookscope binary (cargo build -p hookscope-cli)}"
[ -x "$HOOKSCOPE_BIN" ] || { echo "conformance: $HOOKSCOPE_BIN is not executable" >&2; exit 1; }
export HOOKSCOPE_BIN

# The venv lives outside the repo; reinstall only when requirements.txt changed.
venv="${XDG_CACHE_HOME:-$HOME/.cache}/hookscope/conformance-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$stamp"
fi

# Node helper's dependency, from the committed lockfile.
if [ ! -d "$here/node_modules/@octokit/webhooks-methods" ]; then
  (cd "$here" && npm ci --silent --no-audit --no-fund)
fi

cd "$repo"
PYTHONDONTWRITEBYTECODE=1 exec "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/conformance "$@"
