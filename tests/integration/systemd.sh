#!/bin/sh
# warder under systemd: the packaged units pass `systemd-analyze verify`; with NOTIFY_SOCKET set (a python3
# listener stands in for systemd, which need not be PID 1 here) `warder run` says READY=1 once the jail runs,
# RELOADING=1 + MONOTONIC_USEC then READY=1 around a reload (warder ctl and SIGHUP), STOPPING=1 on a stop, and
# never READY=1 for a jail that fails to start; WATCHDOG_USEC makes it ping; the jail's command never sees
# NOTIFY_SOCKET or WATCHDOG_*; the emperor speaks the same; the entrypoint mode leaves NOTIFY_SOCKET to its
# command.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

# --- the units: verified with the built binary in place of /usr/sbin/warder (deb.sh verifies the installed)
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/units"
	for u in "warder@.service:warder@web.service" "warder-emperor.service:warder-emperor.service"; do
		sed "s,/usr/sbin/warder,$WARDER,g" "$top/packaging/systemd/${u%%:*}" >"$T_TMP/units/${u#*:}"
	done
	out=$(cd "$T_TMP/units" && systemd-analyze verify --man=no ./warder@web.service ./warder-emperor.service 2>&1)
	is "systemd-analyze verify: the units are clean" "$?:$out" "0:"
	sed 's/^Type=notify/Type=notfy/' "$T_TMP/units/warder-emperor.service" >"$T_TMP/units/bad.service"
	like "systemd-analyze verify: would notice a bad line" \
		"$(cd "$T_TMP/units" && systemd-analyze verify --man=no ./bad.service 2>&1)" "bad.service:[0-9]+: Failed to parse service type"
	for u in warder@.service warder-emperor.service; do
		like "$u is Type=notify, reloads through warder ctl" "$(grep -E '^(Type|ExecReload)=' "$top/packaging/systemd/$u" | tr '\n' ' ')" \
			"^Type=notify ExecReload=/usr/sbin/warder ctl (%i|emperor) reload $"
	done
else
	ok "systemd-analyze is installed (tests/deps.sh check)" false
fi

jail_suite
N=sd$$
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.05; done; }
# listen NAME: a listener on $T_TMP/NAME.sock writing $T_TMP/NAME.log
listen() {
	python3 "$top/tests/tools/notify_listen.py" "$T_TMP/$1.sock" "$T_TMP/$1.log" & LP=$!
	LPS="$LPS $LP"
	on_exit "kill -KILL $LP"
	wait_for "test -S '$T_TMP/$1.sock'"
}
# kinds LOG: the messages in order, each by its first assignment's name; STATUS-only and WATCHDOG left out
kinds() { grep -Ev '^(STATUS|WATCHDOG)=' "$1" | cut -d'|' -f1 | cut -d= -f1 | tr '\n' ' '; }
nready() { grep -c '^READY=1' "$1"; }
conf() { # conf RELOAD EXTRA...
	{
		printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 2\n' "$N" "$R"
		printf 'reload = %s\n' "$1"; shift
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$T_TMP/j.conf"
}
on_exit "pkill -KILL -f '$T_TMP/'"
LPS=

# --- a jail: start, ctl reload, SIGHUP reload, stop
listen a
rm -f "$R/tmp/env"
conf stack "command = env > /tmp/env; exec sleep 1000"
NOTIFY_SOCKET=$T_TMP/a.sock WATCHDOG_USEC=200000 SD_MARK=1 $W run -c "$T_TMP/j.conf" 2>"$T_TMP/a.err" & kp=$!
wait_for "[ \$(nready '$T_TMP/a.log') = 1 ]"
is "start: READY=1 with a STATUS line" "$(grep '^READY=1' "$T_TMP/a.log")" "READY=1|STATUS=jail $N: running"
wait_for "test -s '$R/tmp/env'"
like "the command has warder's environment" "$(grep SD_MARK "$R/tmp/env")" "^SD_MARK=1$"
is "but not NOTIFY_SOCKET or WATCHDOG_*" "$(grep -cE '^(NOTIFY_SOCKET|WATCHDOG_)' "$R/tmp/env")" 0
wait_for "[ \$(grep -c '^WATCHDOG=1$' '$T_TMP/a.log') -ge 2 ]"
ok "WATCHDOG_USEC=200000: WATCHDOG=1 pings come" [ "$(grep -c '^WATCHDOG=1$' "$T_TMP/a.log")" -ge 2 ]
$W ctl $N reload >/dev/null; is "ctl reload answers" $? 0
back=$(python3 -c 'import time; print(time.monotonic_ns() // 1000)')
wait_for "grep -q '^RELOADING=1' '$T_TMP/a.log'"
like "RELOADING=1 with MONOTONIC_USEC and STATUS" "$(grep '^RELOADING=1' "$T_TMP/a.log")" \
	"^RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS=jail $N: reloading$"
mono=$(sed -n 's/^RELOADING=1|MONOTONIC_USEC=\([0-9]*\)|.*/\1/p' "$T_TMP/a.log")
ok "RELOADING=1 was sent before ctl returned (for ExecReload=)" [ "${mono:-0}" -gt 0 -a "${mono:-0}" -le "$back" ]
wait_for "[ \$(nready '$T_TMP/a.log') = 2 ]"
is "READY=1 again after the reload" "$(nready "$T_TMP/a.log")" 2
kill -HUP $kp
wait_for "[ \$(nready '$T_TMP/a.log') = 3 ]"
is "SIGHUP: RELOADING=1 then READY=1" "$(kinds "$T_TMP/a.log")" "READY RELOADING READY RELOADING READY "
kill -TERM $kp; wait $kp; rc=$?
is "SIGTERM: the jail stops (143)" $rc 143
sleep 0.3 # the listener's last lines
is "start, reload, reload, stop: in order" "$(kinds "$T_TMP/a.log")" "READY RELOADING READY RELOADING READY STOPPING "
is "the last STATUS says how it ended" "$(sed -n '$p' "$T_TMP/a.log")" "STATUS=jail $N: exited with status 143"
n=$(grep -c '^WATCHDOG=1$' "$T_TMP/a.log"); sleep 0.5
is "no ping after the end" "$(grep -c '^WATCHDOG=1$' "$T_TMP/a.log")" "$n"

# --- reload = jail: the jail is rebuilt between RELOADING=1 and READY=1
: >"$T_TMP/a.log"
conf jail "command = sleep 1000"
NOTIFY_SOCKET=$T_TMP/a.sock $W run -q -c "$T_TMP/j.conf" & kp=$!
wait_for "[ \$(nready '$T_TMP/a.log') = 1 ]"
$W ctl $N reload >/dev/null
wait_for "[ \$(nready '$T_TMP/a.log') = 2 ]"
kill -TERM $kp; wait $kp
sleep 0.3
is "reload = jail: READY RELOADING READY STOPPING" "$(kinds "$T_TMP/a.log")" "READY RELOADING READY STOPPING "

# --- a jail that fails to start: no READY=1, the hook chain's exit code (70)
: >"$T_TMP/a.log"
conf stack "exec.prestart = false" "command = sleep 1000"
NOTIFY_SOCKET=$T_TMP/a.sock $W run -q -c "$T_TMP/j.conf" 2>/dev/null; rc=$?
sleep 0.3
is "failed start: exit 70 (a hook chain failed)" $rc 70
is "failed start: never READY=1" "$(nready "$T_TMP/a.log")" 0
is "failed start: STOPPING=1, then the status" "$(kinds "$T_TMP/a.log")$(sed -n '$p' "$T_TMP/a.log")" \
	"STOPPING STATUS=jail $N: exited with status 70"
: >"$T_TMP/a.log"
conf stack "command = sleep 1000" "mount = /nonexistent-$$ /mnt none bind"
NOTIFY_SOCKET=$T_TMP/a.sock $W run -q -c "$T_TMP/j.conf" 2>/dev/null; rc=$?
sleep 0.3
is "failed setup: exit 71, never READY=1" "$rc $(nready "$T_TMP/a.log")" "71 0"

# --- a manager that went away costs a warning, not the jail
conf stack "command = exit 3"
NOTIFY_SOCKET=$T_TMP/gone.sock $W run -c "$T_TMP/j.conf" 2>"$T_TMP/g.err"; rc=$?
is "NOTIFY_SOCKET with nobody listening: the command's status (3)" $rc 3
is "and one warning line" "$(grep -c 'sd_notify: send to NOTIFY_SOCKET' "$T_TMP/g.err")" 1

# --- init-only (no jail parameters) speaks the same
: >"$T_TMP/a.log"
printf '[io%s]\ncommand = sleep 1000\nstop.timeout = 2\n' $$ >"$T_TMP/io.conf"
NOTIFY_SOCKET=$T_TMP/a.sock $W run -q -c "$T_TMP/io.conf" & kp=$!
wait_for "[ \$(nready '$T_TMP/a.log') = 1 ]"
kill -HUP $kp
wait_for "[ \$(nready '$T_TMP/a.log') = 2 ]"
kill -TERM $kp; wait $kp
sleep 0.3
is "init-only: READY RELOADING READY STOPPING" "$(kinds "$T_TMP/a.log")" "READY RELOADING READY STOPPING "

# --- the emperor: READY=1 once its vassals are ready, reload, stop; vassals never see NOTIFY_SOCKET
listen e
D=$T_TMP/vassals; mkdir -p "$D"
printf '[v1%s]\ncommand = env > %s/v1.env; exec sleep 1000\nstop.timeout = 2\n' $$ "$T_TMP" >"$D/v1.conf"
printf '[v2%s]\ncommand = sleep 1000\nstop.timeout = 2\n' $$ >"$D/v2.conf"
NOTIFY_SOCKET=$T_TMP/e.sock $W emperor -q --control "$T_TMP/emp.ctl" "$D" 2>"$T_TMP/e.err" & ep=$!
wait_for "[ \$(nready '$T_TMP/e.log') = 1 ]"
is "emperor: READY=1 once both vassals are ready" "$(grep '^READY=1' "$T_TMP/e.log")" "READY=1|STATUS=emperor of $D: 2 of 2 vassals ready"
wait_for "test -s '$T_TMP/v1.env'"
is "a vassal's command does not see NOTIFY_SOCKET" "$(grep -c NOTIFY_SOCKET "$T_TMP/v1.env")" 0
$W ctl "$T_TMP/emp.ctl" reload >/dev/null
wait_for "[ \$(nready '$T_TMP/e.log') = 2 ]"
kill -TERM $ep; wait $ep; rc=$?
sleep 0.3
is "emperor: SIGTERM, exit 0" $rc 0
is "emperor: READY RELOADING READY STOPPING" "$(kinds "$T_TMP/e.log")" "READY RELOADING READY STOPPING "

# --- the entrypoint mode is transparent: NOTIFY_SOCKET is the command's to use
is "entrypoint: the command gets NOTIFY_SOCKET as it was" "$(NOTIFY_SOCKET=/run/x.sock $W -- sh -c 'echo $NOTIFY_SOCKET')" /run/x.sock
kill -TERM $LPS; wait $LPS
is "nothing left behind" "$(leftovers) $(ls "$WARDER_RUNDIR" 2>/dev/null)" "0 "
done_testing
