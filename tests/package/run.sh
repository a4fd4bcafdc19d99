#!/usr/bin/env bash
# Install-and-launch test of the Linux packages, as a person would meet them:
#   1. the .deb's metadata and contents (binaries, desktop entry, icons, dependencies), the .rpm's
#      presence, both sizes (reported);
#   2. `apt-get install ./hookscope_*.deb` pulls the dependencies and installs;
#   3. the installed app starts (under the caller's Xvfb), its window opens, and it captures a
#      request posted to it; the installed `hookscope --version` answers;
#   4. removing the package leaves nothing behind but the user's data.
# Usage: tests/package/run.sh BUNDLE_DIR OUT_DIR   (run under xvfb-run; as root or with sudo)
set -euo pipefail

bundle_dir="$1"
out_dir="$2"
mkdir -p "$out_dir"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

fail() { echo "package test: $*" >&2; exit 1; }
step() { echo "==> $*"; }

deb="$(ls "$bundle_dir"/deb/*.deb 2>/dev/null | head -n1)"
rpm="$(ls "$bundle_dir"/rpm/*.rpm 2>/dev/null | head -n1)"
[ -f "$deb" ] || fail "no .deb in $bundle_dir/deb"
[ -f "$rpm" ] || fail "no .rpm in $bundle_dir/rpm"

step "metadata of $(basename "$deb")"
info="$(dpkg-deb --info "$deb")"
echo "$info" | sed 's/^/    /'
package="$(dpkg-deb --field "$deb" Package)"
[ "$package" = hookscope ] || fail "package name is $package, expected hookscope"
depends="$(dpkg-deb --field "$deb" Depends)"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
for field in Version Maintainer Description; do
  [ -n "$(dpkg-deb --field "$deb" "$field")" ] || fail "empty $field"
done

step "contents"
contents="$(dpkg-deb --contents "$deb")"
# dpkg-deb lists paths with or without a leading "./" depending on how the archive was built.
has() { grep -Eq " (\./)?$1\$" <<<"$contents"; }
for path in usr/bin/hookscope-desktop usr/bin/hookscope usr/share/applications/Hookscope.desktop; do
  has "$path" || fail "the .deb lacks $path"
done
for size in 32x32 64x64 128x128 256x256@2 512x512; do
  has "usr/share/icons/hicolor/$size/apps/hookscope-desktop.png" || fail "the .deb lacks the $size icon"
done

deb_bytes="$(stat -c %s "$deb")"
rpm_bytes="$(stat -c %s "$rpm")"
# A budget, reported rather than asserted (the issue's rule for budgets).
echo "    .deb $deb_bytes bytes, .rpm $rpm_bytes bytes (budget: .deb < 15 MB)"

step "apt-get install ./$(basename "$deb")"
$sudo apt-get remove -y -qq hookscope >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$(realpath "$deb")" >/dev/null
desktop_file=/usr/share/applications/Hookscope.desktop
[ -f "$desktop_file" ] || fail "no desktop entry installed"
grep -q '^Categories=Development;Network;' "$desktop_file" || fail "desktop entry categories: $(grep Categories "$desktop_file")"
grep -q '^Exec=hookscope-desktop' "$desktop_file" || fail "desktop entry Exec: $(grep Exec "$desktop_file")"
version="$(/usr/bin/hookscope --version)"
echo "    installed CLI: $version"
grep -q "$(dpkg-deb --field "$deb" Version)" <<<"$version" || fail "CLI version $version does not match the package"

step "launch the installed app"
data="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
started=$(date +%s%N)
HOOKSCOPE_DATA="$data" HOOKSCOPE_LISTEN="127.0.0.1:$port" /usr/bin/hookscope-desktop >"$out_dir/app.log" 2>&1 &
app=$!
cleanup() { kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; }
trap cleanup EXIT
window=""
for _ in $(seq 200); do
  window="$(xwininfo -root -tree 2>/dev/null | grep -m1 '"Hookscope"' || true)"
  [ -n "$window" ] && break
  kill -0 "$app" 2>/dev/null || { cat "$out_dir/app.log" >&2; fail "the app exited"; }
  sleep 0.05
done
[ -n "$window" ] || fail "no Hookscope window after 10 s"
echo "    window after $(( ($(date +%s%N) - started) / 1000000 )) ms: $window"
for _ in $(seq 100); do
  curl -sf -o /dev/null -X POST -d '{"probe":"installed"}' "http://127.0.0.1:$port/pkg" && break
  sleep 0.1
done
events="$(/usr/bin/hookscope list --data "$data" --json)"
grep -q '"/pkg"' <<<"$events" || fail "the installed app did not capture the request: $events"
sleep 1
import -window root "$out_dir/installed-app.png" 2>/dev/null || true
cleanup
trap - EXIT

step "remove the package"
$sudo apt-get remove -y -qq hookscope >/dev/null
for path in /usr/bin/hookscope-desktop /usr/bin/hookscope "$desktop_file" /usr/share/icons/hicolor/128x128/apps/hookscope-desktop.png; do
  [ ! -e "$path" ] || fail "$path is still there after removal"
done
left="$(dpkg -L hookscope 2>/dev/null || true)"
[ -z "$left" ] || fail "dpkg still lists files: $left"
[ -f "$data/hookscope.sqlite" ] || fail "the user's data went with the package"
echo "package test: all checks passed (user data kept in $data)"
