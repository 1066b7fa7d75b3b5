#!/bin/sh
# cstring.sh NAME FILE: print FILE as the C definition `const char NAME[]`, so that the binary carries the
# file itself and no hand-kept copy can drift from it (the Makefile and tests/fuzz/build.sh run this).
set -eu
[ $# = 2 ] && [ -r "$2" ] || { echo "usage: cstring.sh NAME FILE" >&2; exit 64; }
tab=$(printf '\t')
printf '/* Generated from %s by conf/cstring.sh: edit that file, not this one. */\n\nconst char %s[] =\n' "$2" "$1"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/^/$tab\"/" -e 's/$/\\n"/' "$2"
printf '\t"";\n'
