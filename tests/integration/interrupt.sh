#!/bin/sh
# Ctrl-C, SIGTERM and SIGHUP while a hook runs stop the jail now: the hook's process group gets the signal
# (SIGKILL after stop.timeout), no further command of that chain and no later create step runs, the main
# command never starts, the remove steps unwind as after a failed step (the partners of completed chains
# run, the interrupted chain's does not), and warder exits 128+N. Under a real terminal (^C typed on a pty)
# and with kill from outside; nothing is left behind.
. "$(dirname "$0")/lib.sh"
jail_suite
N=ir$$
O=$R/order # /order inside the jail
PTY="python3 $(dirname "$0")/../tools/pty_run.py"
mounts() { grep -c "$T_TMP" /proc/self/mountinfo; }
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'
# the hooks below sleep 30-39 s and a fraction unique to this run (sleep 3X.PID)
hooks_left() { pgrep -xfc "sleep 3[0-9]\\.$$"; }
# mk CHAIN [STOP-TIMEOUT]: every chain logs its name; CHAIN then marks $R/busy and sleeps, and the next
# command of its chain would log CHAIN-next.
mk() {
	{
		printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = %s\n' "$N" "$R" "${2:-5}"
		for c in prepare prestart created jailed start poststart prestop stop poststop release; do
			o=$O
			case $c in start | stop) o=/order ;; esac
			if [ $c = "$1" ]; then
				printf 'exec.%s = echo %s >>%s; %s touch %s; sleep 3%s.%s\n' $c $c $o "${3:-}" \
					"$(case $c in start | stop) echo /busy ;; *) echo "$R/busy" ;; esac)" "${#c}" $$
				printf 'exec.%s += echo %s-next >>%s\n' $c $c $o
			else
				printf 'exec.%s = echo %s >>%s\n' $c $c $o
			fi
		done
		printf 'command = echo command >>/order\n'
	} >"$T_TMP/i.conf"
	rm -f "$O" "$R/busy"
}
wait_for() { i=0; until "$@"; do i=$((i + 1)); [ $i -ge 400 ] && return 1; sleep 0.05; done; }
# check NAME WANT-EXIT GOT-EXIT WANT-ORDER [SED]: SED first evens out lines that may come in either order
check() {
	is "$1: exit $2" "$3" "$2"
	is "$1: steps run" "$(tr '\n' ' ' <"$O" | sed "${5:-}")" "$4"
	is "$1: no hook left, nothing in the run directory" "$(hooks_left) $(ls "$WARDER_RUNDIR")" "0 "
	is "$1: no process left, no mount left" "$(leftovers) $(mounts)" "0 0"
}

# --- ^C on a terminal during a host hook (exec.prestart): prepare completed (release runs), prestart did not
mk prestart
out=$($PTY --intr-when "$R/busy" $W run -c "$T_TMP/i.conf" 2>&1)
check "^C in exec.prestart" 130 "$(printf '%s\n' "$out" | sed -n 's/^exit=//p')" "prepare prestart release "
like "^C in exec.prestart: the hook's line says it was stopped" "$out" "prestart: .*stopped by SIGINT"

# --- SIGTERM from outside during an in-jail hook (exec.start): the command never starts, exec.stop does not run
mk start
$W run -q -c "$T_TMP/i.conf" 2>/dev/null & kp=$!
wait_for test -e "$R/busy"; kill -TERM $kp; wait $kp; rc=$?
check "SIGTERM in exec.start" 143 $rc "prepare prestart created jailed start poststop release "

# --- ^C during exec.start on a terminal
mk start
out=$($PTY --intr-when "$R/busy" $W run -c "$T_TMP/i.conf" 2>&1)
check "^C in exec.start" 130 "$(printf '%s\n' "$out" | sed -n 's/^exit=//p')" "prepare prestart created jailed start poststop release "

# --- a hook that ignores the signal is killed after stop.timeout; exec.created has no partner
mk created 1 "trap '' INT TERM HUP;"
$W run -q -c "$T_TMP/i.conf" 2>/dev/null & kp=$!
wait_for test -e "$R/busy"; kill -INT $kp; wait $kp; rc=$?
check "SIGINT in exec.created, the hook ignores it" 130 $rc "prepare prestart created poststop release "

# --- SIGHUP while the jail is being built is a stop (a closing terminal), not a reload
mk poststart
$W run -q -c "$T_TMP/i.conf" 2>/dev/null & kp=$!
wait_for test -e "$R/busy"; kill -HUP $kp; wait $kp; rc=$?
# exec.poststart starts once the command has started, as jail(8) does, and runs beside it: either may log first
check "SIGHUP in exec.poststart" 129 $rc "prepare prestart created jailed start command poststart stop poststop release " \
	's/ poststart command / command poststart /'

# --- init-only mode (no jail parameters): ^C during exec.prestart
printf '[inner]\nexec.prepare = echo prepare >>%s\nexec.prestart = echo prestart >>%s; touch %s; sleep 37.%s\nexec.prestart += echo prestart-next >>%s\nexec.release = echo release >>%s\ncommand = echo command >>%s\n' \
	"$O" "$O" "$R/busy" $$ "$O" "$O" "$O" >"$T_TMP/inner.conf"
rm -f "$O" "$R/busy"
out=$($PTY --intr-when "$R/busy" $W run -c "$T_TMP/inner.conf" 2>&1)
check "init-only: ^C in exec.prestart" 130 "$(printf '%s\n' "$out" | sed -n 's/^exit=//p')" "prepare prestart release "
like "init-only: ^C in exec.prestart: the hook's line says it was stopped" "$out" "prestart: .*stopped by SIGINT"
done_testing
