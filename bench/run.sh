#!/usr/bin/env bash
# Hookscope benchmark driver.
#
# Invoked as `make bench`, which runs `bash bench/run.sh` from the repo root
# (it also works from anywhere: it cds to the repo root itself).
#
# Measures, with wrk POSTing ~1 KiB JSON (bench/payload.json via bench/post.lua):
#   hookscope  `hookscope serve`: every request durably stored in SQLite (fsync) before its 2xx
#   hookscope-normal  the same with `--sync normal`: committed (survives kill -9), no fsync
#   ceiling    `bench-ceiling`: bare axum reading each body and storing nothing
#   mockttp    HTTP Toolkit's engine, recording requests in memory (bench/mockttp)
# and prints req/s, p50, p99 and the ratio to the ceiling, then PASS/MISS lines
# for hookscope's targets (>= 0.5x ceiling, p99 < 10 ms) and whether it stored
# every request it answered. Targets are reported, not asserted: the exit code
# is non-zero only when a target fails to start or wrk fails.
#
# wrk runs on the same 2-core machine as the server, so absolute figures are
# lower than on dedicated hardware; the ratio to the ceiling is what compares.
#
# Environment:
#   BENCH_DURATION     wrk run length per target (default 10s; a 2s warm-up precedes it)
#   BENCH_CONNECTIONS  wrk connections (default 64; always 2 wrk threads)
#   BENCH_TARGETS      space-separated subset of "hookscope hookscope-normal ceiling mockttp"
#   HOOKSCOPE_BIN      benchmark this hookscope binary instead of building hookscope-cli
#   CARGO_TARGET_DIR   honoured for the release build (default: <repo>/target)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

duration="${BENCH_DURATION:-10s}"
connections="${BENCH_CONNECTIONS:-64}"
targets="${BENCH_TARGETS:-hookscope hookscope-normal ceiling mockttp}"
warmup=2s
export BENCH_PAYLOAD="$root/bench/payload.json"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for t in $targets; do
    case "$t" in hookscope | hookscope-normal | ceiling | mockttp) ;; *) die "unknown target '$t' in BENCH_TARGETS" ;; esac
done
wants() { [[ " $targets " == *" $1 "* ]]; }

# --- processes and temp files, cleaned up whatever happens -------------------
work="$(mktemp -d -t hookscope-bench.XXXXXX)"
server_pid=""
stop_server() {
    [[ -n "$server_pid" ]] || return 0
    kill -TERM "$server_pid" 2>/dev/null || true
    # Give it 5 s to exit (mockttp prints its recorded count on the way out).
    for _ in $(seq 50); do
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- tools ------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; } ||
        die "could not install wrk"
fi
if wants mockttp && [[ ! -d bench/mockttp/node_modules ]]; then
    log "npm ci in bench/mockttp"
    # --omit=optional skips tls-impersonate, a native addon used only for TLS
    # fingerprinting, which plain-HTTP benchmarking never loads.
    (cd bench/mockttp && npm ci --omit=optional --no-audit --no-fund --loglevel=error) || die "npm ci failed"
fi

packages=(-p hookscope-bench)
if { wants hookscope || wants hookscope-normal; } && [[ -z "${HOOKSCOPE_BIN:-}" ]]; then
    packages+=(-p hookscope-cli)
fi
log "cargo build --release ${packages[*]}"
cargo build --release --quiet "${packages[@]}" || die "cargo build failed"
bin_dir="$(cd "${CARGO_TARGET_DIR:-$root/target}" && pwd)/release"
hookscope_bin="${HOOKSCOPE_BIN:-$bin_dir/hookscope}"

# --- helpers ----------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# First port from 18400 up that nothing on loopback accepts connections on.
free_port() {
    local p
    for p in $(seq 18400 18999); do
        port_open "$p" || { echo "$p"; return 0; }
    done
    die "no free port in 18400-18999"
}

# start_server NAME PORT LOGFILE CMD... : runs CMD in the background and waits
# up to 30 s for PORT to accept connections (TCP only: an HTTP probe would be
# captured by hookscope and skew the stored count).
start_server() {
    local name="$1" port="$2" logfile="$3"
    shift 3
    "$@" >"$logfile" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        port_open "$port" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    sed 's/^/    /' "$logfile" >&2
    die "$name did not start listening on 127.0.0.1:$port"
}

# run_wrk DURATION URL OUTFILE : wrk with the shared script; fails if wrk does
# or if it completed no request.
run_wrk() {
    wrk -t2 -c"$connections" -d"$1" --latency -s bench/post.lua "$2" >"$3" 2>&1 ||
        { cat "$3" >&2; die "wrk failed against $2"; }
    grep -q '^wrk-summary ' "$3" || { cat "$3" >&2; die "wrk printed no summary for $2"; }
    [[ "$(field requests "$3")" -gt 0 ]] || { cat "$3" >&2; die "wrk completed no request against $2"; }
}

# Percent of CPU time idle over one second, from /proc/stat: taken before each
# target's run so the reader sees whether something else (a build) competed
# for the cores.
idle_pct() {
    local _ u n s i w q sq st t1 i1
    read -r _ u n s i w q sq st _ </proc/stat
    t1=$((u + n + s + i + w + q + sq + st)) i1=$((i + w))
    sleep 1
    read -r _ u n s i w q sq st _ </proc/stat
    echo $((100 * (i + w - i1) / (u + n + s + i + w + q + sq + st - t1)))
}

# field KEY FILE : a value from the wrk-summary line.
field() { sed -n "s/^wrk-summary .*\\b$1=\\([0-9]*\\).*/\\1/p" "$2"; }

# --- runs -------------------------------------------------------------------
declare -A idle rps p50 p99 answered non2xx sockerr
notes=()

bench_target() {
    local name="$1" url="$2" out="$work/$1.wrk"
    idle[$name]="$(idle_pct)"
    log "$name: warm-up $warmup, then $duration with $connections connections at $url"
    run_wrk "$warmup" "$url" "$work/$name.warmup"
    run_wrk "$duration" "$url" "$out"
    rps[$name]="$(awk -v r="$(field requests "$out")" -v d="$(field duration_us "$out")" 'BEGIN { printf "%.0f", r / (d / 1e6) }')"
    p50[$name]="$(awk -v u="$(field p50_us "$out")" 'BEGIN { printf "%.2f", u / 1000 }')"
    p99[$name]="$(awk -v u="$(field p99_us "$out")" 'BEGIN { printf "%.2f", u / 1000 }')"
    local f total=0 bad=0 errs=0
    for f in "$work/$name.warmup" "$out"; do
        total=$((total + $(field requests "$f")))
        bad=$((bad + $(field status "$f")))
        errs=$((errs + $(field connect "$f") + $(field read "$f") + $(field write "$f") + $(field timeout "$f")))
    done
    answered[$name]=$total
    non2xx[$name]=$bad
    sockerr[$name]=$errs
}

for target in $targets; do
    port="$(free_port)"
    url="http://127.0.0.1:$port/bench/hook"
    case "$target" in
    hookscope | hookscope-normal)
        [[ -x "$hookscope_bin" ]] || die "no hookscope binary at $hookscope_bin"
        sync=full
        [[ "$target" == hookscope-normal ]] && sync=normal
        data="$work/$target-data"
        mkdir -p "$data"
        start_server "$target" "$port" "$work/$target.log" "$hookscope_bin" serve --listen "127.0.0.1:$port" --data "$data" --sync "$sync"
        bench_target "$target" "$url"
        stop_server
        # Counted once the server has exited, so the store is quiescent.
        stored="$("$hookscope_bin" export --data "$data" --format ndjson | wc -l)" ||
            die "hookscope export failed"
        ok=$((answered[$target] - non2xx[$target]))
        # wrk drops responses still in flight when each of its two runs ends,
        # so hookscope may hold up to 2 x connections more than wrk counted.
        if ((stored >= ok)); then verdict=PASS; else verdict=MISS; fi
        notes+=("$(printf '%-4s %s stored every answered request: %d stored, %d answered with status < 400 by wrk (warm-up + run; up to %d more may have been in flight at wrk'\''s stops)' \
            "$verdict" "$target" "$stored" "$ok" $((2 * connections)))")
        ;;
    ceiling)
        start_server ceiling "$port" "$work/ceiling.log" "$bin_dir/bench-ceiling" --listen "127.0.0.1:$port"
        bench_target ceiling "$url"
        stop_server
        ;;
    mockttp)
        start_server mockttp "$port" "$work/mockttp.log" node bench/mockttp/server.mjs --port "$port"
        bench_target mockttp "$url"
        stop_server
        recorded="$(sed -n 's/^recorded \([0-9]*\) requests$/\1/p' "$work/mockttp.log")"
        notes+=("mockttp recorded ${recorded:-?} requests in memory; wrk counted ${answered[mockttp]} answered (warm-up + run)")
        ;;
    esac
done

# --- report -----------------------------------------------------------------
echo
printf 'wrk -t2 -c%s -d%s, %d-byte JSON POSTs, %s cores\n' "$connections" "$duration" \
    "$(wc -c <"$BENCH_PAYLOAD")" "$(nproc)"
printf '%-10s %10s %8s %8s %9s %9s %9s %7s\n' target 'req/s' 'p50 ms' 'p99 ms' 'x ceiling' '>=400' 'sock err' 'idle %'
for target in $targets; do
    ratio=-
    if [[ -n "${rps[ceiling]:-}" ]]; then
        ratio="$(awk -v a="${rps[$target]}" -v c="${rps[ceiling]}" 'BEGIN { printf "%.2f", a / c }')"
    fi
    printf '%-10s %10s %8s %8s %9s %9s %9s %7s\n' "$target" "${rps[$target]}" "${p50[$target]}" "${p99[$target]}" \
        "$ratio" "${non2xx[$target]}" "${sockerr[$target]}" "${idle[$target]}"
done
echo
echo "(>=400, sock err: wrk's counts over warm-up + run; idle %: CPU idle in the second before the"
echo " warm-up, well under 100 means something else was competing for the cores)"

for target in hookscope hookscope-normal; do
    wants "$target" || continue
    if [[ -n "${rps[ceiling]:-}" ]]; then
        ratio="$(awk -v a="${rps[$target]}" -v c="${rps[ceiling]}" 'BEGIN { printf "%.2f", a / c }')"
        verdict="$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5 ? "PASS" : "MISS") }')"
        printf '%-4s %s throughput >= 0.5x ceiling: %sx\n' "$verdict" "$target" "$ratio"
    else
        echo "---- $target throughput >= 0.5x ceiling: not measured (ceiling not in BENCH_TARGETS)"
    fi
    verdict="$(awk -v p="${p99[$target]}" 'BEGIN { print (p < 10 ? "PASS" : "MISS") }')"
    printf '%-4s %s p99 < 10 ms: %s ms\n' "$verdict" "$target" "${p99[$target]}"
done
for n in "${notes[@]}"; do echo "$n"; done

# --- the analysis on the capture path, without HTTP -------------------------
echo
"$bin_dir/bench-analysis" "$BENCH_PAYLOAD" | tee "$work/analysis.txt" || die "bench-analysis failed"
if wants hookscope; then
    # The share of the CPU the capture path has per request at the measured rate (all cores),
    # that the analysis takes: the issue's budget is 10 %.
    signed_us="$(sed -n 's/.*Stripe-signed: *\([0-9.]*\) µs.*/\1/p' "$work/analysis.txt")"
    awk -v a="$signed_us" -v r="${rps[hookscope]}" -v c="$(nproc)" 'BEGIN {
        share = 100 * a * r / (c * 1e6)
        printf "%-4s analysis share of the CPU per request at %d req/s: %.1f %% (budget 10 %%)\n", (share <= 10 ? "PASS" : "MISS"), r, share }'
fi
