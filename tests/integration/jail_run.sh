#!/bin/sh
# warder run with jail parameters: the keeper/init split in real namespaces on a busybox rootfs. PID 1 is
# warder, /proc shows only the jail, the hostname is set; warder list (stale jails left out) and attach;
# SIGTERM to the keeper; the command's status; SIGKILL of the keeper takes the jail with it; the demo; run NAME
# of a file whose other jail is bad; the host is as before every time.
. "$(dirname "$0")/lib.sh"
jail_suite
N=wj$$
cgdirs() { find /sys/fs/cgroup -type d -name "warder-$N*" 2>/dev/null; }
snap() { host_mounts; host_links; cgdirs; }
before=$(snap)
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done; }
cat >"$T_TMP/j.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc,net
host.hostname = $N.test
mount.procfs = true
stop.timeout = 2
setns-socket = $T_TMP/ns.sock
cgroup.pids.max = 100
CONF
# The command is single-quoted in the config: literal, no \$variable expansion.
conf() { { cat "$T_TMP/j.conf"; printf "command = '%s'\n" "$1"; } >"$T_TMP/c.conf"; }

# --- inside: PID 1, /proc, hostname
conf 'echo pid1=$(cat /proc/1/comm) host=$(hostname) procs=$(ls -d /proc/[0-9]* | wc -l)'
out=$($W run -q -c "$T_TMP/c.conf"); rc=$?
is "a clean jail exits 0" $rc 0
like "PID 1 in the jail is warder" "$out" 'pid1=warder '
like "the hostname is set" "$out" "host=$N.test "
like "/proc shows only the jail (warder, sh and its pipeline)" "$out" 'procs=[1-6]$'
is "the host is as before (mounts, links, cgroups)" "$(snap)" "$before"
is "no process left" "$(leftovers)" 0

# --- the command starts with the signal mask warder run was given: what the keeper and the init block for
# their own signal handling stays theirs
conf "awk '/^SigBlk:/ {print \$2}' /proc/self/status"
is "the command's blocked signals: none, as warder run was given" "$($W run -q -c "$T_TMP/c.conf")" 0000000000000000
blk=$(python3 -c 'import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGWINCH])
os.execv(sys.argv[1], sys.argv[1:])' $W run -q -c "$T_TMP/c.conf")
is "... and SIGWINCH alone when warder run was given it blocked" "$blk" 0000000008000000

# --- the network namespace: made by the keeper beside the init's mounts (check says so), the jail's own: not
# the host's, only lo in it, and lo up. With exec.created it is made with the init, so the hook that gets the
# init's pid (WARDER_JID) sees the jail's namespace, not the host's.
host_net=$(readlink /proc/self/ns/net)
netcmd='echo net=$(readlink /proc/self/ns/net) links=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " ") lo=$(ip link show lo | grep -c ",UP")'
conf "$netcmd"
like "check: the network namespace is made beside the mounts" "$($W check -c "$T_TMP/c.conf" 2>/dev/null)" \
	'create +host +make the network namespace, its loopback up, on the host while the init mounts; the init joins it'
out=$($W run -q -c "$T_TMP/c.conf"); rc=$?
is "made beside: the jail runs" $rc 0
like "... in a network namespace of its own, lo alone and up" "$out" '^net=net:\[[0-9]+\] links=lo lo=1$'
ok "... not the host's" test "${out%% *}" != "net=$host_net"
# sysfs shows the mounter's interfaces: the init joins its namespace before mounting it
conf 'ls /sys/class/net'
echo "mount.sysfs = true" >>"$T_TMP/c.conf"
is "made beside, with sysfs: /sys/class/net shows the jail's lo alone" "$($W run -q -c "$T_TMP/c.conf")" lo
conf "$netcmd"
{ cat "$T_TMP/c.conf"; echo "exec.created = 'readlink /proc/\$WARDER_JID/ns/net >$T_TMP/created.net'"; } >"$T_TMP/cr.conf"
out=$($W run -q -c "$T_TMP/cr.conf"); rc=$?
is "with exec.created: the jail runs" $rc 0
is "... check: made with the init" "$($W check -c "$T_TMP/cr.conf" 2>/dev/null | grep -c 'while the init mounts')" 0
like "... in its own namespace, lo alone and up" "$out" '^net=net:\[[0-9]+\] links=lo lo=1$'
is "... and exec.created saw that namespace through the init's pid" "net=$(cat "$T_TMP/created.net")" "${out%% *}"
is "the host is as before (network namespaces)" "$(snap)" "$before"

# --- where clone3 answers ENOSYS (Linux before 5.3; the seccomp profiles of container runtimes), the init
# is made by clone(2) and moved into its cgroups: the same jail
if cc -std=gnu11 -O2 -o "$T_TMP/nosys" "$(dirname "$0")/../tools/nosys.c"; then
	conf 'echo pid1=$(cat /proc/1/comm) host=$(hostname) cg=$(grep -c "/warder-'"$N"'$" /proc/self/cgroup)'
	out=$("$T_TMP/nosys" clone3 -- $W run -q -c "$T_TMP/c.conf" 2>&1); rc=$?
	is "clone3 missing: the jail still runs (exit 0)" $rc 0
	like "... PID 1 is warder, the hostname set, in its v2 (and v1 pids) cgroups" "$out" "^pid1=warder host=$N.test cg=[1-9]"
	is "... and the host is as before (mounts, links, cgroups)" "$(snap)" "$before"
	is "... no process left" "$(leftovers)" 0
	out=$(printf '[%s]\npath = %s\nunshare = mount,pid,time\ncommand = true\n' "$N" "$R" >"$T_TMP/t.conf"
		"$T_TMP/nosys" clone3 -- $W run -q -c "$T_TMP/t.conf" 2>&1); rc=$?
	is "clone3 missing and a time namespace asked for: exit 71 (clone(2) cannot make one)" $rc 71
	like "... saying why" "$out" 'clone with namespaces .*: Function not implemented'
	is "... and the host is as before" "$(snap)" "$before"
else
	ok "build tests/tools/nosys.c" false
fi

# --- a terminal becomes the jail's /dev/console (a bind of the same pty), none without one
if command -v script >/dev/null; then
	conf 'grep " /dev/console " /proc/self/mountinfo | cut -d" " -f3; stat -c %t:%T /dev/console'
	out=$(script -qec "$W run -q -c $T_TMP/c.conf" /dev/null </dev/null | tr -d '\r' | tr '\n' ' ')
	like "a terminal is bound at /dev/console (devpts, the pty's own numbers)" "$out" '^0:[0-9]+ 88:[0-9a-f]+ $'
	out=$($W run -q -c "$T_TMP/c.conf" </dev/null 2>&1)
	like "without a terminal there is no /dev/console" "$out" "can't stat|No such file"
else
	echo "# skipped: no script(1) to give warder a terminal"
fi

# --- the command's status
conf 'exit 7'; $W run -q -c "$T_TMP/c.conf"; is "the command's exit code is the jail's" $? 7
conf 'kill -USR1 $$'; $W run -q -c "$T_TMP/c.conf"; is "death by signal N is 128+N" $? 138
conf '/nonexistent'; $W run -q -c "$T_TMP/c.conf" 2>/dev/null; is "a missing command is 127" $? 127
# SIGUSR1 and SIGUSR2 to the keeper go to the command, through the init
conf 'trap "echo got-usr1; exit 7" USR1; echo up; while :; do sleep 0.05; done'
$W run -q -c "$T_TMP/c.conf" >"$T_TMP/usr1.out" & k=$!
wait_for 'grep -q up "$T_TMP/usr1.out"'
kill -USR1 $k; wait $k; rc=$?
is "SIGUSR1 to the keeper reaches the command (its trap's exit)" "$rc $(tail -1 "$T_TMP/usr1.out")" "7 got-usr1"

# --- exec.jail_user: looked up in the jail's passwd; with exec.system_jail_user in the host's (daemon, uid 1,
# is a host user the busybox rootfs does not have)
if getent passwd daemon >/dev/null; then
	juser() { { cat "$T_TMP/j.conf"; printf '%s\nexec.jail_user = %s\nexec.start = "id -u >/tmp/juid"\ncommand = true\n' "$1" "$2"; } >"$T_TMP/c.conf"; }
	mkdir -p "$R/tmp" && chmod 1777 "$R/tmp" && rm -f "$R/tmp/juid"
	juser "" app; $W run -q -c "$T_TMP/c.conf" 2>/dev/null
	is "exec.start runs as exec.jail_user from the jail's passwd" "$(cat "$R/tmp/juid")" 1000
	rm -f "$R/tmp/juid"; juser "" daemon; err=$($W run -q -c "$T_TMP/c.conf" 2>&1); rc=$?
	is "a host-only exec.jail_user fails the start (70)" "$rc" 70
	like "... with a line naming the jail's passwd" "$err" "user daemon: not in the jail's /etc/passwd"
	juser "exec.system_jail_user = true" daemon; $W run -q -c "$T_TMP/c.conf" 2>/dev/null
	is "exec.system_jail_user: exec.jail_user from the host's passwd" "$(cat "$R/tmp/juid")" "$(id -u daemon)"
	rm -f "$R/tmp/juid"
	{ cat "$T_TMP/j.conf"; printf 'user = no-such-user-x\ncommand = true\n'; } >"$T_TMP/c.conf"
	err=$($W run -q -c "$T_TMP/c.conf" 2>&1); rc=$?
	is "a user the jail's passwd lacks: the command cannot start (78: the config names it)" "$rc" 78
	like "... with one line naming it" "$err" "user no-such-user-x: not in the jail's /etc/passwd"
	juser "exec.system_jail_user = true" no-such-user-x; err=$($W run -q -c "$T_TMP/c.conf" 2>&1); rc=$?
	is "exec.system_jail_user with a user the host lacks fails the create step (78: the config names it)" "$rc" 78
	like "... with one line naming it" "$err" "create: exec.jail_user \\(exec.system_jail_user\\): user no-such-user-x: not in the host's"
	is "the host is as before (exec.jail_user)" "$(snap)" "$before"
	is "no process left (exec.jail_user)" "$(leftovers)" 0
fi

# --- what the files settle is a config error before any step: 78, FILE:LINE, no hook ran (exec.prepare's marker)
for rs in 7 nosuch; do
	{ cat "$T_TMP/j.conf"; printf 'exec.prepare = touch %s/prepared\ndevfs_ruleset = %s\ncommand = true\n' "$T_TMP" "$rs"; } >"$T_TMP/c.conf"
	err=$($W run -q -c "$T_TMP/c.conf" 2>&1); rc=$?
	is "run: devfs_ruleset $rs that no devfs.rules defines exits 78" $rc 78
	is "... naming its line" "$err" "$T_TMP/c.conf:10: devfs_ruleset $rs: no such ruleset in warder's default rulesets (devfs.rules = FILE adds more)"
	ok "... before any hook ran" test ! -e "$T_TMP/prepared"
done
is "the host is as before (config errors)" "$(snap)" "$before"

# --- supplementary groups up to what the system allows (NGROUPS_MAX), not 256: app is in 300 more groups
cp "$R/etc/group" "$T_TMP/group.orig"
awk 'BEGIN { for (i = 1; i <= 300; i++) printf "g%d:x:%d:app\n", i, 3000 + i }' >>"$R/etc/group"
conf 'id -G | wc -w'
printf 'user = app\n' >>"$T_TMP/c.conf"
is "a user in 302 groups gets all of them" "$($W run -q -c "$T_TMP/c.conf" 2>&1)" 302
cp "$T_TMP/group.orig" "$R/etc/group"

# --- list, attach, SIGTERM
conf 'sleep 30'
$W run -q -c "$T_TMP/c.conf" & kp=$!
i=0; while [ ! -S "$T_TMP/ns.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; sleep 0.2
like "warder list shows the jail" "$($W list)" "^$N +[0-9]+ +0m0[0-9]s +$R\$"
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
out=$($W attach $N -- sh -c 'echo host=$(hostname) pid1=$(cat /proc/1/comm) root=$(ls /etc/motd)')
like "attach by name: same hostname, PID 1, root" "$out" "^host=$N.test pid1=warder root=/etc/motd\$"
is "attach is in the same pid namespace" "$($W attach $N -- readlink /proc/self/ns/pid)" "$(readlink /proc/$ipid/ns/pid)"
is "attach joins the jail's cgroup" "$($W attach $N -- cat /proc/self/cgroup | grep '^0::')" "0::/warder-$N"
like "attach by setns socket (uWSGI protocol)" "$($W attach "$T_TMP/ns.sock" -- hostname)" "^$N.test\$"
is "attach -u runs as the jail's user" "$($W attach $N -u app -- id -un)" app
$W attach $N -- sh -c 'exit 9'; is "attach returns the command's status" $? 9
$W attach nosuchjail -- true 2>/dev/null; is "attach to an unknown jail fails" $? 71
kill -TERM $kp; wait $kp; rc=$?
is "SIGTERM to the keeper: the command's status (TERM)" $rc 143
is "the state file is gone" "$(ls "$WARDER_RUNDIR")" ""
ok "the setns socket is gone" test ! -e "$T_TMP/ns.sock"
is "after SIGTERM the host is as before" "$(snap)" "$before"
is "after SIGTERM no process left" "$(leftovers)" 0

# --- a second run of the same name is refused while the first runs
$W run -q -c "$T_TMP/c.conf" & kp=$!
sleep 0.5
$W run -q -c "$T_TMP/c.conf" 2>"$T_TMP/err"; rc=$?
is "a second jail of the same name is refused (75, EX_TEMPFAIL)" $rc 75
like "and says so" "$(cat "$T_TMP/err")" "jail $N is already running"
# --- SIGKILL of the keeper: the init must not survive it
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
kill -KILL $kp; wait $kp 2>/dev/null
i=0; while kill -0 "$ipid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done
ok "SIGKILL of the keeper kills the init" sh -c "! kill -0 $ipid 2>/dev/null"
is "and everything in the jail" "$(leftovers)" 0
# --- warder list leaves out a jail whose keeper and init are dead but not reaped: their parent here is a
# subreaper that does not wait (kill -0 still succeeds on a zombie)
python3 - "$W" "$T_TMP/c.conf" "$T_TMP/kpid" "$T_TMP/reap" <<'PY' & zp=$!
import ctypes, os, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: the jail's init comes to us when the keeper dies
pid = os.spawnv(os.P_NOWAIT, sys.argv[1], [sys.argv[1], "run", "-q", "-c", sys.argv[2]])
open(sys.argv[3] + ".tmp", "w").write(str(pid))
os.rename(sys.argv[3] + ".tmp", sys.argv[3])
for _ in range(6000):  # until told to reap (the host's PID 1 may be slow to reap what we would leave it)
    if os.path.exists(sys.argv[4]):
        break
    time.sleep(0.1)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
PY
on_exit "touch $T_TMP/reap"
wait_for '[ -s "$T_TMP/kpid" ] && $W list | grep -q "^$N "'
zk=$(cat "$T_TMP/kpid"); zi=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
kill -KILL "$zk"
wait_for '[ "$(ps -o stat= -p "$zk,$zi" | cut -c1 | tr -d "\n")" = ZZ ]'
is "the killed keeper and its init are zombies" "$(ps -o stat= -p "$zk,$zi" | cut -c1 | tr -d '\n')" ZZ
is "warder list leaves their jail out" "$($W list | grep -c "^$N ")" 0
touch "$T_TMP/reap"; wait $zp
# the next run takes over what the killed keeper left (state file, empty cgroup)
conf 'true'; $W run -q -c "$T_TMP/c.conf" 2>/dev/null; is "a new run after a killed keeper works" $? 0
is "and leaves the host as before" "$(snap)" "$before"

# --- vnet.interface: one end of a veth pair made by exec.prestart moves into the jail; the pair dies with it
V=wv$$
cat >"$T_TMP/v.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,net
exec.prestart = ip link add ${V}a type veth peer name ${V}b
vnet.interface = ${V}b
command = 'ip -o link'
CONF
on_exit "ip link del ${V}a"
# the kernel deletes a veth pair a moment after the namespace that holds one end
links_settle() { i=0; while ip link show ${V}a >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; }
out=$($W run -q -c "$T_TMP/v.conf"); rc=$?
is "a vnet jail runs" $rc 0
like "the interface is inside" "$out" "^[0-9]+: ${V}b@"
like "and loopback is up" "$out" '^1: lo: <LOOPBACK,UP'
links_settle
is "after a vnet jail the host's links are as before" "$(snap)" "$before"

# --- the Linux poststop idiom (README): the kernel deletes the pair with the namespace, and a step that fails
# after exec.prestart (exec.created here) leaves the host end for exec.poststop to remove
vconf() {
	cat >"$T_TMP/v.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,net
exec.prestart = ip link add ${V}a type veth peer name ${V}b
exec.prestart += ip addr add 198.51.100.1/24 dev ${V}a
exec.prestart += ip link set ${V}a up
exec.created = $1
vnet.interface = ${V}b
exec.start = ip addr add 198.51.100.2/24 dev ${V}b
exec.start += ip link set ${V}b up
command = ping -c 1 -W 2 198.51.100.1 >/dev/null && echo "the host answers"
exec.poststop = ip link del ${V}a 2>/dev/null || true
CONF
}
vconf true
out=$($W run -q -c "$T_TMP/v.conf"); rc=$?
is "a jail on a veth pair reaches the host, and the poststop idiom stops cleanly" "$rc $out" "0 the host answers"
links_settle
is "after it the host's links are as before" "$(snap)" "$before"
vconf false
$W run -q -c "$T_TMP/v.conf" 2>/dev/null; rc=$?
is "exec.created fails after exec.prestart made the pair: exit 70" $rc 70
is "and exec.poststop removed the pair the jail never got" "$(snap)" "$before"

# --- the demo
$W run --demo-config >"$T_TMP/demo.conf"
ok "the built-in demo config is conf/demo.conf" cmp -s "$T_TMP/demo.conf" "$(dirname "$0")/../../conf/demo.conf"
out=$(WARDER_DEMO_ROOTFS=$R $W run demo 2>&1); rc=$?
is "the demo stops cleanly" $rc 0
like "the demo shows PID 1 and the hostname" "$out" 'PID 1 is warder, hostname demo.warder'
like "the demo lists /dev from ruleset 4" "$out" 'ls /dev: .*null.*zero'
is "after the demo the host is as before" "$(snap)" "$before"

# --- run NAME builds NAME alone, as jail -c NAME: a value another jail's variables make bad fails that jail
cat >"$T_TMP/two.conf" <<CONF
[${N}bad]
path = $R
unshare = mount,pid
exec.start = "\$nope"
command = /bin/true
[${N}ok]
path = $R
unshare = mount,pid,uts
host.hostname = ok.test
mount.procfs = true
command = 'echo host=\$(hostname)'
CONF
out=$($W run -q -c "$T_TMP/two.conf" "${N}ok" 2>&1); rc=$?
is "run NAME of a good jail beside one with a bad variable exits 0" $rc 0
like "... and runs it" "$out" '^host=ok.test$'
out=$($W run -q -c "$T_TMP/two.conf" "${N}bad" 2>&1); rc=$?
is "run NAME of the bad one exits 78" $rc 78
like "... naming the file and line" "$out" "two.conf:4: unknown variable [$]nope"
$W check -c "$T_TMP/two.conf" >/dev/null 2>&1
is "check of the whole file refuses it (78)" $? 78
# A section that comes back after another jail's lines: run NAME reads the file again, whole; each warning once.
cat >"$T_TMP/${N}app.ini" <<CONF
[uwsgi]
http-socket = :0
path = $R
unshare = mount,pid
command = /bin/true
[${N}ok2]
path = $R
unshare = mount,pid,uts
host.hostname = ok2.test
command = 'echo host=\$(hostname)'
[uwsgi]
master = true
stop.timeout = 2
[${N}ok2]
mount.procfs = true
CONF
out=$($W run -q -c "$T_TMP/${N}app.ini" "${N}ok2" 2>&1); rc=$?
is "run NAME of a jail whose section comes back exits 0" $rc 0
like "... and runs it with both blocks' lines" "$out" '^host=ok2.test$'
is "... each of the file's warnings given once" "$(printf '%s\n' "$out" | grep -c 'left to uWSGI')" 2
printf 'unshare = ipc\n' >>"$T_TMP/${N}app.ini"
out=$($W run -q -c "$T_TMP/${N}app.ini" "${N}ok2" 2>&1); rc=$?
is "a key given twice across a jail's two blocks is refused (78)" $rc 78
like "... naming the second" "$out" "${N}app.ini:16: unshare given twice [(]first at 8[)]"
is "after these the host is as before" "$(snap)" "$before"
done_testing
