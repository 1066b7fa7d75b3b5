#!/bin/sh
# The documentation tells the truth: both man pages lint clean, warder.conf(5) holds every parameter and builtin
# action of `warder check --params` (regenerated, it does not change), README.md holds the current benchmark
# results, and every `sh tour` block of README.md runs and prints exactly the `text` block that follows it.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
man=$top/packaging/man

for page in warder.8 warder.conf.5; do
	out=$(mandoc -T lint -W warning "$man/$page" 2>&1)
	is "mandoc -T lint -W warning $page is clean" "$out" ""
	ok "mandoc renders $page" sh -c "mandoc -T ascii '$man/$page' | sed 's/.\x08//g' | grep -q '^SEE ALSO'"
done
ok "warder.conf.5 is what tests/docs/mkparams.sh generates" sh "$top/tests/docs/mkparams.sh" --check "$WARDER" "$man/warder.conf.5"
missing=
for p in $("$WARDER" check --params | awk '!/^#/ && !/:/ { print $1 }'); do
	grep -qF ".It Cm $p" "$man/warder.conf.5" || missing="$missing $p"
done
for a in $("$WARDER" check --params | awk -F: '/^[a-z]+:/ { print $1 }'); do
	grep -qF ".It Cm $a:" "$man/warder.conf.5" || missing="$missing $a:"
done
is "every parameter and action of warder check --params is in warder.conf.5" "$missing" ""
is "a parameter count that makes sense" "$("$WARDER" check --params | awk '!/^#/ && !/:/' | wc -l | awk '$1 > 50 { print "many" }')" "many"
ok "README.md holds tests/bench/results.md" sh "$top/tests/docs/bench.sh" --check
for w in "make run" "make check" tini dumb-init catatonit bubblewrap "jail(8)" uWSGI import-jailconf; do
	ok "README.md mentions $w" grep -qF "$w" "$top/README.md"
done

# The tour: block N of README.md (```sh tour) runs in one shell, from the top of the tree, with its standard
# output compared to the ```text block after it. The harness stands in for two lines: `make -s` (warder is
# built already) and build/ on PATH (it puts $WARDER there, which may be an ASan build).
[ "$(id -u)" = 0 ] || { echo "# the tour needs root"; done_testing; exit; }
bin=$T_TMP/bin && mkdir -p "$bin" && ln -s "$WARDER" "$bin/warder"
awk -v dir="$T_TMP" '
/^```sh tour$/ { n++; f = dir "/tour." n ".sh"; inblk = 1; next }
/^```text$/ && n && !done[n] { f = dir "/tour." n ".want"; inblk = 1; done[n] = 1; next }
/^```/ { inblk = 0; next }
inblk { print > f }
' "$top/README.md"
n=$(ls "$T_TMP"/tour.*.sh | wc -l)
ok "README.md has tour blocks" [ "$n" -ge 6 ]
runner=$T_TMP/runner.sh
: >"$runner"
i=1
while [ "$i" -le "$n" ]; do
	sed -e 's|^make -s$|:|' -e "s|\\\$PWD/build|$bin|" "$T_TMP/tour.$i.sh" >"$T_TMP/tour.$i.run"
	printf '{ . "%s"; } >"%s" 2>"%s"\n' "$T_TMP/tour.$i.run" "$T_TMP/tour.$i.out" "$T_TMP/tour.$i.err" >>"$runner"
	i=$((i + 1))
done
on_exit rm -rf /tmp/warder-tour
on_exit 'for p in $(pgrep -f "warder (run -q -c|emperor) /tmp/warder-tour/"); do kill -KILL $p; done'
(cd "$top" && timeout 120 sh "$runner")
is "the tour ran to its end" "$?" 0
i=1
while [ "$i" -le "$n" ]; do
	got=$(cat "$T_TMP/tour.$i.out" 2>/dev/null) want=$(cat "$T_TMP/tour.$i.want" 2>/dev/null)
	first=$(head -n 1 "$T_TMP/tour.$i.sh" | tr -d '\\' | cut -c1-50)
	is "tour block $i prints what README.md says ($first)" "$got" "$want"
	[ "$got" = "$want" ] || sed 's/^/#   stderr: /' "$T_TMP/tour.$i.err"
	i=$((i + 1))
done
done_testing
