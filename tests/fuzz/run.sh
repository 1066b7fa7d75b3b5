#!/bin/sh
# Runs every libFuzzer target for SECONDS (default 60) on its seed corpus (tests/fuzz/corpus/TARGET, copied to
# a scratch corpus so new units never land in the repository), prints per target the executions, coverage
# and features from libFuzzer's final stats, and a closing "N passed, N failed": a crash, a leak, a timeout
# (-timeout, default 10 s per input) or an out-of-memory fails the target. Crash files go to
# build/fuzz/work/artifacts/. Builds the targets first (build.sh).
#   run.sh [SECONDS] [TARGET...]      FUZZ_OUT=dir (default build/fuzz)  FUZZ_ARGS="extra libFuzzer flags"
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
out=${FUZZ_OUT:-$top/build/fuzz}
sh "$here/build.sh" "$out" >"$out.build.log" 2>&1 || { mkdir -p "$out"; cat "$out.build.log"; echo "0 passed, 1 failed"; exit 1; }
targets=${*:-conf devfs fstab jailconf control}
work=$out/work
mkdir -p "$work/artifacts"
cp "$out"/*.dict "$work/"
pass=0 fail=0
# Regressions first: every input in regress/ that once crashed a target must now pass it (run without the
# targets' workarounds for known bugs, so a known bug fails here until it is fixed).
for f in "$here"/regress/*; do
	[ -f "$f" ] || continue
	t=${f##*/}; t=${t%%-*}
	if WARDER_FUZZ_NOSANDBOX=1 "$out/bin-strict/fuzz_$t" "$f" >"$out/regress.log" 2>&1; then
		pass=$((pass + 1)); echo "regress   ${f##*/}: ok"
	else
		fail=$((fail + 1)); echo "regress   ${f##*/}: FAILED"
		grep -E 'ERROR|SUMMARY|runtime error' "$out/regress.log" | head -n 3 | sed 's/^/    /'
	fi
done
for t in $targets; do
	rm -rf "$work/corpus-$t"
	mkdir -p "$work/corpus-$t"
	cp "$here/corpus/$t"/* "$work/corpus-$t/"
	log=$out/$t.log
	# -close_fd_mask=2: the targets' warnings stay out of the log (libFuzzer keeps its own stderr).
	# Relative paths on purpose: the target chroots into the sandbox with $work as /work (sandbox.h).
	# shellcheck disable=SC2086
	(cd "$work" && WARDER_FUZZ_ROOT=$out/root "$out/bin/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=8192 -dict="$t.dict" -close_fd_mask=2 \
		-artifact_prefix="artifacts/$t-" ${FUZZ_ARGS:-} "corpus-$t") >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED|NEW|REDUCE|pulse)' "$log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -nE 's/.* cov: ([0-9]+).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -nE 's/.* ft: ([0-9]+).*/\1/p')
	units=$(printf '%s\n' "$last" | sed -nE 's/.* corp: ([0-9]+\/[0-9a-zA-Z]+).*/\1/p')
	if [ "$rc" = 0 ] && ! grep -qE '^==[0-9]+==ERROR|runtime error|ALARM: working on the last Unit|out-of-memory' "$log"; then
		pass=$((pass + 1)); verdict=ok
	else
		fail=$((fail + 1)); verdict="FAILED (exit $rc)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|ALARM|out-of-memory|fuzz sandbox' "$log" | head -n 20 | sed 's/^/    /'
	fi
	printf '%-9s %ss  execs %-9s cov %-5s ft %-6s corpus %-10s %s\n' "$t" "$secs" "${execs:-?}" "${cov:-?}" \
		"${ft:-?}" "${units:-?}" "$verdict"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
