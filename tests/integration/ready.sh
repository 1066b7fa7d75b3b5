#!/bin/sh
# ready: readiness from the service. A C program speaking sd_notify (tests/tools/notifier.c) in a jail: READY=1
# late (status says starting, then running with its STATUS= text), never (ready.timeout restarts the stack, or
# stops the jail with 76), a watchdog that stops (the stack is restarted), EXTEND_TIMEOUT_USEC; a host process
# sending READY=1 to the jail's socket is not believed; ready = socket:ADDRESS probes a real server; an
# emperor's depend waits for READY=1, and uWSGI's Emperor hears "ready" only after it. Nothing is left behind.
. "$(dirname "$0")/lib.sh"
jail_suite
TOOLS=$(cd "$(dirname "$0")/../tools" && pwd)
NT=$T_TMP/notifier
cc -std=gnu11 -O2 -o "$NT" "$TOOLS/notifier.c" || { echo "not ok 1 - build notifier"; echo "0 passed, 1 failed"; exit 1; }
N=rd$$
CONF=$T_TMP/j.conf
export NOTIFIER_LOG=$T_TMP/nlog
on_exit "pkill -KILL -f '$T_TMP/'"
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done; }
st() { $W ctl "$N" status 2>/dev/null; }
field() { st | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print("null" if v is None else str(v).lower() if isinstance(v,bool) else v)' "$1" 2>/dev/null; }
starts() { grep -c '^start' "$NOTIFIER_LOG" 2>/dev/null || echo 0; }
leftovers() { ps -eo args= | grep -F "$T_TMP/" | grep -v grep | wc -l; }
jail() { # jail LINES...: a jail with its own namespaces (net too) on the host's filesystem
	{ printf '[%s]\nunshare = mount,pid,uts,ipc,net\nstop.timeout = 2\n' "$N"; for l in "$@"; do printf '%s\n' "$l"; done; } >"$CONF"
	rm -f "$NOTIFIER_LOG"
}

# --- READY=1 late: starting (not ready, STATUS=starting) until it comes, then running with STATUS=serving
jail "ready = notify" "command = $NT late 3"
$W check -c "$CONF" >/dev/null; is "check accepts ready = notify" $? 0
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
# one answer holds both: while its STATUS= says starting, the jail is not running yet
snap() { st | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status"], d["state"], str(d["ready"]).lower())' 2>/dev/null; }
early=""
for i in $(seq 300); do early=$(snap); [ "${early%% *}" = starting ] && break; sleep 0.05; done
is "late: before READY=1 the state is starting" "$early" "starting starting false"
wait_for '[ "$(field state)" = running ]'
is "late: after READY=1 running, ready, with its STATUS= text" "$(field state) $(field ready) $(field status)" "running true serving"
like "late: the keeper logs it" "$(cat "$T_TMP/err")" "ready: the stack is ready: serving"
kill -TERM $kp; wait $kp; is "late: SIGTERM (the notifier sends STOPPING=1, exits 0)" $? 0

# --- never: ready.timeout restarts the stack; with ready.fail = stop the jail ends with 76
jail "ready = notify" "ready.timeout = 1" "command = $NT never"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for '[ "$(starts)" -ge 3 ]'
like "never: ready.timeout restarts the stack" "$(cat "$T_TMP/err")" "ready: not ready within ready.timeout \(1s\): restarting the stack"
is "never: never ready meanwhile" "$(field ready)" "false"
kill -TERM $kp; wait $kp
jail "ready = notify" "ready.timeout = 1" "ready.fail = stop" "exec.prestop = touch $T_TMP/prestop" "command = $NT never"
rm -f "$T_TMP/prestop"
$W run -c "$CONF" 2>"$T_TMP/err"; rc=$?
is "never, ready.fail = stop: exit 76" $rc 76
like "... with one line saying why" "$(cat "$T_TMP/err")" "ready: not ready within ready.timeout \(1s\): stopping the jail"
ok "... and the jail was removed through its steps (exec.prestop ran)" test -e "$T_TMP/prestop"
is "... started once" "$(starts)" 1

# --- EXTEND_TIMEOUT_USEC: more time than ready.timeout gave
jail "ready = notify" "ready.timeout = 1" "ready.fail = stop" "command = $NT extend 2 4000000"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for '[ "$(field state)" = running ]'
is "extend: ready after 2 s although ready.timeout is 1 s" "$(field ready) $(starts)" "true 1"
kill -TERM $kp; wait $kp

# --- the watchdog: 3 pings 0.3 s apart, then silence: the stack is restarted
jail "ready = notify" "watchdog = 1" "command = $NT watchdog 3 0.3"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for '[ "$(starts)" -ge 2 ]'
like "watchdog: the silent stack is restarted" "$(cat "$T_TMP/err")" "ready: no WATCHDOG=1 within 1s: restarting the stack"
ok "watchdog: not before the pings stopped (3 pings, then 1 s)" sh -c "[ \$(grep -c '^ready' '$NOTIFIER_LOG') -ge 1 ]"
kill -TERM $kp; wait $kp

# --- only the jail's processes are believed: a host process sending READY=1 is ignored
jail "unshare = mount,pid,uts,ipc" "ready = notify" "command = $NT never"
sed -i '/unshare = mount,pid,uts,ipc,net/d' "$CONF"
$W run -v -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for '[ "$(field status)" = "never ready" ]'
cp=$(st | python3 -c 'import json,sys; print(json.load(sys.stdin)["pids"][0])')
sock=$(tr '\0' '\n' <"/proc/$cp/environ" | sed -n 's/^NOTIFY_SOCKET=//p')
like "NOTIFY_SOCKET is an abstract name (no path in the jail's root)" "$sock" "^@warder/$N/[0-9a-f]{16}$"
NOTIFY_SOCKET=$sock python3 -c '
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1\nSTATUS=forged", "\0" + os.environ["NOTIFY_SOCKET"][1:])'
sleep 0.5
is "a host process's READY=1 is not believed" "$(field ready) $(field status)" "false never ready"
like "... and the init says so" "$(cat "$T_TMP/err")" "a notification from pid 0, not the jail's: ignored"
kill -TERM $kp; wait $kp

# --- ready = socket:ADDRESS: ready once a real server accepts, probed from inside the jail
P=$((20000 + $$ % 20000 + 10))
jail "ready = socket:tcp:127.0.0.1:$P" "exec.start = ip link set lo up" \
	"command = sleep 1.5; exec python3 -m http.server $P --bind 127.0.0.1"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for '[ -n "$(field state)" ]'
is "socket: not ready before the server listens" "$(field ready)" "false"
wait_for '[ "$(field state)" = running ]'
is "socket: ready once it accepts" "$(field ready)" "true"
kill -TERM $kp; wait $kp

# --- an emperor's depend waits for READY=1
mkdir -p "$T_TMP/v"
printf '[db%s]\nunshare = mount,pid,uts,ipc,net\nready = notify\nstop.timeout = 2\ncommand = %s late 2\n' "$N" "$NT" >"$T_TMP/v/db.conf"
printf '[web%s]\ndepend = db%s\nstop.timeout = 2\ncommand = touch %s/web-started; exec sleep 1000\n' "$N" "$N" "$T_TMP" >"$T_TMP/v/web.conf"
rm -f "$NOTIFIER_LOG"
$W emperor -t 100 "$T_TMP/v" 2>"$T_TMP/eerr" & ep=$!
wait_for "test -e '$T_TMP/web-started'"
ok "depend: the dependent started after its dependency said READY=1" grep -q '^ready' "$NOTIFIER_LOG"
like "depend: the emperor waited for it" "$(cat "$T_TMP/eerr")" "vassal web$N waits for db$N"
kill -TERM $ep; wait $ep; is "depend: the emperor stops cleanly" $? 0

# --- uWSGI's Emperor hears "ready" only after READY=1
U=$(command -v uwsgi-core || command -v uwsgi)
if [ -n "$U" ]; then
	mkdir -p "$T_TMP/u"
	printf '[%s]\nunshare = mount,pid,uts,ipc,net\nready = notify\nstop.timeout = 2\ncommand = %s late 2\n' "$N" "$NT" >"$T_TMP/u/$N.ini"
	rm -f "$NOTIFIER_LOG"
	L=$T_TMP/uwsgi.log
	(cd "$T_TMP/u" && exec "$U" --emperor "$T_TMP/u" --emperor-wrapper "$W" --logto "$L") & up=$!
	wait_for "grep -q 'vassal $N.ini is ready to accept requests' '$L' 2>/dev/null"
	like "uWSGI's Emperor: ready" "$(cat "$L")" "vassal $N.ini is ready to accept requests"
	ok "uWSGI's Emperor: only after READY=1" grep -q '^ready' "$NOTIFIER_LOG"
	kill -INT $up; wait $up
	wait_for '[ "$(leftovers)" = 0 ]'
else
	echo "# uwsgi is not installed: uWSGI's Emperor part skipped"
fi

is "nothing left: processes, state files" "$(leftovers) $(ls "$WARDER_RUNDIR" 2>/dev/null | grep -v '\.ctl$' | wc -l)" "0 0"
done_testing
