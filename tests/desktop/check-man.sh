#!/bin/sh
# check-man.sh CLI CLI_MAN GUI GUI_MAN: the man pages say what the binaries' --help says.
# ziti-enroll-cli(1) must name every command listed by "ziti-enroll-cli --help" with its
# summary, every option of each command, and the whole exit-status table; ziti-enroll(1),
# written by hand, must name every option of "ziti-enroll --help-all". Prints TAP.
set -u

cli=${1:?usage: check-man.sh CLI CLI_MAN GUI GUI_MAN}
cli_man=${2:?}
gui=${3:?}
gui_man=${4:?}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# The text of a man page on one line: no comments, no requests, no font escapes, and
# whitespace and quotes collapsed, so that "0  success" matches ".TP\n0\nsuccess".
man_text() {
  sed -e '/^\.\\"/d' -e 's/^[.'"'"'][A-Za-z]*[[:space:]]*//' \
      -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[A-Z]*\]//g' \
      -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\(aq/'"'"'/g' -e 's/\\(lq/“/g' -e 's/\\(rq/”/g' \
      "$1" | norm
}
norm() { tr '\n\t"' '   ' | tr -s ' '; }
# mentions PAGE_TEXT DESCRIPTION TEXT
mentions() {
  needle=$(printf '%s' "$3" | norm | sed 's/^ //; s/ $//')
  case $1 in
    *"$needle"*) ok "$2" ;;
    *) not_ok "$2"; echo "# not found: $needle" ;;
  esac
}

LC_ALL=C.UTF-8
export LC_ALL
set -f          # no globbing: help lines are split on newlines only
old_ifs=$IFS
nl='
'

for page in "$cli_man" "$gui_man"; do
  if [ -s "$page" ]; then ok "$(basename "$page") exists"; else not_ok "$(basename "$page") exists"; fi
  if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -k -man -ww -z "$page" 2>&1)   # -k: UTF-8 input, as man(1) reads it
    if [ -z "$warnings" ]; then
      ok "$(basename "$page") formats without warnings"
    else
      not_ok "$(basename "$page") formats without warnings"
      printf '%s\n' "$warnings" | sed 's/^/# /'
    fi
  fi
done

help=$("$cli" --help)
text=$(man_text "$cli_man")

mentions "$text" "ziti-enroll-cli.1 has the version of the binary" "$("$cli" --version)"

# "Commands:" … blank line: "  NAME  SUMMARY".
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z0-9-]*\)  *\(.*\)$/\1 \2/p')
if [ -n "$commands" ]; then ok "ziti-enroll-cli --help lists commands"; else not_ok "ziti-enroll-cli --help lists commands"; fi
IFS=$nl
for line in $commands; do
  IFS=$old_ifs
  command=${line%% *}
  mentions "$text" "ziti-enroll-cli.1 names command '$command' with its summary" "$line"
  mentions "$text" "ziti-enroll-cli.1 has a section for '$command'" "Command $command:"
  # That command's section: from its heading to the next command's.
  section=${text#*"Command $command:"}
  section=${section%%" Command "[a-z]*:*}
  for option in $("$cli" "$command" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
    [ "$option" = --help ] && continue
    mentions "$section" "ziti-enroll-cli.1 documents '$command $option'" "$option"
  done
  IFS=$nl
done
IFS=$old_ifs

# "Exit status:" … blank line: "  N  MEANING".
statuses=$(printf '%s\n' "$help" | sed -n '/^Exit status:$/,/^$/s/^  \([0-9][0-9]*\)  *\(.*\)$/\1 \2/p')
if [ -n "$statuses" ]; then ok "ziti-enroll-cli --help has an exit-status table"; else not_ok "ziti-enroll-cli --help has an exit-status table"; fi
mentions "$text" "ziti-enroll-cli.1 has the exit-status heading" "Exit status:"
IFS=$nl
for line in $statuses; do
  mentions "$text" "ziti-enroll-cli.1 lists exit status ${line%% *}" "$line"
done
IFS=$old_ifs

gui_text=$(man_text "$gui_man")
options=$("$gui" --help-all 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
if [ -n "$options" ]; then ok "ziti-enroll --help-all lists options"; else not_ok "ziti-enroll --help-all lists options"; fi
for option in $options; do
  mentions "$gui_text" "ziti-enroll.1 documents '$option'" "$option"
done

echo "1..$n"
[ "$failed" -eq 0 ]
