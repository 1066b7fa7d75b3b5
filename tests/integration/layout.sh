#!/bin/sh
# The static binary's layout (init/layout.ld, Makefile): the gathered code is in an executable segment and
# the gathered read-only data in one that is not (placed before .rodata, GNU ld would have put it in the
# code's segment), and what a container's PID 1 runs sits in the gathered part. Then the tracer that
# `make layout` uses (tests/tools/steptrace.c) on the entrypoint: one log per process, the first step at
# the entry point.
. "$(dirname "$0")/lib.sh"
W=$WARDER
if ! readelf -SW "$W" 2>/dev/null | grep -q ' \.text\.warder\.hot '; then
	echo "1..0 # SKIP $W is not linked with init/layout.ld (a dynamic or sanitizer build)"
	echo "0 passed, 0 failed"
	exit 0
fi
# segment NAME: the flags of the LOAD segment holding section NAME (R, R E, RW)
segment() {
	readelf -lW "$W" | awk -v s="$1" '
		/^Program Headers/ { ph = 1; next }
		ph && /^  [A-Z]/ && $1 != "Type" {
			f = ""; for (i = 7; i < NF; i++) f = f (f == "" ? "" : " ") $i
			type[n] = $1; flags[n] = f; n++ }
		/Section to Segment mapping/ { ph = 0; map = 1; next }
		map && $1 ~ /^[0-9]+$/ { for (i = 2; i <= NF; i++) if ($i == s && type[$1 + 0] == "LOAD") print flags[$1 + 0] }'
}
is "the gathered code is in an executable segment" "$(segment .text.warder.hot)" "R E"
is "... as the rest of the code" "$(segment .text)" "R E"
is "the gathered read-only data is in a read-only, not executable, segment" "$(segment .rodata.warder.hot)" "R"
# in_hot SYMBOL: the symbol's address is within .text.warder.hot
in_hot() {
	a=$(nm "$W" | awk -v s="$1" '$3 == s {print $1; exit}')
	set -- $(readelf -SW "$W" | sed -n 's/.* \.text\.warder\.hot *PROGBITS *\([0-9a-f]*\) [0-9a-f]* \([0-9a-f]*\) .*/\1 \2/p')
	[ -n "$a" ] && [ $((0x$a)) -ge $((0x$1)) ] && [ $((0x$a)) -lt $((0x$1 + 0x$2)) ]
}
if nm "$W" 2>/dev/null | grep -q ' main$'; then
	for s in main __libc_start_main malloc ev_run; do
		ok "$s (run by every start) is in the gathered code" in_hot "$s"
	done
fi

if [ "$(uname -m)" != x86_64 ]; then # the tracer reads x86-64 registers
	echo "# steptrace: x86-64 only, skipped on $(uname -m)"
	done_testing
	exit
fi
cc -std=gnu11 -O2 -o "$T_TMP/steptrace" "$(dirname "$0")/../tools/steptrace.c" || { ok "build steptrace" false; done_testing; exit; }
mkdir "$T_TMP/t"
"$T_TMP/steptrace" "$T_TMP/t" "$W" -- "$W" -- sh -c 'exit 3'
is "steptrace passes the command's status through" $? 3
is "... one log for warder, one for its fork until the exec" "$(ls "$T_TMP/t" | wc -l)" 2
# The process that executed warder is the log whose parent has none; its first step is the entry point,
# at a page-aligned load address.
pids=$(sed -n '1s/^==\([0-9]*\)== .*/\1/p' "$T_TMP"/t/*)
for f in "$T_TMP"/t/*; do
	parent=$(sed -n '1s/.*Parent PID: \([0-9]*\)$/\1/p' "$f")
	printf '%s\n' "$pids" | grep -qx "$parent" || root=$f
done
first=$(sed -n '2s/^I  \([0-9a-f]*\),1$/\1/p' "$root")
entry=$(readelf -hW "$W" | awk '/Entry point/ {print $4}')
is "... the first step of warder is its entry point (load address + entry, page-aligned)" \
	"$(( (0x$first - entry) % 4096 ))" 0
like "... and it ran thousands of distinct lines of code" "$(cat "$T_TMP"/t/* | grep -c '^I ')" '^[0-9]{4,}$'
done_testing
