#!/bin/sh
# Rootless: an unprivileged user runs a jail in a user namespace that maps its uid to root inside; what needs
# real root (a cgroup it cannot write, moving an interface) is refused with a clear line, not skipped.
. "$(dirname "$0")/lib.sh"
W=$WARDER
[ "$(id -u)" = 0 ] || { echo "# skipped: needs root to pick the unprivileged user"; echo "0 passed, 0 failed"; exit 0; }
U=wardertest
if ! id "$U" >/dev/null 2>&1; then
	useradd -M -s /bin/sh "$U" || { echo "not ok 1 - useradd"; echo "0 passed, 1 failed"; exit 1; }
	on_exit "userdel $U"
fi
uid=$(id -u $U) gid=$(id -g $U)
chmod 755 "$T_TMP"
R=$T_TMP/root
sh "$(dirname "$0")/../mkrootfs.sh" "$R" >/dev/null
mkdir "$T_TMP/run" && chown "$U" "$T_TMP/run"
as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups env WARDER_RUNDIR="$T_TMP/run" "$@"; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # see jail_run.sh
leftovers() { ps -eo args= | grep -F "$T_TMP/" | grep -v grep | wc -l; }
before=$(host_mounts)
mk() {
	printf '[rl]\npath = %s\nunshare = user,mount,pid,uts,ipc\nuid_map = 0 %s 1\ngid_map = 0 %s 1\n' "$R" "$uid" "$gid"
	printf 'host.hostname = rootless\nmount.procfs = true\nstop.timeout = 1\n%s\n' "$1"
}
mk "command = 'echo uid=\$(id -u) host=\$(hostname) pid1=\$(cat /proc/1/comm)'" >"$T_TMP/r.conf"
chmod 644 "$T_TMP/r.conf"
out=$(as_user $W run -q -c "$T_TMP/r.conf" 2>"$T_TMP/err"); rc=$?
is "a rootless jail runs" $rc 0
is "inside: root (the user's uid mapped), own hostname, warder is PID 1" "$out" "uid=0 host=rootless pid1=warder"
[ $rc = 0 ] || sed 's/^/# /' "$T_TMP/err"
# devfs rules a user namespace cannot apply (mknod is refused there, so /dev holds the host's nodes, bound):
# check names each rule by FILE:LINE, and the jail still runs with the host's nodes.
cat >"$T_TMP/devfs.rules" <<'EOF2'
[rlmodes=41]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add path null mode 0600
add path random group tty
EOF2
chmod 644 "$T_TMP/devfs.rules"
mk "devfs.rules = $T_TMP/devfs.rules
devfs_ruleset = rlmodes
command = 'echo x >/dev/null && stat -c %a /dev/null && head -c 3 /dev/zero | wc -c'" >"$T_TMP/r.conf"
as_user $W check -c "$T_TMP/r.conf" >/dev/null 2>"$T_TMP/err"; rc=$?
is "check passes a rule it cannot apply" $rc 0
like "with a warning naming the mode rule's FILE:LINE" "$(cat "$T_TMP/err")" \
	"devfs.rules:4: devfs rule \"[0-9]+ path 'null' mode 600\" cannot apply in jail rl: it has a user namespace"
like "and the group rule's" "$(cat "$T_TMP/err")" "devfs.rules:5: devfs rule \"[0-9]+ path 'random' group [0-9]+\" cannot apply"
out=$(as_user $W run -q -c "$T_TMP/r.conf" 2>"$T_TMP/err"); rc=$?
is "the jail still runs, with the host's nodes" "$rc $(echo $out)" "0 666 3"
like "and run says which node keeps the host's mode" "$(cat "$T_TMP/err")" '/dev/null: user, group and mode rules cannot apply in a user namespace'
mk "command = 'sleep 30'" >"$T_TMP/r.conf"
as_user $W run -q -c "$T_TMP/r.conf" & kp=$!
i=0; while [ ! -f "$T_TMP/run/rl.state" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
is "the user can attach to its jail" "$(as_user $W attach rl -- sh -c 'echo $(id -u) $(hostname)')" "0 rootless"
like "the user's warder list shows it" "$(as_user $W list)" '^rl +[0-9]+'
# $kp is the subshell running as_user: the keeper's own pid is in the state file
keeper=$(awk '$1=="keeper"{print $2}' "$T_TMP/run/rl.state")
kill -TERM "$keeper"; wait $kp; is "SIGTERM to the keeper stops the rootless jail" $? 143

mk "cgroup.pids.max = 10" >"$T_TMP/r.conf"; echo "command = true" >>"$T_TMP/r.conf"
out=$(as_user $W run -q -c "$T_TMP/r.conf" 2>&1); rc=$?
is "a cgroup limit it cannot set is refused (78: the config cannot work here)" $rc 78
like "with a clear line" "$out" 'cgroup\.pids\.max: refused: cannot create a cgroup in .*delegate'
mk "vnet.interface = lo" >"$T_TMP/r.conf"; sed -i 's/^unshare = .*/unshare = user,mount,pid,net/' "$T_TMP/r.conf"
echo "command = true" >>"$T_TMP/r.conf"
out=$(as_user $W run -q -c "$T_TMP/r.conf" 2>&1); rc=$?
is "moving an interface is refused (78)" $rc 78
like "with a clear line" "$out" 'vnet.interface'
sed -i 's/^unshare = .*/unshare = mount,pid/; /_map/d' "$T_TMP/r.conf"; sed -i '/vnet/d' "$T_TMP/r.conf"
out=$(as_user $W run -q -c "$T_TMP/r.conf" 2>&1); rc=$?
is "namespaces without a user namespace are refused (78)" $rc 78
like "saying to add user" "$out" 'unshare must include user'
is "the host's mounts are as before" "$(host_mounts)" "$before"
is "no process left" "$(leftovers)" 0
done_testing
