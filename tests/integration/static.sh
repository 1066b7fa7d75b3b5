#!/bin/sh
# `make static`, the size build (the OCI image's binary): it links without unwind tables (init/static.ld),
# and it does the real work: the entrypoint's suite and the jail suite
# run against it, their results counted here.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
S=$root/build/static/warder
if ! readelf -SW "$WARDER" 2>/dev/null | grep -q ' \.text\.warder\.hot '; then
	echo "1..0 # SKIP $WARDER is not the default static build (a dynamic or sanitizer build): no size build to test"
	echo "0 passed, 0 failed"
	exit 0
fi
# A make started by a test under `make check` must not take the outer make's jobserver.
(cd "$root" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s static >"$T_TMP/make.log" 2>&1)
ok "make static builds" [ -x "$S" ]
[ -x "$S" ] || { cat "$T_TMP/make.log"; done_testing; exit; }
is "no unwind tables in it" "$(readelf -SW "$S" | grep -c '\.eh_frame')" 0
is "... and no program header that points at them" "$(readelf -lW "$S" | grep -c 'GNU_EH_FRAME')" 0
"$S" -- sh -c 'exit 7'
is "it runs: the command's status comes back" $? 7
"$S" -- sh -c 'kill -TERM $$'
is "... and a signal's as 128+N" $? 143
for suite in entry jail_run; do
	line=$(WARDER=$S sh "$(dirname "$0")/$suite.sh" 2>&1 | tee "$T_TMP/$suite.log" | tail -n 1)
	p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		ok "$suite.sh against make static: a summary line" false
		continue
	fi
	grep '^not ok' "$T_TMP/$suite.log" | sed "s/^/# $suite: /"
	T_PASS=$((T_PASS + p)) T_FAIL=$((T_FAIL + f)) T_N=$((T_N + p + f))
	echo "# $suite.sh against make static: $line"
done
done_testing
