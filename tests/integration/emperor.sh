#!/bin/sh
# warder emperor DIR: vassals (init-only ones and a namespace jail on a busybox rootfs) spawned from files,
# reloaded when a file changes, stopped when it goes, respawned with a growing delay, a bad file next to good
# ones, depend order on start and stop, 200 vassals started and stopped, the status on the control socket;
# every time nothing is left behind (processes, state files, mounts).
. "$(dirname "$0")/lib.sh"
jail_suite
D=$T_TMP/v
mkdir -p "$D"
CTL=$T_TMP/emperor.ctl
N=em$$
before=$(host_mounts)
leftovers() { ps -eo args= | grep -E "$T_TMP/|sleep 10[0-9][0-9]$" | grep -v grep | wc -l; }
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

vassal a.conf a 'sleep 1001'
vassal b.conf b 'sleep 1002'
vassal j.conf "$N" 'sleep 1005' "path = $R" "unshare = mount,pid,uts,ipc" "host.hostname = $N" "mount.procfs = true"
$W emperor -t 100 --max-throttle 400 --heartbeat 2 --control "$CTL" "$D" >"$T_TMP/log" 2>&1 & EP=$!
on_exit "kill -KILL $EP"
on_exit "pkill -KILL -f '$T_TMP/'"

# --- (a) files -> vassals
wait_for "running a && running b && running $N"
ok "(a) init-only vassals run" sh -c "[ $(count 1001) = 1 ] && [ $(count 1002) = 1 ]"
ok "(a) the jail vassal runs its command" test "$(count 1005)" = 1
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state" 2>/dev/null)
ok "(a) the jail vassal is in its own pid namespace" \
	sh -c "[ -n '$ipid' ] && [ \"\$(readlink /proc/$ipid/ns/pid)\" != \"\$(readlink /proc/self/ns/pid)\" ]"
is "(a) the jail's hostname" "$($W attach "$N" -- hostname 2>/dev/null)" "$N"
vp=$(field a pid)
ok "(a) a vassal is its own process group" test "$(ps -o pgid= -p "$vp" | tr -d ' ')" = "$vp"
is "(a) a vassal holds one socket (the protocol's) and nothing else of the emperor's" \
	"$(ls -l /proc/$vp/fd | grep -c -e 'socket:' -e inotify)" 1
is "(a) the protocol's fd does not reach the command" \
	"$(ls /proc/$(pgrep -x -f 'sleep 1001')/fd | tr '\n' ' ')" "0 1 2 "

# --- (h) status lists every vassal
vassal bad.conf bad 'sleep 1009' 'no.such.key = 1'
wait_for "grep -q 'bad.conf:[0-9]*: ' $T_TMP/log"
st=$(status)
like "(h) status is one JSON line naming the emperor" "$st" '^\{"name":"emperor","pid":[0-9]+,'
is "(h) status lists every vassal file" \
	"$(python3 "$T_TMP/q.py" "$CTL" files)" \
	"a.conf b.conf bad.conf j.conf"
like "(h) each with pid, state, restarts, last exit" "$st" "\"name\":\"a\",\"file\":\"a.conf\",\"pid\":$vp,\"state\":\"running\",\"restarts\":0,\"last_exit\":-1"

# --- (e) a bad config
like "(e) the bad file's error names FILE:LINE" "$(grep 'bad.conf' "$T_TMP/log")" "$D/bad.conf:[0-9]+: "
is "(e) the bad file's state" "$(field bad.conf state)" bad-config
is "(e) the others run on" "$(nrunning)" 3

# --- (b) a changed file reloads its vassal; reload = exit respawns it at once
vassal r.conf "${N}r" 'sleep 1003' 'reload = exit' "path = $R" "unshare = mount,pid,uts,ipc"
wait_for "running ${N}r"
rp=$(field "${N}r" pid)
touch "$D/r.conf"
wait_for '[ "$(field ${N}r pid)" != $rp ] && running ${N}r'
ok "(b) reload = exit: a new vassal process" sh -c "[ \"$(field "${N}r" pid)\" != $rp ] && [ -n \"$(field "${N}r" pid)\" ]"
like "(b) respawned for its reload, unthrottled" "$(cat "$T_TMP/log")" "vassal ${N}r exited for its reload: respawning"
is "(b) one command after the reload" "$(count 1003)" 1
jp=$(field "$N" pid)
touch "$D/j.conf"
wait_for 'grep -q "reloading vassal $N" $T_TMP/log'
wait_for 'running $N'
ok "(b) the jail vassal reloads in place (reload = jail)" test "$(field "$N" pid)" = "$jp"
is "(b) the rebuilt jail runs its command" "$(count 1005)" 1

# --- (c) a removed file stops its vassal
ap=$(field a pid)
rm "$D/a.conf"
wait_for '[ -z "$(field a pid)" ]'
is "(c) the vassal is gone from the status" "$(field a file)" ""
ok "(c) its process is gone" sh -c "! kill -0 $ap 2>/dev/null"
is "(c) its command is gone" "$(count 1001)" 0

# --- (d) a vassal killed with SIGKILL is respawned, later sooner than never but later each time
for round in 1 2 3; do
	kp=$(field b pid)
	kill -KILL "$kp"
	wait_for '[ "$(field b pid)" != $kp ] && running b'
done
is "(d) respawned after each SIGKILL" "$(field b restarts)" 3
is "(d) with a doubling delay" "$(grep -o 'vassal b died (exit 137): respawn in [0-9]* ms' "$T_TMP/log" | awk '{print $NF-0, $(NF-1)}' | tr '\n' ' ')" \
	"0 100 0 200 0 400 "
is "(d) the killed vassals' commands did not survive them" "$(count 1002)" 1

# --- (i) heartbeats: after the first one, a vassal silent for --heartbeat seconds is killed and respawned;
# a vassal that never sent one (a, b) is left alone however long it runs
vassal hb.conf hb 'sleep 1009' 'heartbeat = 0.3'
wait_for "running hb"
sleep 3
hp=$(field hb pid)
is "(i) a vassal that keeps beating is not touched" "$(field hb restarts)" 0
kill -STOP "$hp"
wait_for '[ "$(field hb pid)" != "$hp" ] && running hb'
like "(i) a silent one is killed" "$(grep 'vassal hb sent no heartbeat' "$T_TMP/log")" "vassal hb sent no heartbeat in 2 s: SIGKILL"
is "(i) ... and respawned" "$(field hb restarts)" 1
ok "(i) the hung process is gone" sh -c "! kill -0 $hp 2>/dev/null"
is "(i) so is its command" "$(count 1009)" 1
is "(i) vassals without heartbeats were never killed" "$(grep -c 'sent no heartbeat' "$T_TMP/log")" 1
rm "$D/hb.conf"
wait_for '[ -z "$(field hb pid)" ]'

# --- (f) depend: x before y before z; stopped z, y, x
O=$T_TMP/order
hooks() { echo "exec.prestart = echo start-$1 >>$O"; echo "exec.poststop = echo stop-$1 >>$O"; }
vassal z.conf z 'sleep 1006' 'depend = y' "$(hooks z | head -1)" "$(hooks z | tail -1)"
vassal y.conf y 'sleep 1007' 'depend = x' "$(hooks y | head -1)" "$(hooks y | tail -1)"
vassal x.conf x 'sleep 1008' "$(hooks x | head -1)" "$(hooks x | tail -1)"
wait_for "running z"
is "(f) dependencies start first" "$(tr '\n' ' ' <"$O")" "start-x start-y start-z "

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
i=0; while [ $i -lt 200 ]; do vassal "v$i.conf" "v$i" 'sleep 1004'; i=$((i + 1)); done
$W emperor -q --control "$CTL" "$D" >"$T_TMP/log200" 2>&1 & EP=$!
on_exit "kill -KILL $EP"
wait_for '[ "$(nrunning)" = 200 ]'
is "(g) 200 vassals running" "$(nrunning)" 200
is "(g) 200 commands" "$(count 1004)" 200
kill -TERM $EP; wait $EP; rc=$?
is "(g) SIGTERM: the emperor exits 0" $rc 0
is "(g) no process left" "$(leftovers)" 0
is "(g) no state left" "$(ls -A "$WARDER_RUNDIR" 2>/dev/null)" ""
is "(g) nothing in the log but the vassals' own lines" "$(grep -v '^warder\[v[0-9]*\]: ' "$T_TMP/log200")" ""
done_testing
