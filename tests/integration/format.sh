#!/bin/sh
# Every C file of the tree is as .clang-format writes it: one style, kept by a tool rather than by review.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
for f in $(find conf hooks init lib tests -name '*.[ch]' | sort); do
	ok "$f is formatted" clang-format --dry-run -Werror "$f"
done
# The check can fail: a file with a misplaced brace is reported.
printf 'int f(void) {\nreturn 0; }\n' >"$T_TMP/bad.c"
ok "a badly formatted file is reported" sh -c "! clang-format --style=file:$top/.clang-format --dry-run -Werror $T_TMP/bad.c 2>/dev/null"
done_testing
