#!/bin/sh
# Copies tests/bench/results.md (written by `make bench`) into README.md between the BENCHMARKS markers,
# its headings two levels down (README's section is a level-2 heading).
#   bench.sh            rewrite README.md in place (nothing to do while results.md does not exist)
#   bench.sh --check    exit 1 when README.md does not hold the current results.md
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
readme=$top/README.md results=$top/tests/bench/results.md
check=0
[ "${1:-}" = --check ] && check=1
[ -f "$results" ] || { echo "bench.sh: no $results yet; README.md keeps its placeholder"; exit 0; }
grep -q '^<!-- BEGIN BENCHMARKS' "$readme" && grep -q '^<!-- END BENCHMARKS' "$readme" ||
	{ echo "bench.sh: markers missing in $readme" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
RESULTS=$results awk '
/^<!-- BEGIN BENCHMARKS/ { print; while ((getline l < ENVIRON["RESULTS"]) > 0) { if (l ~ /^#/) l = "##" l; print l }; skip = 1; next }
/^<!-- END BENCHMARKS/ { skip = 0 }
!skip { print }
' "$readme" >"$tmp"
if [ "$check" = 1 ]; then
	cmp -s "$readme" "$tmp" && exit 0
	echo "bench.sh: README.md does not hold tests/bench/results.md; run: sh tests/docs/bench.sh" >&2
	exit 1
fi
cmp -s "$readme" "$tmp" || cat "$tmp" >"$readme"
