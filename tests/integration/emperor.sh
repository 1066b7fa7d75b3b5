#!/bin/sh
# warder emperor DIR: vassals (init-only ones and a namespace jail on a busybox rootfs) spawned from files,
# reloaded when a file changes, stopped when it goes, respawned with a growing delay, a bad file next to good
# ones, depend order on start and stop, 200 vassals started and stopped (under one inotify watch), the status on the control socket;
# every time nothing is left behind (processes, state files, mounts).
. "$(dirname "$0")/lib.sh"
jail_suite
D=$T_TMP/v
mkdir -p "$D"
CTL=$T_TMP/emperor.ctl
N=em$$
S=$$ # sleeps of this run: other suites running at the same time sleep too
before=$(host_mounts)
leftovers() { ps -eo args= | grep -E "$T_TMP/|sleep ${S}[0-9][0-9]$" | grep -v grep | wc -l; }
count() { ps -eo args= | grep -c "^sleep $1\$"; }
# wait_for 'SHELL CODE': poll for up to 60 s (no assertion on speed: the check that follows decides)
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done; }
cat >"$T_TMP/q.py" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"status\n")
line = s.makefile().readline().strip()
if len(sys.argv) == 2:
    print(line); sys.exit(0)
vs = json.loads(line)["vassals"]
if sys.argv[2] == "running":
    print(sum(v["state"] == "running" for v in vs))
elif sys.argv[2] == "files":
    print(" ".join(sorted(v["file"] for v in vs)))
else:
    v = [x for x in vs if x["name"] == sys.argv[2]]
    print(v[0][sys.argv[3]] if v else "")
PY
status() { python3 "$T_TMP/q.py" "${1:-$CTL}"; }           # the emperor's JSON line
field() { python3 "$T_TMP/q.py" "$CTL" "$1" "$2"; }        # field NAME KEY: one vassal's ("" when absent)
running() { [ "$(field "$1" state)" = running ]; }
nrunning() { python3 "$T_TMP/q.py" "$CTL" running; }
vassal() { # vassal FILE NAME COMMAND [LINES...]
	f=$1 n=$2 c=$3; shift 3
	{ echo "[$n]"; echo "stop.timeout = 2"; for l in "$@"; do echo "$l"; done; echo "command = $c"; } >"$D/$f.tmp"
	mv "$D/$f.tmp" "$D/$f"
}

vassal a.conf a "sleep ${S}01"
vassal b.conf b "sleep ${S}02"
vassal j.conf "$N" "sleep ${S}05" "path = $R" "unshare = mount,pid,uts,ipc" "host.hostname = $N" "mount.procfs = true"
$W emperor -t 100 --max-throttle 400 --heartbeat 2 --control "$CTL" "$D" >"$T_TMP/log" 2>&1 & EP=$!
on_exit "kill -KILL $EP"
on_exit "pkill -KILL -f '$T_TMP/'"

# --- (a) files -> vassals
wait_for "running a && running b && running $N"
ok "(a) init-only vassals run" sh -c "[ $(count ${S}01) = 1 ] && [ $(count ${S}02) = 1 ]"
ok "(a) the jail vassal runs its command" test "$(count ${S}05)" = 1
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state" 2>/dev/null)
ok "(a) the jail vassal is in its own pid namespace" \
	sh -c "[ -n '$ipid' ] && [ \"\$(readlink /proc/$ipid/ns/pid)\" != \"\$(readlink /proc/self/ns/pid)\" ]"
is "(a) the jail's hostname" "$($W attach "$N" -- hostname 2>/dev/null)" "$N"
vp=$(field a pid)
ok "(a) a vassal is its own process group" test "$(ps -o pgid= -p "$vp" | tr -d ' ')" = "$vp"
is "(a) a vassal holds one socket (the protocol's) and nothing else of the emperor's" \
	"$(ls -l /proc/$vp/fd | grep -c -e 'socket:' -e inotify)" 1
is "(a) the protocol's fd does not reach the command" \
	"$(ls /proc/$(pgrep -x -f "sleep ${S}01")/fd | tr '\n' ' ')" "0 1 2 "

# --- (h) status lists every vassal
vassal bad.conf bad "sleep ${S}09" 'no.such.key = 1'
wait_for "grep -q 'bad.conf:[0-9]*: ' $T_TMP/log"
st=$(status)
like "(h) status is one JSON line naming the emperor" "$st" '^\{"name":"emperor","pid":[0-9]+,'
is "(h) status lists every vassal file" \
	"$(python3 "$T_TMP/q.py" "$CTL" files)" \
	"a.conf b.conf bad.conf j.conf"
like "(h) each with pid, state, restarts, last exit (null: none yet, as a jail's status), delay" "$st" \
	"\"name\":\"a\",\"file\":\"a.conf\",\"pid\":$vp,\"state\":\"running\",\"restarts\":0,\"last_exit\":null,\"delay_ms\":0\}"

# --- (e) a bad config
like "(e) the bad file's error names FILE:LINE" "$(grep 'bad.conf' "$T_TMP/log")" "$D/bad.conf:[0-9]+: "
is "(e) the bad file's state" "$(field bad.conf state)" bad-config
is "(e) the others run on" "$(nrunning)" 3

# --- (b) a changed file reloads its vassal; reload = exit respawns it at once
vassal r.conf "${N}r" "sleep ${S}03" 'reload = exit' "path = $R" "unshare = mount,pid,uts,ipc"
wait_for "running ${N}r"
rp=$(field "${N}r" pid)
touch "$D/r.conf"
wait_for '[ "$(field ${N}r pid)" != $rp ] && running ${N}r'
ok "(b) reload = exit: a new vassal process" sh -c "[ \"$(field "${N}r" pid)\" != $rp ] && [ -n \"$(field "${N}r" pid)\" ]"
like "(b) respawned for its reload, unthrottled" "$(cat "$T_TMP/log")" "vassal ${N}r exited for its reload \(exit [0-9]+\): respawning"
is "(b) one command after the reload" "$(count ${S}03)" 1
jp=$(field "$N" pid)
touch "$D/j.conf"
wait_for 'grep -q "reloading vassal $N" $T_TMP/log'
wait_for 'running $N'
ok "(b) the jail vassal reloads in place (reload = jail)" test "$(field "$N" pid)" = "$jp"
is "(b) the rebuilt jail runs its command" "$(count ${S}05)" 1

# --- (c) a removed file stops its vassal
ap=$(field a pid)
rm "$D/a.conf"
wait_for '[ -z "$(field a pid)" ]'
is "(c) the vassal is gone from the status" "$(field a file)" ""
ok "(c) its process is gone" sh -c "! kill -0 $ap 2>/dev/null"
is "(c) its command is gone" "$(count ${S}01)" 0

# --- (d) a vassal killed with SIGKILL is respawned, later sooner than never but later each time
vpid() { pgrep -x -f "warder run -c $D/$1"; } # cheaper than the status on a busy machine, where 10 s of
for round in 1 2 3; do                        # queries between the kills would start the throttle over
	kp=$(vpid b.conf)
	kill -KILL "$kp"
	wait_for '[ -n "$(vpid b.conf)" ] && [ "$(vpid b.conf)" != $kp ]'
done
wait_for 'running b' 
is "(d) respawned after each SIGKILL" "$(field b restarts)" 3
is "(d) with a doubling delay" "$(grep -o 'vassal b ended (exit 137): respawn in [0-9]* ms' "$T_TMP/log" | awk '{print $(NF-1)}' | tr '\n' ' ')" \
	"100 200 400 "
wait_for '[ "$(count ${S}02)" = 1 ]'
is "(d) the killed vassals' commands did not survive them" "$(count ${S}02)" 1

# --- (i) heartbeats: after the first one, a vassal silent for --heartbeat seconds is killed and respawned;
# a vassal that never sent one (a, b) is left alone however long it runs
vassal hb.conf hb "sleep ${S}09" 'heartbeat = 0.3'
wait_for "running hb"
sleep 3
hp=$(field hb pid)
is "(i) a vassal that keeps beating is not touched" "$(field hb restarts)" 0
kill -STOP "$hp"
wait_for '[ "$(field hb pid)" != "$hp" ] && running hb'
like "(i) a silent one is killed" "$(grep 'vassal hb sent no heartbeat' "$T_TMP/log")" "vassal hb sent no heartbeat in 2 s: SIGKILL"
is "(i) ... and respawned" "$(field hb restarts)" 1
ok "(i) the hung process is gone" sh -c "! kill -0 $hp 2>/dev/null"
wait_for '[ "$(count ${S}09)" = 1 ]'
is "(i) so is its command" "$(count ${S}09)" 1
is "(i) vassals without heartbeats were never killed" "$(grep -c 'sent no heartbeat' "$T_TMP/log")" 1
rm "$D/hb.conf"
wait_for '[ -z "$(field hb pid)" ]'

# --- (f) depend: x before y before z; stopped z, y, x
O=$T_TMP/order
hooks() { echo "exec.prestart = echo start-$1 >>$O"; echo "exec.poststop = echo stop-$1 >>$O"; }
vassal z.conf z "sleep ${S}06" 'depend = y' "$(hooks z | head -1)" "$(hooks z | tail -1)"
vassal y.conf y "sleep ${S}07" 'depend = x' "$(hooks y | head -1)" "$(hooks y | tail -1)"
vassal x.conf x "sleep ${S}08" "$(hooks x | head -1)" "$(hooks x | tail -1)"
wait_for "running z"
is "(f) dependencies start first" "$(tr '\n' ' ' <"$O")" "start-x start-y start-z "

# --- (k) a vassal that ends for any reason comes back while its file exists (uWSGI's Emperor does so):
# its command killed with SIGKILL, then `exit 1`, then `exit 0`; exit 26 (exile) keeps it down
cat >"$T_TMP/k.sh" <<'SH'
echo run >>"$1/k.runs"
while :; do
	if [ -f "$1/k.exit" ]; then c=$(cat "$1/k.exit"); rm -f "$1/k.exit"; exit "$c"; fi
	sleep 0.05
done
SH
runs() { cat "$T_TMP/k.runs" 2>/dev/null | wc -l | tr -d ' '; }
vassal k.conf k "exec sh $T_TMP/k.sh $T_TMP"
wait_for '[ "$(runs)" = 1 ] && running k'
# Each end follows the last respawn closely (no status queries in between, which are slow on a busy machine):
# a vassal that ran 10 s starts its throttle over.
kill -KILL "$(pgrep -P "$(field k pid)")"
wait_for '[ "$(runs)" = 2 ]'
echo 1 >"$T_TMP/k.exit"
wait_for '[ "$(runs)" = 3 ]'
echo 0 >"$T_TMP/k.exit"
wait_for '[ "$(runs)" = 4 ] && running k'
is "(k) its command killed by SIGKILL, then exit 1, then exit 0: respawned each time" \
	"$(runs) $(field k restarts) $(field k last_exit)" "4 3 0"
is "(k) each within the throttle (-t 100, --max-throttle 400), doubling while it dies quickly" \
	"$(grep -o 'vassal k ended (exit [0-9]*): respawn in [0-9]* ms' "$T_TMP/log" | awk '{print $5 $(NF-1)}' | tr '\n' ' ')" \
	"137):100 1):200 0):400 "
echo 26 >"$T_TMP/k.exit"
wait_for '[ "$(field k state)" = exiled ]'
like "(k) exit 26 exiles it" "$(grep 'vassal k exiled' "$T_TMP/log")" "stays down until its file changes"
sleep 1 # more than the longest throttle: a respawn would have come
is "(k) an exiled vassal stays down" "$(runs) $(field k state) $(field k pid)" "4 exiled 0"
is "(k) status: restarts, last exit, current delay" "$(field k restarts) $(field k last_exit) $(field k delay_ms)" "3 26 400"
touch "$D/k.conf"
wait_for '[ "$(runs)" = 5 ] && running k'
is "(k) a changed file brings an exiled vassal back" "$(runs) $(field k state)" "5 running"

# --- (l) `warder ctl emperor stop NAME` keeps a vassal down; `start NAME` brings it back
$W ctl "$CTL" stop k >/dev/null; rc=$?
is "(l) ctl stop NAME answers ok" "$rc" 0
wait_for '[ "$(field k state)" = stopped ]'
sleep 1
is "(l) a vassal stopped by request stays down" "$(runs) $(field k state) $(pgrep -c -f "k.sh $T_TMP")" "5 stopped 0"
$W ctl "$CTL" start k.conf >/dev/null
wait_for '[ "$(runs)" = 6 ] && running k'
is "(l) ctl start FILE starts it again" "$(field k state)" running
out=$($W ctl "$CTL" stop nosuch 2>&1); rc=$?
is "(l) an unknown vassal: exit 1 and an error" "$rc $out" '1 {"error":"no such vassal"}'
out=$($W ctl "$CTL" start 2>&1); rc=$?
is "(l) start without a vassal is a usage error" "$rc" 64

# --- (l2) a vassal that does not stop is killed stop.timeout + 5 s after the stop, a second stop request notwithstanding
vassal hs.conf hs "sleep ${S}31"
wait_for 'running hs'
hp=$(field hs pid)
kill -STOP "$hp"
$W ctl "$CTL" stop hs >/dev/null
sleep 0.5
$W ctl "$CTL" stop hs >/dev/null
wait_for '[ "$(field hs state)" = stopped ]'
like "(l2) a stopped-up vassal asked twice to stop is still killed" \
	"$(grep 'vassal hs did not stop' "$T_TMP/log")" "vassal hs did not stop in 7 s: SIGKILL"
# its command, orphaned by the SIGKILL, goes at the next sweep of orphans (SWEEP, 0.1 s), not with the reap
wait_for '[ "$(pgrep -c -f "sleep ${S}31")" = 0 ]'
is "(l2) nothing of it is left" "$(pgrep -c -f "sleep ${S}31")" 0
rm -f "$D/hs.conf"

# --- (m) a crash loop backs off to the maximum; a removed file stays down
vassal cl.conf cl "echo x >>$T_TMP/cl.runs && exit 3"
wait_for '[ "$(grep -c "vassal cl ended" "$T_TMP/log")" -ge 5 ]'
is "(m) a crash loop backs off, up to --max-throttle" \
	"$(grep -o 'vassal cl ended (exit 3): respawn in [0-9]* ms' "$T_TMP/log" | head -5 | awk '{print $(NF-1)}' | tr '\n' ' ')" \
	"100 200 400 400 400 "
rm "$D/cl.conf"
wait_for '[ -z "$(field cl file)" ]'
n=$(wc -l <"$T_TMP/cl.runs")
sleep 1
is "(m) its file removed, it stays down" "$(wc -l <"$T_TMP/cl.runs")" "$n"

# --- (n) two [uwsgi] files side by side are two jails, named after their files
for a in app1 app2; do
	printf '[uwsgi]\npath = %s\nunshare = mount,pid,uts,ipc\nstop.timeout = 2\ncommand = sleep %s\n' \
		"$R" "${S}1${a#app}" >"$D/$a.tmp"
	mv "$D/$a.tmp" "$D/$a.ini"
done
wait_for 'running app1 && running app2'
is "(n) both run, named after their files" "$(field app1 file) $(field app2 file)" "app1.ini app2.ini"
is "(n) each runs its command" "$(count ${S}11) $(count ${S}12)" "1 1"
like "(n) warder list names them so" "$($W list)" "app1 .*"
like "(n) ... both" "$($W list)" "app2 .*"
like "(n) warder ctl reaches each by that name" "$($W ctl app2 status)" '^\{"name":"app2","state":"running"'
rm "$D/app1.ini" "$D/app2.ini"
wait_for '[ -z "$(field app1 file)$(field app2 file)" ]'

# --- (o) an edited init-only vassal runs its new command; a file still being written is not read
vassal ed.conf ed "sleep ${S}21"
wait_for 'running ed'
printf '[ed]\nstop.timeout = 2\ncommand = sleep %s\n' "${S}22" >"$D/ed.conf"
wait_for '[ "$(count ${S}22)" = 1 ] && running ed'
is "(o) the edited file's command runs, the old one is gone" "$(count ${S}21) $(count ${S}22)" "0 1"
like "(o) restarted for its new file" "$(cat "$T_TMP/log")" "restarting vassal ed, pid [0-9]+, for its new file"
{ printf '[slow]\n'; sleep 0.05; printf 'stop.timeout = 2\ncommand = sleep %s\n' "${S}23"; } >"$D/slow.conf"
wait_for 'running slow'
is "(o) a file read only once written: its command runs" "$(count ${S}23)" 1
is "(o) no error about the half-written file" "$(grep -c 'slow\.conf:' "$T_TMP/log")" 0
rm "$D/ed.conf" "$D/slow.conf"
wait_for '[ -z "$(field ed file)$(field slow file)" ]'

# --- stopping the emperor: everything goes, dependents first
kill -TERM $EP; wait $EP; rc=$?
is "SIGTERM: the emperor exits 0 once every vassal is gone" $rc 0
is "(f) dependents stop first" "$(tr '\n' ' ' <"$O")" "start-x start-y start-z stop-z stop-y stop-x "
is "no process left" "$(leftovers)" 0
is "no state file or socket left" "$(ls -A "$WARDER_RUNDIR" 2>/dev/null)" ""
ok "the control socket is gone" test ! -e "$CTL"
is "the host's mounts are as before" "$(host_mounts)" "$before"

# --- (g) 200 vassals
D=$T_TMP/v200
mkdir -p "$D"
i=0; while [ $i -lt 200 ]; do vassal "v$i.conf" "v$i" "sleep ${S}04"; i=$((i + 1)); done
$W emperor -q --control "$CTL" "$D" >"$T_TMP/log200" 2>&1 & EP=$!
on_exit "kill -KILL $EP"
wait_for '[ "$(nrunning)" = 200 ]'
is "(g) 200 vassals running" "$(nrunning)" 200
is "(g) 200 commands" "$(count ${S}04)" 200
# One inotify watch, on the directory, whatever N: not one per file (each costs the kernel and the emperor).
is "(g) one inotify watch for 200 files" "$(cat /proc/$EP/fdinfo/* 2>/dev/null | grep -c '^inotify wd:')" 1
kill -TERM $EP; wait $EP; rc=$?
is "(g) SIGTERM: the emperor exits 0" $rc 0
is "(g) no process left" "$(leftovers)" 0
is "(g) no state left" "$(ls -A "$WARDER_RUNDIR" 2>/dev/null)" ""
is "(g) nothing in the log but the vassals' own lines" "$(grep -v '^warder\[v[0-9]*\]: ' "$T_TMP/log200")" ""
done_testing
