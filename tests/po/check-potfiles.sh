#!/bin/sh
# Fails when a source file with translatable strings is missing from
# po/POTFILES.in, or when POTFILES.in names a file that does not exist.
set -eu
top=$1
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
for f in $listed; do
  [ -f "$f" ] || { echo "not ok: po/POTFILES.in lists $f, which does not exist"; status=1; }
done
# C sources using _( ), N_( ) or C_( ); UI files with translatable="yes";
# desktop, metainfo and schema templates.
found=$( { grep -rlE '(^|[^A-Za-z0-9_])(N|C)?_\(' --include='*.c' src || true;
           grep -rl 'translatable="yes"' --include='*.ui' src || true;
           find data -name '*.desktop.in*' -o -name '*.metainfo.xml.in*' -o -name '*.gschema.xml' 2>/dev/null || true; } | sort -u)
for f in $found; do
  printf '%s\n' "$listed" | grep -qxF "$f" || { echo "not ok: $f has translatable strings but is not in po/POTFILES.in"; status=1; }
done
[ $status = 0 ] && echo "ok: po/POTFILES.in lists every file with translatable strings"
exit $status
