#!/bin/sh
# listen: sockets bound by warder and passed to the command as LISTEN_FDS. A bounded client loop (hammer.py)
# against a held socket while the jail is reloaded 10 times with reload = stack and 10 times with reload = jail,
# and while an emperor's vassal is SIGKILLed 5 times: no connection refused, every request answered. Real
# servers behind the sockets: an http.server reading fd 3 and uWSGI picking up LISTEN_FDS. A jail with its
# own empty network namespace serves the host while it cannot connect anywhere. `inside` binds in the jail's
# network namespace. Bad input (address in use, unix path in a missing directory, a host-side socket in
# init-only mode) is one clear line, the documented exit code, nothing run and nothing left; a unix socket's
# path goes on every exit path.
. "$(dirname "$0")/lib.sh"
jail_suite
TOOLS=$(cd "$(dirname "$0")/../tools" && pwd)
PY=/usr/bin/python3
N=ls$$
P=$((20000 + $$ % 20000)) # this suite's ports: P .. P+9
CONF=$T_TMP/j.conf
on_exit "pkill -KILL -f '$T_TMP/'"
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done; }
get() { $PY -c 'import sys,urllib.request; print(urllib.request.urlopen("http://"+sys.argv[1]+"/", timeout=10).read().decode().strip())' "$1" 2>&1; }
uget() { $PY -c '
import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(b"GET / HTTP/1.0\r\n\r\n"); d=b""
while True:
    b=s.recv(4096)
    if not b: break
    d+=b
print(d.split(b"\r\n\r\n",1)[1].decode().strip())' "$1" 2>&1; }
not_serving() { ! get "$1" | grep -q pid=; }
leftovers() { ps -eo args= | grep -F "$T_TMP/" | grep -v grep | wc -l; }
# jail RELOAD LINES...: a jail on the host's filesystem with its own empty network namespace
jail() {
	r=$1; shift
	{ printf '[%s]\nunshare = mount,pid,uts,ipc,net\nstop.timeout = 5\nreload = %s\n' "$N" "$r"
	  for l in "$@"; do printf '%s\n' "$l"; done; } >"$CONF"
}
serving() { get 127.0.0.1:$P | grep -q "^$1 "; }

# --- warder check: the socket steps in the plan
jail stack "listen = tcp:127.0.0.1:$P name=http" "listen = unix:$T_TMP/a.sock:0660 inside" "command = $PY $TOOLS/fd3_http.py one"
plan=$($W check -c "$CONF")
like "check: the keeper binds before every other step" "$plan" "  0 listen     host  bind tcp:127.0.0.1:$P as fd 3 \(http\), held across reloads"
like "check: an inside socket comes with the command" "$plan" "command    jail  bind unix:$T_TMP/a.sock:0660 inside the jail as fd 4 \($N\)"
like "check: the socket is closed last" "$plan" "unlisten   host  close tcp:127.0.0.1:$P"
printf '[x]\nlisten = tcp:localhost:80\n' >"$T_TMP/bad.conf"
out=$($W check -c "$T_TMP/bad.conf" 2>&1); rc=$?
is "check: a name instead of an address is a config error (78)" $rc 78
like "check: ... naming FILE:LINE" "$out" "bad.conf:2: listen: bad address \"localhost\""

# --- a real server on fd 3, reloaded 10 times in each mode that keeps the keeper
for mode in stack jail; do
	jail $mode "listen = tcp:127.0.0.1:$P name=http" "command = $PY $TOOLS/fd3_http.py $mode"
	$W run -c "$CONF" 2>"$T_TMP/err.$mode" & kp=$!
	wait_for "serving $mode"
	first=$(get 127.0.0.1:$P)
	rm -f "$T_TMP/stop"
	$PY "$TOOLS/hammer.py" 127.0.0.1:$P 1000000 120 "$T_TMP/stop" >"$T_TMP/hammer.$mode" & hp=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 0.3
		kill -HUP $kp
		# the next reload once this one is done and the new server answers
		wait_for "[ \$(grep -c -e 'the stack runs again' -e 'building the jail again' '$T_TMP/err.$mode') -ge $i ] && serving $mode"
	done
	sleep 0.3
	touch "$T_TMP/stop"; wait $hp
	h=$(cat "$T_TMP/hammer.$mode")
	echo "# reload = $mode, 10 reloads: $h"
	like "reload = $mode: 10 reloads happened" "$(grep -c -e 'the stack runs again' -e 'building the jail again' "$T_TMP/err.$mode")" "^10$"
	like "reload = $mode: the client sent requests throughout" "$h" "^sent [0-9]{2,}"
	like "reload = $mode: zero refused, every request answered, none dropped" "$h" "^sent ([0-9]+) answered \\1 refused 0 retried 0 "
	like "reload = $mode: LISTEN_PID is the command's pid as the jail sees it, names from name=" "$first" "^$mode pid=([0-9]+) listen_pid=\\1 fds=1 names=http probe=none$"
	kill -TERM $kp; wait $kp; is "reload = $mode: SIGTERM ends it, with the server's own status after its graceful stop" $? 0
done
ok "after the runs nothing listens on the port" not_serving 127.0.0.1:$P

# --- unshare = net: serves the host, cannot reach it; a unix socket with mode and owner; names
jail stack "listen = tcp:127.0.0.1:$P name=web" "listen = unix:$T_TMP/u.sock:0640:nobody name=local" \
	"command = PROBE=127.0.0.1:$((P + 1)) exec $PY $TOOLS/fd3_http.py net"
$PY -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' $((P + 1)) "$T_TMP/" & lp=$!
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for "serving net"
like "unshare = net: the host's connection is served, the jail's own is not possible" "$(get 127.0.0.1:$P)" "^net .* fds=2 names=web:local probe=(ConnectionRefusedError|OSError)$"
is "unix socket: mode 0640, owner nobody" "$(stat -c '%a %U' "$T_TMP/u.sock")" "640 nobody"
like "unix socket: served too" "$(uget "$T_TMP/u.sock")" "^net .* fds=2"
kill -TERM $kp; wait $kp
ok "unix socket: the path is gone after the stop" test ! -e "$T_TMP/u.sock"
kill $lp 2>/dev/null; wait $lp 2>/dev/null

# --- the command exits by itself: the path goes too; a stale file left by a SIGKILLed keeper is replaced
jail stack "listen = unix:$T_TMP/u.sock" "command = true"
$W run -q -c "$CONF"; is "a command that exits: its status" $? 0
ok "... and the unix path is gone" test ! -e "$T_TMP/u.sock"
jail stack "listen = unix:$T_TMP/u.sock" "command = sleep 1000"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for "test -S '$T_TMP/u.sock' && [ -s '$WARDER_RUNDIR/$N.state' ]"
kill -KILL $kp; wait $kp 2>/dev/null
wait_for "[ \$(ps -eo args= | grep -c '^sleep 1000\$') = 0 ]"
ok "SIGKILL leaves the socket file (nothing can remove it then)" test -S "$T_TMP/u.sock"
jail stack "listen = unix:$T_TMP/u.sock" "command = true"
$W run -c "$CONF" 2>"$T_TMP/err"; is "the next run replaces the stale socket file" $? 0
like "... and says so" "$(cat "$T_TMP/err")" "removing the stale socket file"
rm -f "$WARDER_RUNDIR/$N.state"

# --- inside: bound in the jail's network namespace, after exec.start brought its loopback up
jail stack "exec.start = ip link set lo up" "listen = tcp:127.0.0.1:$((P + 2)) inside name=in" "command = $PY $TOOLS/fd3_http.py inside"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for "[ -s '$WARDER_RUNDIR/$N.state' ]"
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
wait_for "nsenter -t $ipid -n $PY -c 'import socket; socket.create_connection((\"127.0.0.1\", $((P + 2))), 1)' 2>/dev/null"
like "inside: served in the jail's network namespace" "$(nsenter -t "$ipid" -n $PY -c 'import urllib.request,sys; print(urllib.request.urlopen("http://127.0.0.1:"+sys.argv[1]+"/", timeout=10).read().decode().strip())' $((P + 2)))" "^inside .* names=in "
ok "inside: not on the host's" not_serving 127.0.0.1:$((P + 2))
kill -TERM $kp; wait $kp

# --- uWSGI itself picks the socket up from LISTEN_FDS
U=$(command -v uwsgi-core || command -v uwsgi)
if [ -n "$U" ] && [ -e /usr/lib/uwsgi/plugins/python3_plugin.so ]; then
	printf 'import os\ndef application(env, start):\n    start("200 OK", [("Content-Type", "text/plain")])\n    return [("uwsgi %%d\\n" %% os.getpid()).encode()]\n' >"$T_TMP/app.py"
	jail stack "listen = tcp:127.0.0.1:$P" "command = $U --plugin python3 --protocol http --wsgi-file $T_TMP/app.py --master --workers 2 --die-on-term"
	$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
	wait_for "get 127.0.0.1:$P | grep -q '^uwsgi '"
	like "uWSGI answers on the socket warder bound" "$(get 127.0.0.1:$P)" "^uwsgi [0-9]+$"
	like "uWSGI says it took it from LISTEN_FDS" "$(cat "$T_TMP/err")" "SystemD socket activation detected"
	kill -HUP $kp
	wait_for "grep -q 'the stack runs again' '$T_TMP/err'"
	like "uWSGI after reload = stack: the same socket" "$(get 127.0.0.1:$P)" "^uwsgi [0-9]+$"
	kill -TERM $kp; wait $kp
else
	echo "# uwsgi or its python3 plugin is not installed (tests/deps.sh check): uWSGI part skipped"
fi

# --- the emperor holds a vassal's socket while the vassal is SIGKILLed 5 times
mkdir -p "$T_TMP/v"
printf '[%s]\nunshare = mount,pid,uts,ipc,net\nstop.timeout = 5\nlisten = tcp:127.0.0.1:%s name=emp\ncommand = %s %s/fd3_http.py emp\n' \
	"$N" "$P" "$PY" "$TOOLS" >"$T_TMP/v/$N.conf"
$W emperor -t 100 "$T_TMP/v" 2>"$T_TMP/eerr" & ep=$!
wait_for "serving emp"
rm -f "$T_TMP/stop"
$PY "$TOOLS/hammer.py" 127.0.0.1:$P 1000000 120 "$T_TMP/stop" >"$T_TMP/hammer.emp" & hp=$!
for i in 1 2 3 4 5; do
	sleep 0.5
	kill -KILL "$(awk '$1=="keeper"{print $2}' "$WARDER_RUNDIR/$N.state")"
	wait_for "[ \$(grep -c 'vassal $N ended' '$T_TMP/eerr') -ge $i ] && serving emp"
done
sleep 0.3
touch "$T_TMP/stop"; wait $hp
h=$(cat "$T_TMP/hammer.emp")
echo "# emperor, 5 SIGKILLs of the vassal: $h (retried: dropped by the SIGKILL in the middle of a request)"
is "emperor: the vassal died 5 times" "$(grep -c "vassal $N ended" "$T_TMP/eerr")" 5
like "emperor: zero refused, every request answered" "$h" "^sent ([0-9]+) answered \\1 refused 0 retried [0-9]+ "
like "emperor: the vassal's command sees the socket as fd 3 with its name" "$(get 127.0.0.1:$P)" "^emp pid=([0-9]+) listen_pid=\\1 fds=1 names=emp "
kill -TERM $ep; wait $ep; is "emperor: stops cleanly" $? 0
ok "emperor: the socket is closed with it" not_serving 127.0.0.1:$P

# --- bad input: one line naming the address, the documented code, no hook ran, nothing left
$PY -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(60)' $((P + 3)) "$T_TMP/" & lp=$!
wait_for "$PY -c 'import socket; socket.create_connection((\"127.0.0.1\", $((P + 3))), 1)' 2>/dev/null"
jail stack "exec.prepare = touch $T_TMP/hook-ran" "listen = unix:$T_TMP/first.sock" "listen = tcp:127.0.0.1:$((P + 3))" "command = sleep 1000"
out=$($W run -c "$CONF" 2>&1); rc=$?
is "address in use: exit 71" $rc 71
like "address in use: the line names the address" "$out" "listen: tcp:127.0.0.1:$((P + 3)): bind: Address (already )?in use"
ok "address in use: no hook ran" test ! -e "$T_TMP/hook-ran"
ok "address in use: the socket bound before it is gone again" test ! -e "$T_TMP/first.sock"
kill $lp; wait $lp 2>/dev/null
jail stack "exec.prepare = touch $T_TMP/hook-ran" "listen = unix:$T_TMP/missing/dir/s.sock" "command = sleep 1000"
out=$($W run -c "$CONF" 2>&1); rc=$?
is "unix path in a missing directory: exit 71" $rc 71
like "... naming the path" "$out" "listen: unix:$T_TMP/missing/dir/s.sock: bind: No such file or directory"
ok "... no hook ran" test ! -e "$T_TMP/hook-ran"
printf '[%s]\nexec.prestart = touch %s/hook-ran\nlisten = tcp:127.0.0.1:%s\ncommand = sleep 1000\n' "$N" "$T_TMP" "$P" >"$CONF"
out=$($W run -c "$CONF" 2>&1); rc=$?
is "a host-side socket in init-only mode: exit 78" $rc 78
like "... naming FILE:LINE and what to do" "$out" "j.conf:3: listen = tcp:127.0.0.1:$P: this config builds no jail \(init-only mode\).*add \`inside\`"
ok "... no hook ran" test ! -e "$T_TMP/hook-ran"
printf '[%s]\nlisten = tcp:127.0.0.1:%s inside\ncommand = %s %s/fd3_http.py initonly\n' "$N" "$P" "$PY" "$TOOLS" >"$CONF"
$W run -c "$CONF" 2>"$T_TMP/err" & kp=$!
wait_for "serving initonly"
like "init-only mode with inside: warder binds it and passes it" "$(get 127.0.0.1:$P)" "^initonly pid=([0-9]+) listen_pid=\\1 fds=1"
kill -TERM $kp; wait $kp

is "nothing left: processes, state files" "$(leftovers) $(ls "$WARDER_RUNDIR" 2>/dev/null | grep -v '\.ctl$' | wc -l)" "0 0"
done_testing
