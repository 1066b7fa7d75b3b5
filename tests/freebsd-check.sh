#!/bin/sh
# FreeBSD compile check: every file that the FreeBSD build compiles (init/freebsd/*.c and the portable
# init/*.c conf/*.c hooks/*.c) is syntax- and type-checked against the FreeBSD 14 headers with the sysroot's
# cc-check; one test per file, then "N passed, N failed". Warder's own directories are -iquote, not -I, so
# that <jail.h> is libjail's and not init/jail.h (warder includes its headers with quotes). A file that needs a
# system header the sysroot does not ship is reported as skipped (named), neither passed nor failed.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
check=${FREEBSD_CC_CHECK:-$here/../shared/freebsd-sysroot/cc-check}
pass=0 fail=0 skip=0 n=0
if [ ! -x "$check" ] && [ ! -f "$check" ]; then
	echo "not ok 1 - cc-check not found at $check"
	echo "0 passed, 1 failed"
	exit 1
fi
out=$(mktemp); trap 'rm -f "$out"' EXIT
for f in init/freebsd/*.c init/*.c conf/*.c hooks/*.c; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if sh "$check" -iquote init -iquote conf -iquote hooks -D_GNU_SOURCE -DWARDER_VERSION='"check"' \
		-DWARDER_DATADIR='"/usr/local/share/warder"' "$f" >"$out" 2>&1 && ! grep -q 'warning:' "$out"; then
		pass=$((pass + 1)); echo "ok $n - $f"
	elif missing=$(sed -n "s/.*fatal error: '\(.*\)' file not found.*/\1/p" "$out" | head -1) && [ -n "$missing" ] &&
		[ ! -e "$(dirname "$check")/include/$missing" ]; then
		# The sysroot lacks this system header: the file cannot be checked here, which is not its fault.
		skip=$((skip + 1)); echo "ok $n - $f # SKIP the sysroot has no <$missing>"
	else
		fail=$((fail + 1)); echo "not ok $n - $f"
		grep -E 'error|warning' "$out" | head -5 | sed 's/^/#   /'
	fi
done
[ "$skip" = 0 ] || echo "# $skip files not checked: system headers missing from the sysroot"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
