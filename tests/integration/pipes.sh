#!/bin/sh
# A closed pipe never costs a cleanup step: warder run writing into a pipe or FIFO whose reader exits early
# finishes every step (the hooks that run after the reader left still run, their output goes nowhere), exits
# with the command's status, leaves nothing in the run directory; the command and the hooks get SIGPIPE's
# disposition back (entrypoint mode: the one warder was started with).
. "$(dirname "$0")/lib.sh"
jail_suite
N=pp$$
O=$R/order # /order inside: the in-jail chains write there after the root changed
GONE=$R/gone
mounts() { grep -c "$T_TMP" /proc/self/mountinfo; }
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'
# Every chain writes a line to stdout and its name to the order file; exec.prepare writes one line, then
# waits for the reader to be gone, so that every later line meets a closed pipe.
{
	printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 1\n' "$N" "$R"
	for c in prepare prestart created jailed start poststart prestop stop poststop release; do
		o=$O
		case $c in start | stop) o=/order ;; esac
		printf 'exec.%s = echo %s; echo %s >>%s\n' $c $c $c $o
		# The wait and the next line are two commands: the one that writes starts after the reader left.
		[ $c = prepare ] && printf 'exec.prepare += until [ -e %s ]; do sleep 0.05; done\nexec.prepare += echo after\n' "$GONE"
	done
	printf 'command = true\n'
} >"$T_TMP/p.conf"
all="prepare prestart created jailed start poststart prestop stop poststop release "
reset() { rm -f "$O" "$GONE" "$T_TMP/out"; }

# --- a pipe: head -1 takes the first line and leaves
reset
{ $W run -c "$T_TMP/p.conf" 2>&1; echo $? >"$T_TMP/rc"; } | { head -1 >"$T_TMP/out"; exec 0<&-; touch "$GONE"; }
is "pipe: the reader got the first line" "$(cat "$T_TMP/out")" prepare
is "pipe: exit 0 (the command's; warder did not die of SIGPIPE)" "$(cat "$T_TMP/rc")" 0
is "pipe: every chain ran" "$(tr '\n' ' ' <"$O")" "$all"
is "pipe: nothing left in the run directory" "$(ls "$WARDER_RUNDIR")" ""
is "pipe: no process left, no mount left" "$(leftovers) $(mounts)" "0 0"

# --- a FIFO whose reader exits after one line (the shape of 2>&1 | logger when logger dies)
reset
mkfifo "$T_TMP/fifo"
sh -c 'head -1 <"$1" >"$2"; touch "$3"' sh "$T_TMP/fifo" "$T_TMP/out" "$GONE" &
$W run -c "$T_TMP/p.conf" >"$T_TMP/fifo" 2>&1; rc=$?
wait
is "fifo: exit 0" $rc 0
is "fifo: every chain ran" "$(tr '\n' ' ' <"$O")" "$all"
is "fifo: nothing left in the run directory" "$(ls "$WARDER_RUNDIR")" ""
is "fifo: no process left, no mount left" "$(leftovers) $(mounts)" "0 0"

# --- the command writes into the closed pipe: it dies of SIGPIPE (its own default), warder reports 141
reset
sed -i 's,^command = .*,command = until [ -e /gone ]; do sleep 0.05; done; echo late; echo late,' "$T_TMP/p.conf"
{ $W run -q -c "$T_TMP/p.conf" 2>&1; echo $? >"$T_TMP/rc"; } | { head -1 >"$T_TMP/out"; exec 0<&-; touch "$GONE"; }
is "command: SIGPIPE is the command's default again: 141 is its status" "$(cat "$T_TMP/rc")" 141
is "command: every chain still ran" "$(tr '\n' ' ' <"$O")" "$all"
is "command: nothing left in the run directory" "$(ls "$WARDER_RUNDIR")" ""

# --- dispositions: bit 13 of SigIgn is SIGPIPE (mask 0x1000)
sigign() { v=$(sed -n 's/^SigIgn:[[:space:]]*//p'); [ -n "$v" ] && { [ $((0x$v & 0x1000)) = 0 ] && echo dfl || echo ign; }; }
is "entrypoint: the command gets SIGPIPE's default when warder had it" \
	"$($W -- cat /proc/self/status | sigign)" dfl
is "entrypoint: the command gets SIGPIPE ignored when warder was started so" \
	"$(sh -c "trap '' PIPE; exec $W -- cat /proc/self/status" | sigign)" ign
printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nexec.prestart = cat /proc/self/status >%s\ncommand = cat /proc/self/status\n' \
	"$N" "$R" "$T_TMP/hook" >"$T_TMP/s.conf"
is "jail: the command gets SIGPIPE's default" "$($W run -q -c "$T_TMP/s.conf" | sigign)" dfl
is "jail: a hook gets SIGPIPE's default" "$(sigign <"$T_TMP/hook")" dfl
done_testing
