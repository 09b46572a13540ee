#!/bin/sh
# check-translations.sh SRCDIR: every language in po/LINGUAS translates every
# message of the current sources, with none fuzzy; one TAP line per check.
# The template is extracted afresh here (same xgettext arguments as meson's
# glib preset), so a new string in the code fails the test until translated.
set -u
src=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ze-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

xgettext --package-name=ziti-enroll --directory="$src" --files-from="$src/po/POTFILES.in" \
  --output="$tmp/ziti-enroll.pot" \
  --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format --flag=g_print:1:c-format \
  --flag=g_printerr:1:c-format --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
  --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format 2>"$tmp/xgettext.err" || {
  echo "1..1"; echo "not ok 1 - xgettext failed"; sed 's/^/# /' "$tmp/xgettext.err"; exit 1; }

langs=$(grep -v '^#' "$src/po/LINGUAS" | tr -s ' \n' '  ')
n=0 failed=0
count=$(printf '%s\n' $langs | grep -c .)
echo "1..$((count * 2))"

check() {  # check DESCRIPTION FILE: all translated, none fuzzy, format strings right
  n=$((n + 1))
  stats=$(msgfmt --check --statistics -o /dev/null "$2" 2>&1)
  if [ $? -eq 0 ] && ! printf '%s' "$stats" | grep -Eq 'untranslated|fuzzy'; then
    echo "ok $n - $1: $stats"
  else
    echo "not ok $n - $1"
    printf '%s\n' "$stats" | sed 's/^/# /'
    failed=1
  fi
}

for lang in $langs; do
  check "po/$lang.po is complete" "$src/po/$lang.po"
  msgmerge --quiet --no-fuzzy-matching --output-file="$tmp/$lang.po" "$src/po/$lang.po" "$tmp/ziti-enroll.pot"
  check "po/$lang.po covers every message of the sources" "$tmp/$lang.po"
done

exit $failed
