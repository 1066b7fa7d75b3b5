#!/bin/sh
# make bench: warder side by side with tini, tini-static, dumb-init, catatonit and a bare run (no init), with
# bwrap for jails, uWSGI's emperor, and floor programs (what the same work costs done by a minimal C program),
# in one run on this machine; writes tests/bench/results.md (BENCH_OUT=FILE elsewhere) and prints it.
#   run.sh WARDER    BENCH=quick: a smoke subset (about a minute; what CI may run)
#                    BENCH_SCALE=N divides the repetition counts, BENCH_SIZES="1000" picks the orphan counts,
#                    BENCH_JAILS="50 200" the jail counts, BENCH_EMPEROR="500 1000 2000 5000" the vassal counts
# Every figure is a median over many runs; the ratios against bwrap and the floors are taken pair by pair
# (A B, B A, ... interleaved, so that the machine's drift hits both runs of a pair alike).
set -eu
W=${1:?usage: run.sh WARDER}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${BENCH_OUT:-$here/results.md}
if [ "${BENCH:-}" = quick ]; then
	: "${BENCH_SCALE:=20}" "${BENCH_SIZES:=1000}" "${BENCH_JAILS:=50}" "${BENCH_EMPEROR:=500}"
fi
scale=${BENCH_SCALE:-1}
reps() { r=$(($1 / scale)); [ "$r" -ge "$2" ] && echo "$r" || echo "$2"; } # reps WANTED MIN
tmp=$(mktemp -d /tmp/warder-bench.XXXXXX)
CG=
trap 'rm -rf "$tmp"; [ -z "$CG" ] || rmdir "$CG" 2>/dev/null || :' EXIT
for t in hyperfine python3 cc unshare runc crun bwrap /usr/bin/tini /usr/bin/tini-static /usr/bin/dumb-init /usr/bin/catatonit; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (sh tests/deps.sh bench)" >&2; exit 1; }
done
cc -O2 -o "$tmp/initbench" "$here/initbench.c"
IB=$tmp/initbench
cc -O2 -o "$tmp/jailfloor" "$here/jailfloor.c"
JF=$tmp/jailfloor
PAIRS=$tmp/pairs # lines: LABEL<TAB>A_MS<TAB>B_MS<TAB>MIN<TAB>MEDIAN<TAB>MAX<TAB>TARGET
pairrow() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$PAIRS"; }
ORPH=
if [ -f "$root/tests/tools/orphans.c" ]; then cc -O2 -o "$tmp/orphans" "$root/tests/tools/orphans.c" && ORPH=$tmp/orphans; fi
NAMES="warder tini tini-static dumb-init catatonit bare"
PEERS="tini tini-static dumb-init catatonit"
# pre NAME [pid1] : the command prefix; tini gets -s when it is not PID 1 (as warder and catatonit become
# subreapers by themselves), otherwise it warns on every start.
pre() {
	case $1 in
	warder) echo "$W --" ;;
	tini | tini-static) [ "${2:-}" = pid1 ] && echo "/usr/bin/$1 --" || echo "/usr/bin/$1 -s --" ;;
	dumb-init) echo "/usr/bin/dumb-init" ;;
	catatonit) echo "/usr/bin/catatonit --" ;;
	bare) echo "" ;;
	floor) echo "$IB waitfloor" ;;
	sigfloor) echo "$IB sigfloor" ;;
	esac
}
V=$tmp/values # lines: ROW<TAB>NAME<TAB>VALUE
ROWS=$tmp/rows # lines: ROW<TAB>LABEL
row() { printf '%s\t%s\n' "$1" "$2" >>"$ROWS"; }
val() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$V"; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
say() { echo "bench: $*" >&2; }
started=$(date +%s)

# --- (a) startup + teardown of INIT -- /bin/true
runs=$(reps 150 15)
say "startup: hyperfine, $runs runs each, as a plain child and as PID 1 of a new pid namespace"
set --
for n in $NAMES; do set -- "$@" -n "$n" "$(pre "$n") /bin/true"; done
hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/a.json" "$@" >/dev/null 2>"$tmp/hf.err" || { cat "$tmp/hf.err" >&2; exit 1; }
set --
for n in $NAMES; do set -- "$@" -n "$n" "unshare --pid --fork --mount-proc $(pre "$n" pid1) /bin/true"; done
hyperfine -N --warmup 10 --runs "$(reps 100 10)" --export-json "$tmp/a1.json" "$@" >/dev/null 2>"$tmp/hf.err" || { cat "$tmp/hf.err" >&2; exit 1; }
python3 - "$tmp/a.json" "$tmp/a1.json" >>"$V" <<'EOF'
import json, sys
for tag, path in (("a", sys.argv[1]), ("a1", sys.argv[2])):
    res = {r["command"]: r["median"] * 1e3 for r in json.load(open(path))["results"]}
    for name, ms in res.items():
        print(f"{tag}\t{name}\t{ms:.3f}")
        print(f"{tag}o\t{name}\t{ms - res['bare']:.3f}")
EOF
row a "startup+teardown of INIT -- /bin/true, median (ms)"
row ao "  overhead over bare (ms)"
row a1 "same as PID 1: unshare --pid --fork --mount-proc INIT -- /bin/true (ms)"
row a1o "  overhead over bare unshare (ms)"
# hyperfine runs one command's batch after the other's, so the machine's drift moves those medians by more
# than the peers differ: the ratios to the two nearest peers are taken pair by pair as well.
pairs=$(reps 500 40)
say "startup: warder / tini-static and / catatonit, $pairs pairs each, as a plain child and as PID 1"
for peer in tini-static catatonit; do
	set -- $("$IB" pair "$pairs" -- $(pre warder) /bin/true :: $(pre "$peer") /bin/true)
	pairrow "startup+teardown of INIT -- /bin/true: warder / $peer (wall)" "$1" "$2" "$3" "$4" "$5" "< 1"
done
for peer in tini-static catatonit; do
	set -- $("$IB" pair "$pairs" -- unshare --pid --fork --mount-proc $(pre warder pid1) /bin/true :: \
		unshare --pid --fork --mount-proc $(pre "$peer" pid1) /bin/true)
	pairrow "  as PID 1 (unshare --pid --fork --mount-proc): warder / $peer (wall)" "$1" "$2" "$3" "$4" "$5" "< 1"
done

# --- (b) peak RSS of the init while its child sleeps
say "rss: VmHWM of the init, $(reps 15 3) runs each"
for i in $(seq "$(reps 15 3)"); do
	for n in $NAMES; do
		# shellcheck disable=SC2046
		$(pre "$n") sleep 5 &
		p=$!
		sleep 0.3
		awk '/^VmHWM:/ {print $2}' "/proc/$p/status" >>"$tmp/rss.$n"
		kill -TERM "$p"
		wait "$p" 2>/dev/null || true
	done
done
for n in $NAMES; do val b "$n" "$(median <"$tmp/rss.$n")"; done
row b "peak RSS (VmHWM) of the init while its child sleeps (KiB; bare: the sleep itself)"

# --- (c) binary size
say "size"
kib() { stat -L -c %s "$1" | awk '{printf "%.1f", $1 / 1024}'; }
libs() { ldd "$1" 2>/dev/null | awk '$2 == "=>" {sub(/\.so.*/, "", $1); if ($1 != "libc") printf "%s%s", s, $1; s=" "}'; }
for n in warder tini tini-static dumb-init catatonit; do
	b=$W; [ "$n" = warder ] || b=/usr/bin/$n
	val c "$n" "$(kib "$b")"
	l=$(libs "$b"); file -L "$b" | grep -Eq 'static(-pie)? linked|statically linked' && l=static
	val cl "$n" "${l:-libc only}"
done
strip -o "$tmp/warder.stripped" "$W" && val cx warder "$(kib "$tmp/warder.stripped")"
for n in tini tini-static dumb-init catatonit; do val cx "$n" "$(kib /usr/bin/$n)"; done
row c "binary size as installed (KiB; warder as built, with -g)"
row cx "  stripped (KiB; the peers ship stripped)"
row cl "  linked against (besides libc)"
if (cd "$root" && make -s static >"$tmp/static.log" 2>&1) && [ -x "$root/build/static/warder" ]; then
	val cs warder "$(kib "$root/build/static/warder")"
	val cs tini-static "$(kib /usr/bin/tini-static)"
	val cs catatonit "$(kib /usr/bin/catatonit)"
else
	val cs warder "make static failed"
fi
row cs "static, stripped binary size (KiB; warder: make static)"

# --- (d) reaping orphans as PID 1 of a pid namespace
# initbench orphans makes each orphan with clone(CLONE_VM) (fork costs ~2 ms here and would drown the
# init's share); runs are interleaved across the inits so that load drift on the machine hits all alike.
# rotate K WORD...: the words from the K-th on (0-based, modulo their number), then the ones before it
rotate() {
	k=$(($1 % ($# - 1))); shift
	i=0 head=
	for w; do
		if [ $i -lt $k ]; then head="$head $w"; else printf '%s ' "$w"; fi
		i=$((i + 1))
	done
	echo $head
}
reap() { # reap TAG N REPS GENERATOR...
	tag=$1 n=$2 r=$3; shift 3
	gen=$*
	say "reap: $n orphans ($*), $r runs each"
	# Without an init nobody reaps: at or above pid_max orphans a bare run cannot finish, and the pid
	# namespace it leaves full of zombies slows whatever runs next. Each round starts one init later, so
	# that no init always runs right after another's teardown.
	names="$NAMES floor sigfloor"
	[ "$n" -ge "$(cat /proc/sys/kernel/pid_max)" ] && names=$(echo "$names" | sed 's/ *bare//')
	for i in $(seq "$r"); do
		# shellcheck disable=SC2046,SC2086
		for nm in $(rotate $((i - 1)) $names); do
			# shellcheck disable=SC2046
			line=$("$IB" reap -P -s "$tmp/stamp" -- $(pre "$nm" pid1) $gen)
			[ "${line##* }" = 0 ] || say "$nm: a reap run exited ${line##* }"
			echo "$line" >>"$tmp/$tag.$nm"
		done
	done
	for nm in $names; do
		val "${tag}w" "$nm" "$(awk '$4 == 0 {print $1 / 1e6}' "$tmp/$tag.$nm" | median)"
		[ "$nm" = bare ] && continue
		val "${tag}c" "$nm" "$(awk '$4 == 0 {print $2 / 1e6}' "$tmp/$tag.$nm" | median)"
		val "${tag}t" "$nm" "$(awk '$4 == 0 && $3 >= 0 {print $3 / 1e6}' "$tmp/$tag.$nm" | median)"
		bad=$(awk '$4 != 0' "$tmp/$tag.$nm" | wc -l)
		[ "$bad" = 0 ] || val "${tag}w" "$nm" "FAILED ($bad runs)"
	done
	# warder's CPU over the floor's, round by round (both ran in each round)
	# shellcheck disable=SC2046
	set -- $(paste "$tmp/$tag.warder" "$tmp/$tag.floor" | awk '$4 == 0 && $8 == 0 && $6 > 0 {print $2 / $6}' |
		sort -n | awk '{a[NR]=$1} END {if (NR) print a[1], (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[NR]}')
	pairrow "init CPU to reap $n orphans as PID 1: warder / bare blocking wait() loop (per round)" \
		"$(awk '$4 == 0 {print $2 / 1e6}' "$tmp/$tag.warder" | median)" \
		"$(awk '$4 == 0 {print $2 / 1e6}' "$tmp/$tag.floor" | median)" "${1:--}" "${2:--}" "${3:--}" \
		"$([ "$n" = 20000 ] && echo '<= 1.10')"
	# the same against the floor of an init that forwards signals too (sigwaitinfo, then waitpid until 0)
	# shellcheck disable=SC2046
	set -- $(paste "$tmp/$tag.warder" "$tmp/$tag.sigfloor" | awk '$4 == 0 && $8 == 0 && $6 > 0 {print $2 / $6}' |
		sort -n | awk '{a[NR]=$1} END {if (NR) print a[1], (NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[NR]}')
	pairrow "  warder / signal-driven floor (initbench sigfloor: what warder does, nothing else)" \
		"$(awk '$4 == 0 {print $2 / 1e6}' "$tmp/$tag.warder" | median)" \
		"$(awk '$4 == 0 {print $2 / 1e6}' "$tmp/$tag.sigfloor" | median)" "${1:--}" "${2:--}" "${3:--}" ""
}
for n in ${BENCH_SIZES:-1000 20000}; do
	# Orphan storms are kernel-bound and noisy from run to run: enough runs that the medians settle.
	case $n in 1000) r=$(reps 15 3) ;; *) r=$(reps 5 1) ;; esac
	reap "d$n" "$n" "$r" "$IB" orphans "$n" "$tmp/stamp"
	row "d${n}w" "reap $n orphans as PID 1: wall time, start to exit (ms)"
	row "d${n}c" "  CPU time of the init itself (ms)"
	row "d${n}t" "  tail: end of the burst to the init's exit (ms)"
done
if [ -n "$ORPH" ]; then
	reap dorph 1000 "$(reps 2 1)" "$ORPH" 1000
	row dorphw "reap 1000 orphans made with fork (tests/tools/orphans): wall (ms)"
	row dorphc "  CPU time of the init itself (ms)"
fi

# --- (e) signal forwarding latency, the init as PID 1
say "signals: 1000 SIGUSR1 through each init"
for nm in $NAMES; do
	# shellcheck disable=SC2046
	set -- $("$IB" siglat 1000 "$tmp/fifo" -P -- $(pre "$nm" pid1) "$IB" sigrecv "$tmp/fifo")
	val e "$nm" "$(echo "$1" | awk '{printf "%.1f", $1 / 1e3}')"
	val e99 "$nm" "$(echo "$2" | awk '{printf "%.1f", $1 / 1e3}')"
	[ "$4" = 0 ] || val e "$nm" "$4 signals lost"
done
row e "signal forwarding latency, kill(init) to the command's handler, median (µs; bare: direct)"
row e99 "  p99 (µs)"

# --- jails (issue 4): /bin/true in a full jail, warder run vs bwrap vs runc and crun on the same rootfs.
# crun refuses a hybrid cgroup layout ("cgroups in hybrid mode not supported"): where the host has one, it
# runs in a private mount namespace with the v2 tree unmounted, and the table shows that wrapper's own time.
J=$tmp/jail
sh "$root/tests/oci/mkbundle.sh" "$J" - /bin/true >/dev/null 2>&1
cat >"$J/bench.conf" <<EOF
[bench]
path = $J/rootfs
unshare = mount,pid,uts,ipc,net
mount.procfs = true
mount.devfs = true
restart = no
command = /bin/true
EOF
jruns=$(reps 30 5)
pairs=$(reps 800 10) # a pair takes about 7 ms: 6 s a row, and a median that moves less from run to run
BW="bwrap --unshare-all --bind $J/rootfs / --proc /proc --dev /dev /bin/true"
# The floor with a cgroup as warder makes one (v1 pids hierarchy or the v2 tree, whichever is there).
for d in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
	[ -f "$d/cgroup.procs" ] && [ -w "$d" ] && CG=$d/warder-bench-floor-$$ && break
done
if timeout 20 "$W" run -q -c "$J/bench.conf" bench >"$tmp/jail.log" 2>&1; then
	say "jail: warder run / bwrap, $pairs pairs"
	# shellcheck disable=SC2046,SC2086
	set -- $(cd "$J" && "$IB" pair "$pairs" -- $W run -q -c "$J/bench.conf" bench :: $BW)
	pairrow "full jail, /bin/true: warder run / bwrap --unshare-all (wall)" "$1" "$2" "$3" "$4" "$5" "<= 0.80"
	[ "$6" = 0 ] || say "jail: $6 runs failed"
	say "jail: floor (tests/bench/jailfloor.c) / bwrap, $pairs pairs"
	# shellcheck disable=SC2046,SC2086
	set -- $("$IB" pair "$pairs" -- "$JF" "$J/rootfs" /bin/true :: $BW)
	pairrow "  the floor (jailfloor: same namespaces, bwrap's mounts, no cgroup) / bwrap" "$1" "$2" "$3" "$4" "$5" ""
	if [ -n "$CG" ]; then
		# shellcheck disable=SC2046,SC2086
		set -- $("$IB" pair "$pairs" -- "$JF" -c "$CG" "$J/rootfs" /bin/true :: $BW)
		pairrow "  the floor with a cgroup made, joined and removed (jailfloor -c) / bwrap" "$1" "$2" "$3" "$4" "$5" ""
	fi
	# shellcheck disable=SC2046,SC2086
	set -- $(cd "$J" && "$IB" pair "$pairs" -- $W run -q -c "$J/bench.conf" bench :: "$JF" ${CG:+-c "$CG"} "$J/rootfs" /bin/true)
	pairrow "  warder run / that floor" "$1" "$2" "$3" "$4" "$5" ""
	# shellcheck disable=SC2046,SC2086
	set -- $(cd "$J" && "$IB" pair "$pairs" -- $W run -q -c "$J/bench.conf" bench :: "$JF" ${CG:+-c "$CG"} -w "$J/rootfs" /bin/true)
	pairrow "  warder run / that floor with warder's mounts and lo up (jailfloor -w)" "$1" "$2" "$3" "$4" "$5" ""
	say "jail: hyperfine with runc and crun, $jruns runs each"
	(cd "$J" && hyperfine -N --warmup 5 --runs "$jruns" --export-json "$tmp/j.json" \
		-n "warder run" "$W run -q -c $J/bench.conf bench" \
		-n "bwrap --unshare-all" "bwrap --unshare-all --bind $J/rootfs / --proc /proc --dev /dev /bin/true" \
		-n "runc run" "runc run warder-bench-$$" \
		-n "crun run (in unshare -m, v2 tree unmounted)" \
		"unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run warder-bench-c$$'" \
		-n "  that wrapper alone (unshare -m sh -c 'umount ...; exec true')" \
		"unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec true'" \
		>/dev/null 2>"$tmp/hf.err") || cat "$tmp/hf.err" >&2
else
	say "warder run failed, no jail figures: $(tail -n 3 "$tmp/jail.log")"
fi

# --- N jails at once, then stopped
for n in ${BENCH_JAILS:-50 200}; do
	say "jails: $n at once, warder run, bwrap and the floor"
	python3 "$here/jails.py" "$n" "$W" "$J/rootfs" "$tmp" "$(reps 5 1)" "$JF" "${CG:+$(dirname "$CG")}" \
		>"$tmp/jails.$n" || say "jails: $n failed"
	grep -v '^pair' "$tmp/jails.$n" >>"$tmp/jails" || :
	grep '^pair' "$tmp/jails.$n" | cut -f2- >>"$PAIRS" || :
done

# --- the table
python3 - "$ROWS" "$V" "$tmp/j.json" "$NAMES" "$PEERS" "$(($(date +%s) - started))" >"$out" <<'EOF'
import json, os, platform, sys
rows_f, vals_f, jf, names, peers, secs = sys.argv[1:7]
names, peers = names.split(), peers.split()
vals = {}
for line in open(vals_f):
    r, n, v = line.rstrip("\n").split("\t")
    vals[(r, n)] = v
def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
def fmt(v):
    x = num(v)
    if x is None:
        return v
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"
print("# warder benchmarks\n")
print(f"One run of `make bench` on this machine ({platform.machine()}, {os.cpu_count()} cores, Linux "
      f"{platform.release()}), {secs} s. Medians; lower is better everywhere. The last column is warder's "
      "figure over the best of the four peers (tini, tini-static, dumb-init, catatonit).\n")
print("| metric | " + " | ".join(names) + " | warder / best peer |")
print("|---" * (len(names) + 2) + "|")
for line in open(rows_f):
    r, label = line.rstrip("\n").split("\t")
    cells = [fmt(vals.get((r, n), "—")) for n in names]
    w = num(vals.get((r, "warder")))
    best = [(num(vals.get((r, p))), p) for p in peers if num(vals.get((r, p))) is not None]
    ratio = "—"
    if w is not None and best and not r.endswith("o"):
        b, bp = min(best)
        ratio = f"{w / b:.2f} ({bp})" if b > 0 else "—"
    elif w is not None and best:  # overheads can be ~0 or negative: show the difference instead
        b, bp = min(best)
        ratio = f"{w - b:+.3f} ms vs {bp}"
    print(f"| {label} | " + " | ".join(cells) + f" | {ratio} |")
if os.path.exists(jf):
    print("\n## /bin/true in a full jail (mount, pid, uts, ipc, net; rootfs, /proc, /dev), same busybox rootfs\n")
    print("| runner | median (ms) | ratio to warder run |")
    print("|---|---|---|")
    res = json.load(open(jf))["results"]
    base = next(x["median"] for x in res if x["command"] == "warder run")
    for x in res:
        print(f"| {x['command']} | {x['median'] * 1e3:.2f} | {x['median'] / base:.2f} |")
EOF
if [ -s "$PAIRS" ]; then
	{
		echo
		echo "## Ratios taken pair by pair (A B, B A, ... interleaved)"
		echo
		echo "| figure (A / B) | A median (ms) | B median (ms) | A / B per pair: min | median | max | target |"
		echo "|---|---|---|---|---|---|---|"
		awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}' "$PAIRS"
	} >>"$out"
fi
if [ -s "$tmp/jails" ]; then
	{
		echo
		echo "## N jails started at once (each \`sleep\`; mount, pid, uts, ipc, net, /proc, /dev), then stopped"
		echo
		echo "Median of five rounds, the runners in turn. floor: tests/bench/jailfloor.c -i, the same namespaces and"
		echo "mounts as bwrap's, a cgroup made and removed, an init as PID 1 that passes SIGTERM on and reaps, its parent"
		echo "waiting (a dynamically linked C program: its RSS is the C library's); floor-w: the same with -w, warder's"
		echo "mounts (a nodev rootfs and /dev, /dev/fuse, the fd and std* links, /dev/shm, /dev/mqueue) and lo up. All"
		echo "stopped: from the first SIGTERM to the exit of the last runner and the last sleep, seen through their pidfds."
		echo
		echo "Host memory per jail: the runner's own processes (warder: keeper + init; bwrap: its two), the sleep"
		echo "left out. RSS counts shared pages once per process (warder's keeper and init both map the same binary); PSS"
		echo "splits them (what N jails really cost); private: the pages no other process maps (what one jail's stop frees)."
		echo
		echo "| N | runner | all up (ms) | all stopped (ms) | RSS per jail (KiB) | PSS per jail (KiB) | private per jail (KiB) | left |"
		echo "|---|---|---|---|---|---|---|---|"
		awk 'NF {printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $8, $7}' "$tmp/jails"
	} >>"$out"
fi
{
	echo
	sh "$here/emperor.sh" "$W"
	echo
	BENCH_EMPEROR="${BENCH_EMPEROR:-500 1000 2000 5000}" sh "$here/emperor.sh" "$W" scale
} >>"$out"
cat "$out"
