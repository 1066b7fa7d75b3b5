#!/bin/sh
# Emperors side by side, each governing N trivial vassals (default 100): the time from the emperor's start
# until all N are ready, the time from SIGINT/SIGTERM until the emperor and every vassal are gone, and the
# emperor's own RSS with all N running. Rows:
#   warder emperor            vassals: `warder run` (init-only, command sleep)
#   uwsgi --emperor           vassals: native uWSGI instances (one socket, no app, no master)
#   uwsgi --emperor-wrapper   vassals: the same warder configs through `warder --ini`
# and what is left once it is gone (vassal processes, entries in the run directory: must be 0).
# usage: sh tests/bench/emperor.sh WARDER [N [warder]]; prints a markdown table (with a 3rd argument `warder`:
# the warder row only, without the table's head).
#        sh tests/bench/emperor.sh WARDER scale: warder emperor at each N of BENCH_EMPEROR (default 500 1000 2000
# 5000; BENCH=quick: 500 1000): up, stopped, the emperor's peak RSS (VmHWM), what is left, each per vassal too,
# beside the floor: N times `warder run -c` of one such vassal, one after the other (fork, exec, its command,
# its end), the cost of the vassals themselves that no emperor can go under.
set -u
W=${1:?usage: emperor.sh WARDER [N|scale]}
N=${2:-100}
ONLY=${3:-}
if [ "$N" = scale ]; then
	[ "${BENCH:-}" = quick ] && : "${BENCH_EMPEROR:=500 1000}"
	here=$(cd "$(dirname "$0")" && pwd)
	f=$(mktemp -d /tmp/warder-efloor.XXXXXX)
	printf '[f]\ncommand = true\n' >"$f/f.conf"
	k=200 i=0 t0=$(date +%s.%N)
	while [ $i -lt $k ]; do WARDER_RUNDIR=$f/run "$W" run -q -c "$f/f.conf" || exit 1; i=$((i + 1)); done
	per=$(echo "$t0 $(date +%s.%N) $k" | awk '{ printf "%.2f", ($2 - $1) * 1000 / $3 }')
	rm -rf "$f"
	echo "## warder emperor at scale: N trivial vassals ($(nproc) cores)"
	echo
	echo "Floor: one \`warder run -c\` of a vassal whose command is \`true\`, run to its end, costs $per ms here"
	echo "(fork, exec, its command's fork and exec, the reap); N of them one after the other is the floor column."
	echo
	echo "| N | all up (ms) | up per vassal (ms) | floor: N runs (ms) | all stopped (ms) | stop per vassal (ms) | emperor peak RSS (KiB) | left |"
	echo "|---|---|---|---|---|---|---|---|"
	for n in ${BENCH_EMPEROR:-500 1000 2000 5000}; do
		echo "bench: emperor: $n vassals" >&2
		sh "$0" "$W" "$n" warder | awk -F' *[|] *' -v n="$n" -v per="$per" '/^[|]/ {
			printf "| %s | %s | %.2f | %.0f | %s | %.2f | %s | %s |\n", $2, $3, $3 / n, per * n, $4, $4 / n, $5, $6 }'
	done
	exit 0
fi
U=$(command -v uwsgi-core || command -v uwsgi)
[ -n "$U" ] || [ "$ONLY" = warder ] || { echo "# emperor bench skipped: no uwsgi"; exit 0; }
T=$(mktemp -d /tmp/warder-ebench.XXXXXX)
trap 'pkill -KILL -f "$T/" 2>/dev/null; rm -rf "$T"' EXIT
export WARDER_RUNDIR=$T/run
now() { date +%s.%N; }
ms() { echo "$1 $2" | awk '{printf "%.0f", ($2 - $1) * 1000}'; }
rss() { awk -v k="$RSS" '$1 == k ":" {print $2}' "/proc/$1/status"; }
RSS=VmRSS
[ "$ONLY" = warder ] && RSS=VmHWM # the scale rows: the peak
vassals() { ps -eo args= | grep -c -E "^warder run -c $T/|--ini v[0-9]+\.ini\$"; }
until_true() { t=$(($(date +%s) + 300)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.02; done; }

mkvassals() { # DIR EXT KIND
	mkdir -p "$1"
	i=0
	while [ $i -lt $N ]; do
		if [ "$3" = uwsgi ]; then
			printf '[uwsgi]\nsocket = %s/v%d.sock\nprocesses = 1\n' "$T" $i >"$1/v$i.$2"
		else
			printf '[b%d]\nstop.timeout = 2\ncommand = sleep 1000\n' $i >"$1/v$i.$2"
		fi
		i=$((i + 1))
	done
}

# measure LABEL READY_CODE STOP_SIGNAL CMD...: one row
measure() {
	label=$1 ready=$2 sig=$3; shift 3
	: >"$T/log"
	t0=$(now)
	"$@" >"$T/log" 2>&1 &
	pid=$!
	until_true "$ready" || { echo "| $label | timed out | | | |"; kill -KILL $pid; return; }
	t1=$(now)
	sleep 1
	r=$(rss $pid)
	t2=$(now)
	kill -"$sig" $pid
	wait $pid 2>/dev/null
	until_true '[ "$(vassals)" = 0 ]'
	t3=$(now)
	left=$(($(vassals) + $(find "$WARDER_RUNDIR" -mindepth 1 2>/dev/null | wc -l)))
	echo "| $label | $(ms "$t0" "$t1") | $(ms "$t2" "$t3") | $r | $left |"
}

ready_w() { [ "$(grep -c 'is ready, pid' "$T/log")" -ge $N ]; }
ready_u() { [ "$(grep -c 'is ready to accept requests' "$T/log")" -ge $N ]; }

mkvassals "$T/w" conf warder
if [ "$ONLY" = warder ]; then
	measure "$N" ready_w TERM "$W" emperor -t 100 --control "$T/e.ctl" "$T/w"
	exit 0
fi
mkvassals "$T/u" ini uwsgi
mkvassals "$T/uw" ini warder
echo "## Emperor: $N trivial vassals ($(nproc) cores)"
echo
echo "| emperor | start all (ms) | stop all (ms) | emperor RSS (KiB) | left after the stop |"
echo "|---|---|---|---|---|"
measure "warder emperor" ready_w TERM "$W" emperor -t 100 --control "$T/e.ctl" "$T/w"
measure "uwsgi --emperor (uWSGI vassals)" ready_u INT "$U" --emperor "$T/u"
measure "uwsgi --emperor --emperor-wrapper warder" ready_u INT "$U" --emperor "$T/uw" --emperor-wrapper "$W"
