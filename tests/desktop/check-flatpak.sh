#!/bin/sh
# check-flatpak.sh MANIFEST APP_ID: what can be checked of the Flatpak offline. The
# manifest is valid JSON, flatpak-builder parses it with no unknown key, it builds this
# meson project from the source tree, and the sandbox holds no more than it needs (no
# filesystem access). Prints TAP.
set -u

manifest=${1:?usage: check-flatpak.sh MANIFEST APP_ID}
app_id=${2:?}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ze-flatpak.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() {
  what=$1; shift
  if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; fi
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
}

check "manifest is valid JSON" python3 -m json.tool "$manifest" "$tmp/manifest.json"

if command -v flatpak-builder >/dev/null 2>&1; then
  # --show-manifest leaves a .flatpak-builder/ in the working directory: use ours.
  if out=$(cd "$tmp" && HOME="$tmp" XDG_CACHE_HOME="$tmp/cache" G_DEBUG=fatal-warnings \
           flatpak-builder --show-manifest "$manifest" 2>&1 >/dev/null); then
    ok "flatpak-builder --show-manifest (fatal warnings)"
  else
    not_ok "flatpak-builder --show-manifest (fatal warnings)"
    printf '%s\n' "$out" | sed 's/^/# /'
  fi
else
  n=$((n + 1)); echo "ok $n - flatpak-builder --show-manifest # SKIP flatpak-builder not found"
fi

# One line per finding; none means the manifest is as intended.
check "manifest: GNOME runtime, this project, no filesystem access" python3 - "$manifest" "$app_id" <<'PY'
import json, sys

manifest = json.load(open(sys.argv[1], encoding="utf-8"))
problems = []

def expect(key, value):
    if manifest.get(key) != value:
        problems.append("%s is %r, expected %r" % (key, manifest.get(key), value))

expect("id", sys.argv[2])
expect("runtime", "org.gnome.Platform")
expect("sdk", "org.gnome.Sdk")
expect("runtime-version", "47")
expect("command", "ziti-enroll")

allowed = {"--share=network", "--socket=wayland", "--socket=fallback-x11",
           "--device=dri", "--share=ipc"}
for arg in manifest.get("finish-args", []):
    if arg not in allowed:
        problems.append("finish-args has %s (the sandbox uses portals)" % arg)

modules = manifest.get("modules", [])
ours = [m for m in modules if isinstance(m, dict) and m.get("name") == "ziti-enroll"]
if len(ours) != 1 or modules[-1] is not ours[0]:
    problems.append("the last module must be ziti-enroll")
else:
    module = ours[0]
    if module.get("buildsystem") != "meson":
        problems.append("ziti-enroll is not built with meson")
    if {"type": "dir", "path": ".."} not in [{k: s.get(k) for k in ("type", "path")}
                                            for s in module.get("sources", [])]:
        problems.append("ziti-enroll is not built from the source tree (dir ..)")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY

echo "1..$n"
[ "$failed" -eq 0 ]
