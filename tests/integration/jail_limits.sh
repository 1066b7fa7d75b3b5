#!/bin/sh
# cgroup limits of a jail: a fork bomb stops at cgroup.pids.max and the jail still stops cleanly;
# cgroup.memory.max is enforced; the jail's cgroups are gone afterwards.
. "$(dirname "$0")/lib.sh"
jail_suite
N=wl$$
cgdirs() { find /sys/fs/cgroup -type d -name "warder-$N" 2>/dev/null; }
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'" -delete'
mk() { # mk LIMIT-LINE COMMAND
	printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 1\n%s\ncommand = '\''%s'\''\n' \
		"$N" "$R" "$1" "$2" >"$T_TMP/l.conf"
}

# pids.max: the bomb's forks fail beyond the limit; the command reports how far it got, then stops
mk "cgroup.pids.max = 20" '(i=0; while [ $i -lt 60 ]; do sleep 5 & i=$((i+1)); done) 2>/dev/null; set -- /proc/[0-9]*; echo running=$#; exit 0'
out=$(timeout 60 $W run -q -c "$T_TMP/l.conf" 2>/dev/null); rc=$?
like "pids.max caps the processes in the jail" "$out" '^running=(1[0-9]|20)$'
is "the jail still stops cleanly (status 0)" $rc 0
# a real fork bomb, stopped from outside: each of its shells leaves a sleep behind, so the jail stays full.
# The command forks once, the bomb, and execs its sleep: once the cgroup is full any other fork of the
# command's shell (even the second of a pipeline's two) would fail, and ash's exit 2 would end the jail.
mk "cgroup.pids.max = 32" 'b() { sleep 30 & b | b & }; b & exec sleep 30'
timeout 60 $W run -c "$T_TMP/l.conf" 2>"$T_TMP/bomb.err" & kp=$!
# the cgroup first (a slow start under the sanitizer build), then a second of the bomb
pc() { find /sys/fs/cgroup -path "*warder-$N/pids.current" 2>/dev/null | head -n 1; }
i=0; while [ $i -lt 100 ] && [ -z "$(pc)" ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
d=$(dirname "$(pc)")
n=$(cat "$d/pids.current" 2>/dev/null)
peak=$(cat "$d/pids.peak" 2>/dev/null || echo "$n") # pids.peak: Linux 6.13 and later
refused=$(sed -n 's/^max //p' "$d/pids.events" 2>/dev/null)
held() { test "${peak:-99}" -le 32 -a "${refused:-0}" -gt 0 -a "${n:-0}" -gt 1; }
ok "a fork bomb is held at pids.max (peak $peak <= 32, now $n, $refused forks refused)" held
held || grep -v "can't fork" "$T_TMP/bomb.err" | sed 's/^/# /'
kill -TERM $kp; wait $kp; rc=$?
is "the bombed jail stops on SIGTERM, its sleeps and all (128 + SIGTERM)" "$rc" 143
is "no cgroup left" "$(cgdirs)" ""
is "no process left" "$(leftovers)" 0

# memory.max: a process that wants more than the limit is killed by the OOM killer inside the jail
mk "cgroup.memory.max = 32M" 'head -c 100000000 /dev/zero | tail >/dev/null'
timeout 60 $W run -q -c "$T_TMP/l.conf" 2>/dev/null
is "memory.max is enforced (the 100 MB reader is SIGKILLed)" $? 137
mk "cgroup.memory.max = 256M" 'head -c 100000000 /dev/zero | tail >/dev/null'
timeout 60 $W run -q -c "$T_TMP/l.conf" 2>/dev/null
is "under a larger memory.max the same reader lives" $? 0
is "no cgroup left after the memory runs" "$(cgdirs)" ""
mk "cgroup.cpu.max = 50000 100000" 'exit 0'
timeout 60 $W run -q -c "$T_TMP/l.conf"; is "cpu.max is accepted and set" $? 0
is "no process left" "$(leftovers)" 0
done_testing
