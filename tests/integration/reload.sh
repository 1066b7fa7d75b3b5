#!/bin/sh
# Restart and reload of a real jail on a busybox rootfs: a crash loop restarts with growing delays and stops at
# restart.burst; reload = stack keeps the init and its namespaces and restarts the processes; reload = jail
# builds a new jail from the file read again, keeps the old one when the file fails check, and builds the last
# config that worked again when the new one passes check but cannot be built;
# reload = exit takes the jail down and exits 0; SIGHUP restarts the command of an init-only run.
. "$(dirname "$0")/lib.sh"
jail_suite
N=rl$$
mounts_under_root() { grep -c " $R" /proc/self/mountinfo || true; }
before=$(host_mounts)
# wait_for CMD...: up to 10 s for CMD to succeed.
wait_for() { i=0; until "$@"; do i=$((i + 1)); [ $i -ge 200 ] && return 1; sleep 0.05; done; }
state_pid() { awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state" 2>/dev/null; }
ns_of() { for n in mnt pid uts ipc; do stat -L -c %i "/proc/$1/ns/$n"; done | tr '\n' ' '; }
cmd_pid() { $W ctl $N status | python3 -c 'import json,sys; print(json.load(sys.stdin)["pids"][0])'; }
# conf RELOAD HOSTNAME EXTRA...: the jail's config, written to $T_TMP/j.conf
conf() {
	{
		printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 2\n' "$N" "$R"
		printf 'reload = %s\nhost.hostname = %s\n' "$1" "$2"
		shift 2
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$T_TMP/j.conf"
}
on_exit "kill -KILL \$(awk '\$1==\"keeper\"{print \$2}' $WARDER_RUNDIR/$N.state) 2>/dev/null"

# --- a crash loop: growing delays, then the burst limit stops it
conf jail crash "command = exit 1" "restart = on-failure" "restart.delay = 0.1" "restart.burst = 3/10"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err"; rc=$?
is "a crash loop ends with the command's last status" $rc 1
is "the delays double: 0.1, 0.2, 0.4" "$(sed -n 's/.*restarting in \([0-9.]*\)s$/\1/p' "$T_TMP/err" | tr '\n' ' ')" "0.1 0.2 0.4 "
like "the burst limit stops it with a clear line" "$(cat "$T_TMP/err")" "command: restarted 3 times within 10s: giving up, stopping the jail"
is "nothing left after the crash loop" "$(leftovers) $(ls "$WARDER_RUNDIR")" "0 "
conf jail crash "command = exit 1" "restart = on-failure" "restart.delay = 0.1" "restart.burst = 2/1m"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err"
like "restart.burst takes a duration's unit (2/1m: 60 s)" "$(cat "$T_TMP/err")" "restarted 2 times within 60s: giving up"
conf jail ok "command = exit 0" "restart = on-failure" "restart.delay = 0.1" "restart.burst = 3/10"
$W run -q -c "$T_TMP/j.conf"; is "on-failure: a clean exit is not restarted" $? 0

# --- reload = stack: same init, same namespaces, a new command; exec.stop and exec.start ran again
rm -f "$R/tmp/hooks"
conf stack one "exec.start = echo start >> /tmp/hooks" "exec.stop = echo stop >> /tmp/hooks" "command = sleep 100"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for test -S "$WARDER_RUNDIR/$N.ctl" -a -s "$WARDER_RUNDIR/$N.state"
wait_for sh -c "$W ctl $N status | grep -q '\"pids\":\[[0-9]'"
ipid=$(state_pid); ns1=$(ns_of "$ipid"); c1=$(cmd_pid)
kill -HUP $kp
wait_for sh -c "[ \$(grep -c start '$R/tmp/hooks') = 2 ] && grep -q 'the stack runs again' '$T_TMP/err'"
is "stack: the init is the same" "$(state_pid)" "$ipid"
is "stack: the namespaces are the same" "$(ns_of "$ipid")" "$ns1"
c2=$(cmd_pid)
ok "stack: the command's pid changed ($c1 -> $c2)" test "$c1" != "$c2" -a -n "$c2"
is "stack: exec.stop and exec.start ran again" "$(tr '\n' ' ' <"$R/tmp/hooks")" "start stop start "
ok "stack: the old command is gone" sh -c "! kill -0 $c1 2>/dev/null"
kill -TERM $kp; wait $kp; is "stack: SIGTERM stops it as before (143)" $? 143
is "stack: exec.stop ran at the end" "$(tr '\n' ' ' <"$R/tmp/hooks")" "start stop start stop "

# --- reload = jail: a new init and namespaces, the changed config picked up; a broken config is refused
conf jail one "command = hostname > /tmp/host; exec sleep 100"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for test -S "$WARDER_RUNDIR/$N.ctl" -a -s "$WARDER_RUNDIR/$N.state"
wait_for grep -q one "$R/tmp/host"
ipid=$(state_pid); ns1=$(ns_of "$ipid")
conf jail two "command = hostname > /tmp/host; exec sleep 100"
kill -HUP $kp
wait_for grep -q two "$R/tmp/host"
is "jail: the new hostname shows inside" "$(cat "$R/tmp/host")" two
wait_for sh -c "[ -n \"\$(awk '\$1==\"pid\"{print \$2}' $WARDER_RUNDIR/$N.state)\" ]"
ipid2=$(state_pid)
ok "jail: a new init ($ipid -> $ipid2)" test "$ipid" != "$ipid2" -a -n "$ipid2"
ok "jail: the old init is gone" sh -c "! kill -0 $ipid 2>/dev/null"
ok "jail: new namespaces" test "$(ns_of "$ipid2")" != "$ns1"
printf 'exec.strat = true\n' >>"$T_TMP/j.conf"
kill -HUP $kp
wait_for grep -q 'exec.strat' "$T_TMP/err"
like "jail: a broken config is reported as FILE:LINE" "$(grep exec.strat "$T_TMP/err")" \
	"reload: $T_TMP/j.conf:9: unknown key \"exec.strat\".*keeps running"
is "jail: and the jail runs on untouched" "$(state_pid) $(kill -0 "$ipid2" && echo alive)" "$ipid2 alive"
$W ctl $N reload >"$T_TMP/out"; rc=$?
is "jail: ctl reload with a broken config fails (1)" $rc 1
like "jail: and answers the error" "$(cat "$T_TMP/out")" "^\\{\"error\":\"$T_TMP/j.conf:9: unknown key"
# what `check` refuses before anything runs, a reload refuses too: the jail runs on
sed -i '/^exec.strat/d' "$T_TMP/j.conf"; printf 'devfs_ruleset = 77\n' >>"$T_TMP/j.conf"
kill -HUP $kp
wait_for grep -q 'devfs_ruleset 77' "$T_TMP/err"
like "jail: a reload to an undefined devfs_ruleset is refused at its line" "$(grep 'devfs_ruleset 77' "$T_TMP/err")" \
	"reload: $T_TMP/j.conf:9: devfs_ruleset 77: no such ruleset.*keeps running"
is "jail: and the jail runs on untouched (devfs_ruleset)" "$(state_pid) $(kill -0 "$ipid2" && echo alive)" "$ipid2 alive"
# a reload whose config moves the control socket: the new path answers, the old one is gone
conf jail three "command = hostname > /tmp/host; exec sleep 100" "control = $T_TMP/moved.ctl"
kill -HUP $kp
wait_for grep -q three "$R/tmp/host"
wait_for test -S "$T_TMP/moved.ctl"
like "jail: a changed control path is served after the reload" "$($W ctl "$T_TMP/moved.ctl" status)" "\"state\":\"(starting|running)\""
ok "jail: ... and the old socket is gone" test ! -e "$WARDER_RUNDIR/$N.ctl"
kill -TERM $kp; wait $kp; is "jail: SIGTERM stops it" $? 143
is "jail: nothing left (mounts, state, processes)" "$(host_mounts) $(ls "$WARDER_RUNDIR") $(leftovers)" "$before  0"
ok "jail: the moved socket is removed too" test ! -e "$T_TMP/moved.ctl"

# --- reload = jail with a config that passes parsing but not check: refused, the jail runs on untouched
conf jail four "command = hostname > /tmp/host; exec sleep 100"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for test -S "$WARDER_RUNDIR/$N.ctl" -a -s "$WARDER_RUNDIR/$N.state"
wait_for grep -q four "$R/tmp/host"
ipid=$(state_pid)
conf jail five "command = hostname > /tmp/host; exec sleep 100" "vnet.interface = nosuch0"
$W ctl $N reload >"$T_TMP/out"; rc=$?
is "check: ctl reload of a config check refuses fails (1)" $rc 1
like "check: and answers check's error" "$(cat "$T_TMP/out")" '^\{"error":".*vnet.interface needs its own network namespace'
like "check: the log says the jail keeps running" "$(cat "$T_TMP/err")" "reload: .*vnet.interface needs its own network namespace.*: the jail keeps running as it is"
is "check: the same init runs on" "$(state_pid) $(kill -0 "$ipid" && echo alive)" "$ipid alive"
# --- a config that passes check but cannot be built (its rootfs is missing): the last good config comes back
conf jail six "command = hostname > /tmp/host; exec sleep 100"
sed -i "s|^path = .*|path = $T_TMP/missing|" "$T_TMP/j.conf"
$W ctl $N reload >"$T_TMP/out"; rc=$?
is "fallback: the reload is accepted (only building can tell)" "$rc $(cat "$T_TMP/out")" '0 {"ok":true}'
wait_for grep -q 'the reloaded config failed to build' "$T_TMP/err"
wait_for sh -c "$W ctl $N status | grep -q '\"state\":\"running\"'"
ipid2=$(state_pid)
ok "fallback: a new init runs ($ipid -> $ipid2)" test -n "$ipid2" -a "$ipid2" != "$ipid"
is "fallback: built from the last config that worked (hostname four)" "$(cat "$R/tmp/host")" four
like "fallback: the log says what failed" "$(cat "$T_TMP/err")" "setup: rootfs $T_TMP/missing: "
like "fallback: and names the failed reload" "$(cat "$T_TMP/err")" \
	"reload: the reloaded config failed to build: setup \(exit 71\); building the jail again from the last config that worked"
like "fallback: status reports it" "$($W ctl $N status)" '"reload_error":"the reloaded config failed to build: setup \(exit 71\)"'
conf jail seven "command = hostname > /tmp/host; exec sleep 100"
kill -HUP $kp
wait_for grep -q seven "$R/tmp/host"
wait_for sh -c "$W ctl $N status | grep -q '\"state\":\"running\"'"
like "fallback: a good reload later clears the report" "$($W ctl $N status)" '"reload_error":null'
kill -TERM $kp; wait $kp; is "fallback: SIGTERM stops it" $? 143
is "fallback: nothing left (mounts, state, processes)" "$(host_mounts) $(ls "$WARDER_RUNDIR") $(leftovers)" "$before  0"
# --- the last good config fails to build too (its exec.prestart now refuses): warder exits, saying why
rm -f "$T_TMP/refuse"
conf jail eight "command = hostname > /tmp/host; exec sleep 100" "exec.prestart = test ! -e $T_TMP/refuse"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for grep -q eight "$R/tmp/host"
wait_for sh -c "$W ctl $N status | grep -q '\"state\":\"running\"'"
touch "$T_TMP/refuse"
sed -i "s|^path = .*|path = $T_TMP/missing|" "$T_TMP/j.conf"
kill -HUP $kp; wait $kp; rc=$?
is "no fallback: warder exits with the failed build's code (70: the prestart hook)" $rc 70
is "no fallback: its last line says why" "$(tail -n 1 "$T_TMP/err")" \
	"warder[$N]: reload: the last config that worked failed to build too: exiting 70"
is "no fallback: nothing left (mounts, state, processes)" "$(host_mounts) $(ls "$WARDER_RUNDIR") $(leftovers)" "$before  0"

# --- reload = exit: everything removed, exit 0
conf exit one "command = sleep 100"
$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for test -S "$WARDER_RUNDIR/$N.ctl" -a -s "$WARDER_RUNDIR/$N.state"
ipid=$(state_pid)
kill -HUP $kp; wait $kp; rc=$?
is "exit: warder exits 0" $rc 0
is "exit: no mount under the rootfs" "$(mounts_under_root)" 0
is "exit: no state file or socket left" "$(ls "$WARDER_RUNDIR")" ""
ok "exit: the init is gone" sh -c "! kill -0 $ipid 2>/dev/null"
is "exit: no process left" "$(leftovers)" 0
is "exit: the host's mounts are as before" "$(host_mounts)" "$before"

# --- init-only mode: SIGHUP restarts the command (reload = stack semantics)
cat >"$T_TMP/inner.conf" <<'CONF'
[inner]
exec.start = echo start
exec.stop = echo stop
command = echo run; exec sleep 100
CONF
unshare --pid --fork --mount-proc "$W" run -q -c "$T_TMP/inner.conf" >"$T_TMP/out" 2>&1 & up=$!
wait_for grep -q run "$T_TMP/out"
kill -HUP "$(pgrep -P $up)"
wait_for sh -c "[ \$(grep -c run '$T_TMP/out') = 2 ]"
kill -TERM "$(pgrep -P $up)"; wait $up; rc=$?
is "init-only: SIGHUP runs exec.stop, exec.start and the command again" "$(tr '\n' ' ' <"$T_TMP/out")" \
	"start run stop start run stop "
is "init-only: SIGTERM still stops it" $rc 143
done_testing
