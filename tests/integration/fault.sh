#!/bin/sh
# Fault injection over a full jail start and stop. tests/fault/shim.so (LD_PRELOAD, built here, never part of
# warder) counts the calls of each kind one run makes (mount, clone3, pivot_root, the new mount API, openat2,
# cgroup mkdir/writes, uid_map writes, fork, execve, socketpair, ...), then the walk makes the Nth call of each
# kind fail, for every N. Each run must either succeed or fail with a "warder[NAME]: STEP: ..." line and a
# documented exit code (70 a hook chain failed, 71 a system call failed, 78 config; 126/127 when the
# command's own exec failed), never hang, and leave the host as it was: no mount, cgroup, link or process of
# the jail left behind.
#
# Counting: one counter per kind shared by every process of a run (the shim maps one file MAP_SHARED), so
# N numbers the calls of the keeper, the init and their forked children in the order they happen; the
# keeper/init protocol serialises the steps, and the test checks that two counting runs agree. Programs the
# jail runs are static busybox, which LD_PRELOAD cannot reach; the host hooks' /bin/sh is counted when it
# inherits the shim.
#   FAULT_SAMPLE=K (default 12): a kind with more than K calls is sampled (the first 4, the last 2 and evenly
#   spaced ones between, K in all); FAULT_SAMPLE=0 walks every call. fork is always walked whole: one of its
#   calls is the main command's, and each host hook has two (its reaper and its shell). FAULT_KINDS="mount
#   fork" limits kinds. The whole suite takes well under a minute on 2 cores.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --fork true 2>/dev/null; then
	echo "# skipped: needs root and namespaces"
	done_testing
	exit
fi
# LD_PRELOAD reaches only a dynamic binary: with the default static-pie build, `make check` passes the same
# objects linked dynamically as WARDER_DYN.
WARDER=${WARDER_DYN:-$WARDER}
# A sanitizer build's runtime must come first in the library list: LD_PRELOAD of the shim cannot work there.
if grep -q __asan_init "$WARDER"; then
	echo "# skipped: $WARDER is a sanitizer build (the shim cannot be preloaded)"
	done_testing
	exit
fi
shim=$T_TMP/shim.so stat=$T_TMP/faultstat
if ! ${CC:-cc} -std=gnu11 -O2 -shared -fPIC -o "$shim" "$top/tests/fault/shim.c" -ldl ||
   ! ${CC:-cc} -std=gnu11 -O2 -o "$stat" "$top/tests/fault/faultstat.c"; then
	ok "the fault shim builds" false
	done_testing
	exit 1
fi
sh "$top/tests/mkrootfs.sh" "$T_TMP/root" >/dev/null || exit 1

name=wf$$
cg() { find /sys/fs/cgroup -maxdepth 3 -type d -name "warder-$name*" 2>/dev/null; }
mine() { grep -F "$T_TMP" /proc/self/mountinfo | awk '{print $5}' | sort; }
procs() { pgrep -af "$T_TMP|wftoken" | grep -v "pgrep" || true; }
on_exit 'for p in $(pgrep -f "$T_TMP|wftoken"); do kill -9 $p; done; sleep 0.2; for d in $(cg | sort -r); do rmdir $d; done'
mounts0=$(mine) links0=$(host_links)

cat >"$T_TMP/jail.conf" <<EOF2
[$name]
path = $T_TMP/root
unshare = mount,pid,uts,ipc,net
host.hostname = $name
mount.procfs = true
mount.devfs = true
cgroup.pids.max = 64
stop.timeout = 2
exec.prepare = echo prepare >>$T_TMP/hooks
exec.prestart = echo prestart >>$T_TMP/hooks
exec.created = echo created >>$T_TMP/hooks
exec.start = echo start
exec.poststart = echo poststart >>$T_TMP/hooks
exec.prestop = echo prestop >>$T_TMP/hooks
exec.stop = echo stop
exec.poststop = echo poststop >>$T_TMP/hooks
exec.release = echo release >>$T_TMP/hooks
command = /bin/sh -c 'hostname; cat /proc/1/comm; ls /dev >/dev/null; echo wftoken >/dev/null'
EOF2

# run [FAULT]: one jail start/stop under the shim; rc in $rc, stderr in $T_TMP/err, counters in $T_TMP/count.
run() {
	rm -f "$T_TMP/count"
	# The shim goes to warder only (not to timeout or env, whose fork and exec would be counted).
	timeout -k 3 60 env LD_PRELOAD="$shim" WARDER_FAULT_COUNT="$T_TMP/count" ${1:+WARDER_FAULT=$1} "$WARDER" run -c "$T_TMP/jail.conf" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	rc=$?
	case $rc in 124|137) reap ;; esac
}
# After a hang: kill what the run left and remove its cgroups, so that the next run starts clean.
reap() {
	for p in $(pgrep -f "$T_TMP|wftoken"); do kill -9 "$p"; done 2>/dev/null
	sleep 0.3
	for d in $(cg | sort -r); do rmdir "$d"; done 2>/dev/null
}
# host_same: nothing of the jail is left on the host (waits up to 2 s for the kernel to finish tearing down).
host_same() {
	i=0
	while [ $i -lt 20 ]; do
		[ "$(mine)" = "$mounts0" ] && [ -z "$(cg)" ] && [ -z "$(procs)" ] && [ "$(host_links)" = "$links0" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "# left behind: mounts [$(mine | tr '\n' ' ')] cgroups [$(cg | tr '\n' ' ')] procs [$(procs | tr '\n' ' ')]"
	[ "$(host_links)" = "$links0" ] || echo "# links now: $(host_links | tr '\n' ' ')"
	return 1
}

run
is "a clean run under the shim exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/err"
ok "a clean run leaves the host as it was" host_same
"$stat" "$T_TMP/count" >"$T_TMP/counts"
run
"$stat" "$T_TMP/count" >"$T_TMP/counts2"
is "two counting runs make the same calls" "$(cat "$T_TMP/counts2")" "$(cat "$T_TMP/counts")"
echo "# calls per kind: KIND TOTAL FIRST INIT OTHER (first: the warder process started; init: PID 1 of the jail)"
sed 's/^/#   /' "$T_TMP/counts"

errno_for() {
	case $1 in
	clone|fork) echo ENOMEM ;; execve) echo EACCES ;; cgroup_write) echo EBUSY ;; cgroup_mkdir) echo ENOSPC ;;
	openat2) echo EXDEV ;; socketpair) echo EMFILE ;; *) echo EPERM ;;
	esac
}
# sample KIND COUNT: the N to walk
sample() {
	c=$2 k=${FAULT_SAMPLE:-12}
	[ "$1" != fork ] || k=0
	if [ "$k" = 0 ] || [ "$c" -le "$k" ]; then seq 1 "$c"; return; fi
	{ seq 1 4; seq $((c - 1)) "$c"; m=$((k - 6)); i=1
	  while [ $i -le $m ]; do echo $((4 + i * (c - 6) / (m + 1))); i=$((i + 1)); done; } | sort -n | uniq
}

walked=0 failed_runs=0 ok_runs=0
while read -r kind total _; do
	case " ${FAULT_KINDS:-$kind} " in *" $kind "*) ;; *) continue ;; esac
	e=$(errno_for "$kind")
	for n in $(sample "$kind" "$total"); do
		run "$kind:$n:$e"
		walked=$((walked + 1))
		# The first warder line that is not progress ("... ok 9ms", "the init of the jail is pid N", the command).
		line=$(grep -E '^warder(\[[^]]*\])?: [a-z][a-z._-]*: ' "$T_TMP/err" | grep -vE ' ok [0-9]+ms$|: the init of the jail is pid |: command: /bin/sh' | head -n 1)
		case $rc in
		0) ok_runs=$((ok_runs + 1)); verdict=ok ;;
		70|71|78) failed_runs=$((failed_runs + 1)); [ -n "$line" ] && verdict=ok || verdict="no warder line" ;;
		126|127) failed_runs=$((failed_runs + 1))
			[ "$kind" = execve ] && [ -n "$line" ] && verdict=ok || verdict="exit $rc" ;;
		124|137) verdict="hung (killed after 60 s; its leftovers were removed before the host check)" ;;
		*) verdict="undocumented exit $rc" ;;
		esac
		is "$kind:$n:$e -> exit $rc${line:+: $line}" "$verdict" ok
		[ "$verdict" = ok ] || sed 's/^/#   /' "$T_TMP/err" | tail -n 8
		ok "$kind:$n:$e leaves the host as it was" host_same
	done
done <"$T_TMP/counts"
echo "# walked $walked faults: $ok_runs runs still succeeded, $failed_runs failed cleanly"

# clone3 into the jail's cgroup refused (CLONE_INTO_CGROUP needs Linux 5.7): the first clone call fails, the
# init is cloned without it and moved by cgroup.procs. The command must still run in the jail's cgroups, and
# the jail's end leave nothing behind.
sed 's|^command = .*|command = /bin/sh -c "cat /proc/self/cgroup"|' "$T_TMP/jail.conf" >"$T_TMP/cg.conf"
rm -f "$T_TMP/count"
timeout -k 3 60 env LD_PRELOAD="$shim" WARDER_FAULT_COUNT="$T_TMP/count" WARDER_FAULT=clone:1:EINVAL "$WARDER" run -q -c "$T_TMP/cg.conf" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
rc=$?
case $rc in 124|137) reap ;; esac
is "clone3 into the cgroup refused: the jail still runs (exit 0)" "$rc" 0
clones() { awk '$1 == "clone" {print $2}' "$1"; }
"$stat" "$T_TMP/count" >"$T_TMP/counts_cg"
is "... the init was cloned a second time, without the cgroup" "$(clones "$T_TMP/counts_cg")" $(( $(clones "$T_TMP/counts") + 1 ))
like "... and moved into the jail's v2 cgroup" "$(cat "$T_TMP/out")" "^0::/(.*/)?warder-$name\$"
if grep -q ':pids:' /proc/self/cgroup; then
	like "... and its v1 pids cgroup" "$(grep ':pids:' "$T_TMP/out")" ":pids:/(.*/)?warder-$name\$"
fi
ok "... and leaves the host as it was" host_same

# Without exec.created the keeper makes the network namespace beside the init's mounts (a clone of its own)
# and the init joins it: each of those calls failing fails the jail with one line and leaves nothing behind.
grep -v '^exec.created' "$T_TMP/jail.conf" >"$T_TMP/nb.conf"
"$WARDER" check -c "$T_TMP/nb.conf" 2>/dev/null >"$T_TMP/plan"
like "no exec.created: check says the network namespace is made beside" "$(cat "$T_TMP/plan")" \
	'create +host +make the network namespace, its loopback up, on the host while the init mounts'
for f in clone:2:ENOMEM setns:1:EPERM; do
	timeout -k 3 60 env LD_PRELOAD="$shim" WARDER_FAULT=$f "$WARDER" run -c "$T_TMP/nb.conf" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
	rc=$?
	case $rc in 124|137) reap ;; esac
	case $f in clone*) want='create: make the network namespace: Cannot allocate memory' ;;
	*) want='setup: join the network namespace: Operation not permitted' ;; esac
	is "beside, $f -> exit 71" "$rc" 71
	like "... with one line naming the step" "$(grep -E '^warder\[[^]]*\]: (create|setup): ' "$T_TMP/err" | grep -vE ' ok [0-9]+ms$|init of the jail is pid')" "^warder\\[$name\\]: $want\$"
	ok "... and leaves the host as it was" host_same
done

# Entrypoint mode: the command cannot be forked; warder says so and exits 71 instead of waiting forever.
timeout -k 3 20 env LD_PRELOAD="$shim" WARDER_FAULT=fork:1:ENOMEM "$WARDER" -- true 2>"$T_TMP/err" </dev/null
is "entrypoint: the command's fork fails -> exit 71, no hang" "$?" 71
like "... with a warder line" "$(cat "$T_TMP/err")" '^warder: command: fork: '

done_testing
