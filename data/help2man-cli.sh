#!/bin/sh
# help2man-cli.sh: what help2man reads for ziti-enroll-cli(1). It runs the binary named
# by $ZE_CLI: "--help" prints the top-level help, then each command's own --help under a
# "Command NAME:" heading; "--version" is passed through. help2man turns the result into
# the man page, so the man page and --help come from the same text.
set -eu
cli=${ZE_CLI:?ZE_CLI must name the ziti-enroll-cli binary}

case ${1:-} in
  --version)
    exec "$cli" --version ;;
  --help)
    # A blank line before "Commands:" makes help2man give it a heading of its own.
    "$cli" --help | sed -e 's/^Commands:$/\
&/'
    for command in $("$cli" --help | sed -n '/^Commands:$/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p'); do
      printf '\nCommand %s:\n' "$command"
      "$cli" "$command" --help | sed -e '1{/^Usage:$/d;}' -e '/^Help Options:$/,/^$/d'
    done ;;
  *)
    echo "usage: ZE_CLI=BINARY $0 --help|--version" >&2
    exit 2 ;;
esac
