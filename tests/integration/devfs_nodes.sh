#!/bin/sh
# devfs.rules user, group and mode on Linux: warder, root in the host's user namespace, makes the jail's device
# nodes with mknod in the jail's /dev tmpfs, so every rule holds inside and the host's nodes stay as they are;
# hidden nodes are absent, the nodes work, a node the jail makes itself is inert; `warder check` names the way.
. "$(dirname "$0")/lib.sh"
jail_suite
N=wd$$
before=$(host_mounts)
host_nodes() { stat -c '%n %a %u %g %t,%T' /dev/null /dev/zero /dev/random /dev/urandom; }
host_before=$(host_nodes)
tty_gid=$(getent group tty | cut -d: -f3)
cat >"$T_TMP/devfs.rules" <<'EOF2'
# the basics and the login set, with owners and modes of their own
[modes=40]
add include $devfsrules_hide_all
add include $devfsrules_unhide_basic
add include $devfsrules_unhide_login
add path null mode 0600
add path random group tty mode 0640
add path full mode 1666
add path urandom hide
EOF2
conf() {
	printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 2\n' "$N" "$R"
	printf 'devfs.rules = %s\ndevfs_ruleset = modes\n%s\n' "$T_TMP/devfs.rules" "$1"
}
conf "command = 'stat -c \"%n %a %u %g %t,%T\" /dev/null /dev/random /dev/zero /dev/full'" >"$T_TMP/c.conf"
out=$($W run -q -c "$T_TMP/c.conf" 2>"$T_TMP/err"); rc=$?
is "the jail runs" $rc 0
is "inside: null has mode 0600, random group tty mode 0640, full 1666 (sticky), zero the host's 0666; same devices" "$out" \
	"/dev/null 600 0 0 1,3
/dev/random 640 0 $tty_gid 1,8
/dev/zero 666 0 0 1,5
/dev/full 1666 0 0 1,7"
is "no warning" "$(cat "$T_TMP/err")" ""
is "the host's nodes keep their mode and owner" "$(host_nodes)" "$host_before"

conf "command = 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 && head -c 5 /dev/random | wc -c'" >"$T_TMP/c.conf"
out=$($W run -q -c "$T_TMP/c.conf" 2>&1)
is "the nodes work: write /dev/null, read /dev/zero and /dev/random" "$(echo $out)" "00 00 00 00 5"

conf "command = 'ls -A /dev; find /dev -type b'" >"$T_TMP/c.conf"
out=$($W run -q -c "$T_TMP/c.conf" 2>&1)
is "/dev holds what the ruleset leaves: urandom hidden, no fuse, no block device" "$(echo $out)" \
	"fd full mqueue null ptmx pts random shm stderr stdin stdout tty zero"

# The jail's user app (uid and gid 1000) is held to the modes: null is root's alone, random is tty's.
conf "user = app
command = 'echo x >/dev/null || echo no-null; head -c 1 /dev/random >/dev/null || echo no-random; head -c 1 /dev/zero | wc -c'" >"$T_TMP/c.conf"
out=$($W run -q -c "$T_TMP/c.conf" 2>"$T_TMP/err")
is "a jail user cannot write a 0600 null nor read a group-tty random, but reads zero" "$(echo $out)" "no-null no-random 1"
like "permission denied, says the shell" "$(cat "$T_TMP/err")" '/dev/null: Permission denied'

conf "command = 'mknod /dev/mine c 1 5 && head -c 1 /dev/mine >/dev/null 2>&1 && echo read; echo done'" >"$T_TMP/c.conf"
is "a node the jail makes in /dev is inert (nodev)" "$($W run -q -c "$T_TMP/c.conf" 2>&1)" done

# Root without CAP_MKNOD (a container that drops it) cannot make nodes either: the host's are bound, and run
# names each node whose rules cannot apply.
conf "command = 'stat -c %a /dev/null; echo x >/dev/null && head -c 2 /dev/zero | wc -c'" >"$T_TMP/n.conf"
out=$(setpriv --bounding-set=-mknod $W run -q -c "$T_TMP/n.conf" 2>"$T_TMP/err"); rc=$?
is "without CAP_MKNOD the jail runs with the host's nodes" "$rc $(echo $out)" "0 666 2"
like "saying the mode rule cannot apply" "$(cat "$T_TMP/err")" '/dev/null: user, group and mode rules cannot apply in a user namespace or without CAP_MKNOD'

out=$($W check -c "$T_TMP/c.conf" 2>"$T_TMP/err")
like "check: the plan says the nodes are made with mknod" "$out" 'build /dev on a tmpfs from devfs ruleset modes, nodes made with mknod'
is "check: no warning for root in the host's user namespace" "$(cat "$T_TMP/err")" ""

is "the host's nodes are as before" "$(host_nodes)" "$host_before"
is "the host's mounts are as before" "$(host_mounts)" "$before"
is "no process left" "$(leftovers)" 0
done_testing
