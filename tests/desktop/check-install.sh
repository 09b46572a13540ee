#!/bin/sh
# check-install.sh BUILD_DIR: install the build into a temporary DESTDIR, check that every
# desktop-integration file is where it belongs, validate the installed files, and check
# in a throw-away XDG environment that a .jwt file is application/jwt and opens with us.
# Then `gapplication launch` through the installed D-Bus service on a private bus.
# Prints TAP. Environment (set by tests/desktop/meson.build): APP_ID, SCHEMA_ID, PREFIX,
# BINDIR, DATADIR, MANDIR, HAVE_CLI_MAN (true|false), ZE_TEST_CONTROLLER, MESON
# (default: meson).
set -u

build=${1:?usage: check-install.sh BUILD_DIR}
: "${APP_ID:?}" "${SCHEMA_ID:?}" "${PREFIX:?}" "${BINDIR:?}" "${DATADIR:?}" "${MANDIR:?}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ze-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND…: one TAP line; the command's output goes to the log as comments.
check() {
  what=$1; shift
  if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; fi
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
}
# is DESCRIPTION EXPECTED ACTUAL
is() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; echo "# expected '$2', got '$3'"; fi
}
in_prefix() {
  case $1 in
    /*) printf '%s%s' "$tmp/root" "$1" ;;
    *) printf '%s%s/%s' "$tmp/root" "$PREFIX" "$1" ;;
  esac
}

check "meson install --destdir" \
  "${MESON:-meson}" install -C "$build" --no-rebuild --quiet --destdir "$tmp/root"

bin=$(in_prefix "$BINDIR")
data=$(in_prefix "$DATADIR")
man1=$(in_prefix "$MANDIR")/man1
desktop=$data/applications/$APP_ID.desktop
metainfo=$data/metainfo/$APP_ID.metainfo.xml

for f in "$bin/ziti-enroll" "$bin/ziti-enroll-cli" "$desktop" "$metainfo" \
         "$data/mime/packages/$APP_ID.xml" \
         "$data/icons/hicolor/scalable/apps/$APP_ID.svg" \
         "$data/icons/hicolor/symbolic/apps/$APP_ID-symbolic.svg" \
         "$data/glib-2.0/schemas/$SCHEMA_ID.gschema.xml" \
         "$man1/ziti-enroll.1"; do
  if [ -s "$f" ]; then ok "installed ${f#"$tmp/root"}"; else not_ok "installed ${f#"$tmp/root"}"; fi
done
if [ "${HAVE_CLI_MAN:-false}" = true ]; then
  if [ -s "$man1/ziti-enroll-cli.1" ]; then ok "installed ${man1#"$tmp/root"}/ziti-enroll-cli.1"; else not_ok "installed ${man1#"$tmp/root"}/ziti-enroll-cli.1"; fi
else
  skip "installed ${man1#"$tmp/root"}/ziti-enroll-cli.1" "help2man not found"
fi

check "installed ziti-enroll-cli runs" "$bin/ziti-enroll-cli" --version

# The validators, on the installed files.
check "desktop-file-validate (installed)" desktop-file-validate "$desktop"
check "appstreamcli validate (installed)" appstreamcli validate --no-net --explain "$metainfo"
check "glib-compile-schemas --strict (installed)" \
  glib-compile-schemas --strict --dry-run "$data/glib-2.0/schemas"

# The files point at each other: Icon= names the installed icon, the metainfo launches
# the installed desktop file, and the desktop file handles the installed MIME type.
is "desktop Icon= is the app id" "$APP_ID" "$(sed -n 's/^Icon=//p' "$desktop")"
is "desktop Exec= opens a file" "ziti-enroll %f" "$(sed -n 's/^Exec=//p' "$desktop")"
is "metainfo launchable is the desktop file" "$APP_ID.desktop" \
  "$(sed -n 's:.*<launchable type="desktop-id">\(.*\)</launchable>.*:\1:p' "$metainfo")"
is "metainfo id is the app id" "$APP_ID" "$(sed -n 's:.*<id>\(.*\)</id>.*:\1:p' "$metainfo")"

# The installed schema compiles and holds every key, with its default.
mkdir -p "$tmp/schemas"
if out=$(glib-compile-schemas --strict --targetdir="$tmp/schemas" "$data/glib-2.0/schemas" 2>&1); then
  keys=$(gsettings --schemadir "$tmp/schemas" list-keys "$SCHEMA_ID" 2>&1 | sort | tr '\n' ' ')
  is "schema keys" "last-key-type last-store trusted-controllers window-height window-maximized window-width " "$keys"
  is "trusted-controllers is empty by default" "@a{ss} {}" \
    "$(GSETTINGS_BACKEND=memory gsettings --schemadir "$tmp/schemas" get "$SCHEMA_ID" trusted-controllers 2>&1)"
else
  printf '%s\n' "$out" | sed 's/^/# /'
  not_ok "schema keys"
  not_ok "trusted-controllers is empty by default"
fi

# A throw-away XDG environment that sees only the installed files and the system's
# MIME database (text/plain). GIO ignores a handler whose Exec= is not on PATH.
export XDG_DATA_HOME="$tmp/home/data" XDG_CONFIG_HOME="$tmp/home/config"
export XDG_DATA_DIRS="$data:/usr/share" XDG_CONFIG_DIRS="$tmp/etc-xdg"
export PATH="$bin:$PATH"
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION GNOME_DESKTOP_SESSION_ID KDE_FULL_SESSION 2>/dev/null || true
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CONFIG_DIRS"
check "update-mime-database" update-mime-database "$data/mime"
check "update-desktop-database" update-desktop-database "$data/applications"

token=$tmp/token.jwt
printf 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXZpY2UifQ.c2ln\n' > "$token"

is "gio info: a .jwt file is application/jwt" application/jwt \
  "$(gio info -a standard::content-type "$token" 2>&1 | sed -n 's/^ *standard::content-type: //p')"
is "xdg-mime query filetype: application/jwt" application/jwt \
  "$(xdg-mime query filetype "$token" 2>&1)"
gio_default=$(gio mime application/jwt 2>&1)
is "gio mime: our desktop file is the default handler" "$APP_ID.desktop" \
  "$(printf '%s\n' "$gio_default" | sed -n 's/^Default application for .*: //p')"
is "xdg-mime query default application/jwt" "$APP_ID.desktop" \
  "$(xdg-mime query default application/jwt 2>&1)"
is "the MIME database describes application/jwt" "<comment>OpenZiti enrollment token</comment>" \
  "$(grep -o '<comment>[^<]*</comment>' "$data/mime/application/jwt.xml" 2>&1 | head -n 1)"

# D-Bus activation, the way GNOME Shell and `gapplication launch APP_ID FILE` start us:
# a private session bus that knows only the installed service (its Exec= pointed into
# the DESTDIR), a fresh token from the local controller on loopback, and the app must
# open it on the Controller page, which connects at once: the controller's log shows
# the handshake and the CA bundle GET, and no enrollment.
service=$data/dbus-1/services/$APP_ID.service
is "D-Bus service Name= is the app id" "$APP_ID" "$(sed -n 's/^Name=//p' "$service")"
is "D-Bus service Exec= runs the installed binary as a service" \
  "$PREFIX/$BINDIR/ziti-enroll --gapplication-service" "$(sed -n 's/^Exec=//p' "$service")"
is "the desktop file is D-Bus activatable" true "$(sed -n 's/^DBusActivatable=//p' "$desktop")"

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -z "${ZE_TEST_CONTROLLER:-}" ]; then
  skip "gapplication launch opens a token on the Controller page" "no display (run under ./run test)"
else
  ctl=$tmp/controller
  mkdir -p "$tmp/services"
  sed "s|^Exec=[^ ]*|Exec=$bin/ziti-enroll|" "$service" > "$tmp/services/$APP_ID.service"
  cat > "$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
  "$ZE_TEST_CONTROLLER" init "$ctl" >/dev/null
  "$ZE_TEST_CONTROLLER" serve "$ctl" --port 0 >"$tmp/serve.out" 2>&1 &
  ctl_pid=$!
  i=0
  until grep -q '^listening on ' "$tmp/serve.out" 2>/dev/null || [ $i -ge 100 ]; do
    i=$((i + 1)); sleep 0.1
  done
  "$ZE_TEST_CONTROLLER" token "$ctl" --method ott --out "$tmp/launched.jwt"
  # The app inherits this environment from the bus: the installed schema, no dconf.
  GSETTINGS_SCHEMA_DIR="$tmp/schemas" GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1 \
    dbus-run-session --config-file="$tmp/bus.conf" -- sh -c '
      gapplication launch "$1" "$2" || exit 1
      i=0
      until grep -q "^request GET" "$3/access.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 300 ] || exit 2; sleep 0.1
      done
      gapplication action "$1" quit' sh "$APP_ID" "$tmp/launched.jwt" "$ctl" \
    >"$tmp/launch.log" 2>&1
  rc=$?
  is "gapplication launch starts the app and it opens the token on the Controller page" 0 "$rc"
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/launch.log"
  is "the Controller page connected once and fetched the CA bundle, and sent nothing" "1 1 0" \
    "$(grep -c '^connection' "$ctl/access.log" 2>/dev/null) $(grep -c '^request GET' "$ctl/access.log" 2>/dev/null) $(grep -c '^request POST' "$ctl/access.log" 2>/dev/null)"
  kill "$ctl_pid" 2>/dev/null
  wait "$ctl_pid" 2>/dev/null
fi

echo "1..$n"
[ "$failed" -eq 0 ]
