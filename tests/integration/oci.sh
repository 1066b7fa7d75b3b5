#!/bin/sh
# warder as PID 1 of a real OCI container: a bundle built like packaging/oci/Containerfile's image
# (tests/oci/mkbundle.sh), run by runc, and by crun where crun can run. Exit codes out of `RUNTIME run`,
# `RUNTIME kill ID TERM`, signal forwarding, reaping of orphans, warder as PID 1 in ps.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
for t in runc python3 /bin/busybox; do
	command -v "$t" >/dev/null || { echo "oci: $t missing (sh tests/deps.sh check)" >&2; echo "0 passed, 1 failed"; exit 1; }
done
B=$T_TMP/bundle
mounts_before=$(host_mounts)
sh "$here/oci/mkbundle.sh" "$B" "$WARDER" true >"$T_TMP/mkbundle.log" 2>&1
ok "bundle built (rootfs, /usr/sbin/warder and its libraries, config.json)" \
	test -x "$B/rootfs/usr/sbin/warder" -a -f "$B/config.json"
cd "$B" || exit 1 # runc and crun read ./config.json
setcmd() { # setcmd ARGS... : process.args = [/usr/sbin/warder, --, ARGS...]
	python3 - "$B/config.json" "$@" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/usr/sbin/warder", "--"] + sys.argv[2:]
json.dump(c, open(sys.argv[1], "w"), indent=2)
EOF
}
N=0
newid() { N=$((N + 1)); ID="warder-oci-$$-$N"; on_exit "$RT delete -f $ID"; }
waitfor() { # waitfor FILE REGEX : up to 15 s
	i=0; while ! grep -Eq "$2" "$1" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	grep -Eq "$2" "$1" 2>/dev/null
}
waitbg() { # waitbg PID : wait for it, KILL the container after 20 s; sets RC
	i=0; while kill -0 "$1" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$1" 2>/dev/null && { echo "# timeout: killing $ID"; $RT kill "$ID" KILL; }
	wait "$1"; RC=$?
}

# The busybox loops below: a burst of orphans (each inner sh leaves a sleep behind, reparented to PID 1),
# then a count of zombies from /proc inside the container.
BURST='i=0; while [ $i -lt 300 ]; do sh -c "sleep 0.05 &"; i=$((i+1)); done; sleep 1
z=$(cat /proc/[0-9]*/stat 2>/dev/null | awk "\$3 == \"Z\"" | wc -l); echo "zombies=$z"'
WAITER='echo ready; i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done; exit 9'

suite() { # suite RUNTIME-NAME : every assertion with $RT as the runtime
	name=$1
	setcmd sh -c 'exit 3'; newid
	$RT run "$ID" </dev/null >"$T_TMP/out" 2>&1; is "$name: the command's exit code comes out of $name run" $? 3
	setcmd sh -c 'kill -TERM $$'; newid
	$RT run "$ID" </dev/null >"$T_TMP/out" 2>&1; is "$name: a command killed by TERM gives 128+15" $? 143

	setcmd sh -c 'cat /proc/1/comm; ps -o pid,comm'; newid
	out=$($RT run "$ID" </dev/null 2>&1); rc=$?
	is "$name: ps inside runs" "$rc" 0
	like "$name: /proc/1/comm is warder" "$out" '^warder$'
	like "$name: ps shows warder as PID 1" "$out" '^ *1 +warder'

	setcmd sh -c "$WAITER"; newid
	$RT run "$ID" </dev/null >"$T_TMP/out" 2>&1 & bg=$!
	waitfor "$T_TMP/out" ready
	like "$name: container running" "$($RT state "$ID" 2>&1)" '"status": "running"' 
	$RT kill "$ID" TERM; waitbg $bg
	is "$name: $name kill ID TERM stops it with 128+15" "$RC" 143
	is "$name: the container is gone after the stop" "$($RT list -q | grep -cx "$ID")" 0

	setcmd sh -c "trap 'echo got-USR1; exit 5' USR1; $WAITER"; newid
	$RT run "$ID" </dev/null >"$T_TMP/out" 2>&1 & bg=$!
	waitfor "$T_TMP/out" ready
	$RT kill "$ID" USR1; waitbg $bg
	is "$name: the command's trap ran on USR1 sent with $name kill" "$(grep -c got-USR1 "$T_TMP/out")" 1
	is "$name: and its exit status came out" "$RC" 5

	setcmd sh -c "$BURST; echo burst-done"; newid
	$RT run "$ID" </dev/null >"$T_TMP/out" 2>&1; rc=$?
	is "$name: orphan burst ran" "$rc" 0
	is "$name: no zombie inside after 300 orphans" "$(grep '^zombies=' "$T_TMP/out")" "zombies=0"
}

RT=runc
suite runc

# crun refuses this machine's hybrid cgroup layout (v1 controllers plus a v2 tree at /sys/fs/cgroup/unified
# holding a controller), whatever --cgroup-manager says. Without the v2 mount it sees a plain v1 host: run
# it in a private mount namespace where /sys/fs/cgroup/unified is unmounted.
if command -v crun >/dev/null; then
	setcmd sh -c 'exit 3'; N=$((N + 1)); ID="warder-oci-$$-$N"; on_exit "crun delete -f $ID"
	out=$(crun run "$ID" </dev/null 2>&1); rc=$?
	if [ "$rc" != 3 ]; then
		echo "# crun run as is: exit $rc: $out"
		crun_ns() { unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' crun "$@"; }
		RT=crun_ns
		newid
		out=$(crun_ns run "$ID" </dev/null 2>&1); rc=$?
	else
		RT=crun
	fi
	if [ "$rc" = 3 ]; then
		echo "# crun runs as: $RT"
		suite crun
	else
		echo "# crun cannot run here (exit $rc): $out"
	fi
else
	echo "# crun not installed: crun cases not run"
fi

is "no container of ours left" "$(runc list -q 2>/dev/null | grep -c "^warder-oci-$$-")" 0
is "host mounts as before" "$(host_mounts)" "$mounts_before"
done_testing
