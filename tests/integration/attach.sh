#!/bin/sh
# warder attach runs with the jail's limits, as the main command does: the same bounding, permitted and
# effective capabilities, no_new_privs, uid/gid/groups, cgroup and rlimits (each read from /proc/self/status,
# /proc/self/cgroup and ulimit by the command and by an attached process, then compared); mount and a mknod
# the jail's caps do not grant fail in an attached shell; --cap and --privileged give more, explicitly; a jail
# whose limits are not known is refused. Real jails on the busybox rootfs; the host is as before.
. "$(dirname "$0")/lib.sh"
jail_suite
N=wa$$
cgdirs() { find /sys/fs/cgroup -type d -name "warder-$N*" 2>/dev/null; }
snap() { host_mounts; host_links; cgdirs; }
before=$(snap)
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'
kill_keepers() { for k in $(cat "$T_TMP"/run/*.state 2>/dev/null | awk '$1=="keeper"{print $2}'); do kill -KILL "$k"; done; }
on_exit kill_keepers

# What a process sees of its own limits (the command writes it into /tmp, attach prints it).
cat >"$R/view.sh" <<'EOF'
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Uid|Gid|Groups):' /proc/self/status
cat /proc/self/cgroup
echo "nofile $(ulimit -n) $(ulimit -Hn)"
EOF
rm -f "$R/tmp/"*

# start NAME EXTRA: a jail whose command records its view in /tmp/NAME.view, then sleeps.
start() {
	cat >"$T_TMP/$1.conf" <<CONF
[$1]
path = $R
unshare = mount,pid,uts,ipc,net
host.hostname = $1
mount.procfs = true
stop.timeout = 2
setns-socket = $T_TMP/$1.sock
cgroup.pids.max = 100
rlimit.nofile = 300:400
$2
command = '/bin/sh -c "sh /view.sh >/tmp/$1.view; exec sleep 7790"'
CONF
	"$W" run -q -c "$T_TMP/$1.conf" </dev/null >"$T_TMP/$1.log" 2>&1 &
	i=0
	while [ ! -s "$R/tmp/$1.view" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	# The view is complete once its last line is there.
	while ! grep -q '^nofile' "$R/tmp/$1.view" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}
stop() { "$W" ctl "$1" stop >/dev/null 2>&1; wait; }
view() { "$W" attach "$@" -- sh /view.sh 2>&1; }
field() { printf '%s\n' "$1" | awk -v k="$2:" '$1==k{print $2}'; }

# --- a default jail (root inside, the default caps) -----------------------------------------------------------
D=${N}d
start "$D" ""
cmd=$(cat "$R/tmp/$D.view")
like "the command's view is there (the jail runs)" "$cmd" '^CapInh'
got=$(view "$D")
is "attach: the same caps, no_new_privs, ids, cgroup and rlimits as the command" "$got" "$cmd"
is "attach: the bounding set is the jail's default, not the host's" "$(field "$got" CapBnd)" 00000000a80425fb
is "attach: effective = the default set" "$(field "$got" CapEff)" 00000000a80425fb
is "attach: no_new_privs is set" "$(field "$got" NoNewPrivs)" 1
is "attach: the jail's rlimit" "$(printf '%s\n' "$got" | grep '^nofile')" "nofile 300 400"
like "attach: the jail's cgroup" "$got" "0::/warder-$D"
is "attach by setns socket: the same as the command" "$(view "$T_TMP/$D.sock")" "$cmd"
is "... also with the socket's path spelt another way" "$(view "$T_TMP/./$D.sock")" "$cmd"
out=$("$W" attach "$D" -- sh -c 'mount -t tmpfs x /mnt 2>/dev/null && echo mounted || echo refused')
is "mount fails in an attached shell" "$out" refused
out=$("$W" attach "$D" -- sh -c 'mknod /tmp/blk b 7 0 && cat /tmp/blk >/dev/null 2>&1 && echo read || echo refused')
is "a node made in an attached shell cannot be opened (nodev, and no CAP_SYS_ADMIN to lift it)" "$out" refused
out=$("$W" attach "$D" -- sh -c 'mount -o remount,dev / 2>/dev/null && echo remounted || echo refused')
is "... nor can the jail's root be remounted with dev" "$out" refused

# The administrator's way to more, each explicit.
got=$("$W" attach --cap sys_admin "$D" -- sh -c 'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status; mount -t tmpfs x /mnt && echo mounted' 2>&1)
like "--cap sys_admin adds CAP_SYS_ADMIN to the jail's set" "$got" 'CapEff:[[:space:]]00000000a82425fb'
like "... keeps no_new_privs" "$got" 'NoNewPrivs:[[:space:]]1'
like "... and mount works" "$got" 'mounted$'
got=$("$W" attach --privileged "$D" -- sh -c 'grep -E "^(CapBnd|NoNewPrivs):" /proc/self/status; ulimit -n' 2>&1)
like "--privileged: the caller's full bounding set" "$got" "CapBnd:[[:space:]]$(awk '$1=="CapBnd:"{print $2}' /proc/self/status)"
like "--privileged: no no_new_privs" "$got" 'NoNewPrivs:[[:space:]]0'
like "--privileged: still the jail's rlimits" "$got" '^300$'
"$W" attach --cap nosuchcap "$D" -- true 2>"$T_TMP/err"; rc=$?
is "--cap with an unknown capability is a usage error (64)" "$rc" 64
is "... with one line naming it" "$(cat "$T_TMP/err")" 'warder: attach: --cap: unknown capability "nosuchcap"'

# A setns socket that no jail of ours serves (no state in this run directory): the defaults, with a warning.
got=$(WARDER_RUNDIR=$T_TMP/elsewhere "$W" attach "$T_TMP/$D.sock" -- sh /view.sh 2>"$T_TMP/err")
is "an unknown setns socket gets the default limits" "$(field "$got" CapBnd) $(field "$got" NoNewPrivs)" "00000000a80425fb 1"
like "... and says so" "$(cat "$T_TMP/err")" 'the default limits apply'
# The limits are the state file's [limits] section, written with it: no other file.
st=$T_TMP/run/$D.state
is "the jail's run files: its state (with the limits) and control socket" "$(ls -A "$T_TMP/run")" "$D.ctl
$D.state"
is "... the limits after the state's lines" "$(sed -n '/^\[limits\]$/,$p' "$st")" "[limits]
rlimit.nofile = '300:400'"
cp "$st" "$T_TMP/state.saved"
# One read of the state gives both the pid entered and the limits applied (a rebuild between two reads would
# pair one build's init with another's limits): served from a FIFO, the file can be read only once.
rm "$st"
mkfifo "$st"
timeout 10 sh -c 'cat "$1" >"$2"' - "$T_TMP/state.saved" "$st" &
writer=$!
got=$(timeout 10 "$W" attach "$D" -- sh /view.sh 2>&1)
is "attach reads the state file once, pid and limits together" "$got" "$cmd"
wait "$writer"
rm "$st"
cp "$T_TMP/state.saved" "$st"
# By setns socket: the state read for the limits must still name the init that served the namespaces. Here
# it names another live keeper and child (the keeper, as the child of this shell), as a rebuild would.
kp=$(awk '$1=="keeper"{print $2}' "$st")
sed -i "s/^pid .*/pid $kp/; s/^keeper .*/keeper $$/" "$st"
"$W" attach "$T_TMP/$D.sock" -- true 2>"$T_TMP/err"; rc=$?
is "a state naming another init than the socket's is refused (75)" "$rc" 75
is "... with one line saying why" "$(cat "$T_TMP/err")" "warder: attach: $T_TMP/$D.sock: jail $D was rebuilt or stopped while attaching"
cp "$T_TMP/state.saved" "$st"
# Without the recorded limits, attach refuses rather than give more than the command has.
sed -i '/^\[limits\]$/,$d' "$st"
"$W" attach "$D" -- true 2>"$T_TMP/err"; rc=$?
is "a jail whose limits are unknown is refused (71)" "$rc" 71
like "... with one line saying why" "$(cat "$T_TMP/err")" "^warder: attach: $D: the jail's limits are unknown: .*/$D\.state: no \[limits\] section\$"
# A jail whose keeper kept them apart (NAME.limits, a warder before the two were one file) still attaches.
sed -n '/^\[limits\]$/,$p' "$T_TMP/state.saved" >"$T_TMP/run/$D.limits"
is "a separate limits file (an older keeper's) is read" "$(view "$D")" "$cmd"
rm "$T_TMP/run/$D.limits"
cp "$T_TMP/state.saved" "$st"
# The init stops between attach's /proc/PID opens (tests/tools/killat.c SIGKILLs it at the pid namespace's,
# its keeper held stopped meanwhile): the handles taken are not all of one live init, so nothing runs and
# attach says why (before, the namespaces gone with it were passed over as ones the kernel lacks: attach
# joined the rest and failed at its fork, "Cannot allocate memory", 71). A preload reaches only a dynamic
# binary that no sanitizer runtime must come first in.
WD=${WARDER_DYN:-$W}
if ! grep -q __asan_init "$WD" && ${CC:-cc} -std=gnu11 -O2 -shared -fPIC -o "$T_TMP/killat.so" \
	"$(dirname "$0")/../tools/killat.c" -ldl; then
	keeper=$(awk '$1=="keeper"{print $2}' "$st")
	KILLAT_STOP=$keeper KILLAT_PID=$(awk '$1=="pid"{print $2}' "$st") KILLAT_PATH=/ns/pid \
		LD_PRELOAD=$T_TMP/killat.so "$WD" attach "$D" -- echo ran >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	kill -CONT "$keeper"
	is "an init gone while attach opens its namespaces: try again (75)" "$rc" 75
	is "... nothing ran" "$(cat "$T_TMP/out")" ""
	like "... with one line saying why" "$(cat "$T_TMP/err")" '^warder: attach: the jail.s init \(pid [0-9]+\) stopped while attaching$'
else
	echo "# skipped: an init gone mid-attach ($WD takes no preload here)"
fi
stop "$D"
is "the jail's state and control socket are gone" "$(ls -A "$T_TMP/run")" ""

# The init's pid taken by another process between attach's state read and its hold on the init (killat.c's
# KILLAT_REUSE: the init SIGKILLed, reaped by its keeper, its pid given to a child of attach's): that process
# is not the keeper's child, so not the jail (before: attach entered its namespaces, the host's, and ran the
# command there).
if [ -f "$T_TMP/killat.so" ]; then
	X=${N}x
	start "$X" ""
	KILLAT_REUSE=$(awk '$1=="pid"{print $2}' "$T_TMP/run/$X.state") KILLAT_OUT=$T_TMP/taken \
		LD_PRELOAD=$T_TMP/killat.so "$WD" attach "$X" -- hostname >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	wait
	is "the init's pid was given to another process while attach held none" "$(cat "$T_TMP/taken" 2>&1)" taken
	is "an init whose pid another process took: try again (75)" "$rc" 75
	is "... nothing ran" "$(cat "$T_TMP/out")" ""
	like "... with one line saying why" "$(cat "$T_TMP/err")" '^warder: attach: the jail.s init \(pid [0-9]+\) stopped while attaching$'
	i=0
	while pgrep -f "attach $X --" >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	is "... the jail is gone with its init, the pid's taker with attach" "$(ls -A "$T_TMP/run"; pgrep -f "attach $X --")" ""
else
	echo "# skipped: an init's pid reused mid-attach ($WD takes no preload here)"
fi

# --- a stale state whose pids are in use again ---------------------------------------------------------------
# Its keeper SIGKILLed, or its run directory kept over a reboot: the two pids now name processes that are not
# a keeper and its init (here two sleeps of this shell). Not a running jail for list, attach or run (before:
# listed, run refused it as "already running", and attach entered the namespaces of the process that had the
# init's pid, the host's, and ran the command there).
P=${N}p
sleep 7791 &
a=$!
sleep 7792 &
b=$!
printf 'name %s\npid %s\nkeeper %s\nstarted 1\npath %s\nsocket -\ncontrol -\n[limits]\n' "$P" "$b" "$a" "$R" \
	>"$T_TMP/run/$P.state"
is "list leaves out a state whose init is not its keeper's child" "$("$W" list | grep -c "^$P ")" 0
"$W" attach "$P" -- hostname >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
is "attach refuses it (71)" "$rc" 71
is "... nothing ran" "$(cat "$T_TMP/out")" ""
is "... with one line saying why" "$(cat "$T_TMP/err")" "warder: attach: no running jail named $P"
# Its init gone: the same refusal (the dead pid's ESRCH is not taken for a jail stopped mid-attach, 75).
true &
dead=$!
wait "$dead"
sed -i "s/^pid .*/pid $dead/" "$T_TMP/run/$P.state"
"$W" attach "$P" -- hostname >"$T_TMP/out" 2>"$T_TMP/err"
rc=$?
is "a state whose init is gone: attach refuses it (71)" "$rc" 71
is "... with one line saying why" "$(cat "$T_TMP/err")" "warder: attach: no running jail named $P"
sed -i "s/^pid .*/pid $b/" "$T_TMP/run/$P.state"
start "$P" ""
like "run starts the jail over it" "$(cat "$R/tmp/$P.view" 2>/dev/null)" '^CapInh'
like "... and list shows the jail" "$("$W" list)" "^$P "
kill "$a" "$b"
stop "$P"
is "... whose state goes with it" "$(ls -A "$T_TMP/run")" ""

# --- a jail with a user, groups, fewer caps and no_new_privs off ------------------------------------------------
U=${N}u
start "$U" "user = app
groups = wheel, app
caps = default, -mknod
no_new_privs = false"
cmd=$(cat "$R/tmp/$U.view")
got=$(view "$U")
is "attach with a user: the same ids, groups, caps and no_new_privs as the command" "$got" "$cmd"
is "... uid/gid read back as the jail's user" "$(field "$got" Uid) $(field "$got" Gid)" "1000 1000"
like "... the configured groups" "$(printf '%s\n' "$got" | grep '^Groups')" '^Groups:[[:space:]]+10 1000 ?$'
is "... no_new_privs as configured" "$(field "$got" NoNewPrivs)" 0
is "... the jail's home and name" "$("$W" attach "$U" -- sh -c 'echo $HOME $USER $(pwd)')" "/home/app app /home/app"
got=$("$W" attach -u root "$U" -- sh -c 'grep -E "^(Uid|CapBnd|CapEff):" /proc/self/status; mknod /tmp/c c 1 3 2>/dev/null && echo made || echo refused' 2>&1)
like "-u root: uid 0" "$got" 'Uid:[[:space:]]0[[:space:]]'
like "-u root: still the jail's bounding set (default without mknod)" "$got" 'CapBnd:[[:space:]]00000000a00425fb'
like "-u root: mknod fails, as the jail's caps say" "$got" 'refused$'
stop "$U"
like "the jails' logs hold no error" "$(cat "$T_TMP/$D.log" "$T_TMP/$U.log")" '^$'
is "the host is as before (mounts, links, cgroups)" "$(snap)" "$before"
is "no process left" "$(leftovers)" 0
rm -f "$R/view.sh" "$R/tmp/"*
done_testing
