#!/bin/sh
# Escape and abuse attempts from inside a jail, against DESIGN.md's safety contracts: the jail's contents are
# not trusted. Writing the host through /proc/1/exe (the init is the host's warder binary) or /proc/1/root;
# signals to the keeper and to every pid a jail can guess; a hostile rootfs (symlink loops, a giant sparse
# /etc/passwd, fifos where /etc/passwd and /etc/group are expected: warder must refuse, never hang); hook
# commands that leave daemons behind (killed and reaped); the setns socket from another uid. Each run has a
# time limit: a hang fails. The host must be as before: no mount, cgroup or process of the jails left. Root.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --fork true 2>/dev/null; then
	echo "# skipped: needs root and namespaces"
	done_testing
	exit
fi
# A private copy of the binary: if the jail managed to write through /proc/1/exe it must not hit the build.
cp "$WARDER" "$T_TMP/warder" && W=$T_TMP/warder
sum0=$(sha256sum <"$W")
name=we$$
mkroot() { rm -rf "$T_TMP/root"; sh "$top/tests/mkrootfs.sh" "$T_TMP/root" >/dev/null; }
mkroot
echo host-secret >"$T_TMP/host-marker"
mine() { grep -F "$T_TMP" /proc/self/mountinfo | awk '{print $5}' | sort; }
cg() { find /sys/fs/cgroup -maxdepth 3 -type d -name "warder-$name*" 2>/dev/null; }
procs() { pgrep -af "$T_TMP|wetoken" | grep -v pgrep || true; }
on_exit 'for p in $(pgrep -f "sleep 777[0-6]"); do kill -9 $p; done; for p in $(pgrep -f "$T_TMP|wetoken"); do kill -9 $p; done; sleep 0.2; for d in $(cg | sort -r); do rmdir $d; done'
mounts0=$(mine) links0=$(host_links)
host_same() {
	i=0
	while [ $i -lt 20 ]; do
		[ "$(mine)" = "$mounts0" ] && [ -z "$(cg)" ] && [ -z "$(procs)" ] && [ "$(host_links)" = "$links0" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	echo "# left behind: mounts [$(mine | tr '\n' ' ')] cgroups [$(cg | tr '\n' ' ')] procs [$(procs | tr '\n' ' ')]"
	return 1
}
# jail EXTRA-LINES COMMAND: writes the config
jail() {
	printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc,net\nmount.procfs = true\nmount.devfs = true\ncgroup.pids.max = 128\nstop.timeout = 2\n%s\ncommand = %s\n' \
		"$name" "$T_TMP/root" "$1" "$2" >"$T_TMP/j.conf"
}
# run [SECS]: rc, stdout in $out, stderr in $T_TMP/err; 124/137 = it hung
run() {
	out=$(timeout -k 3 "${1:-30}" "$W" run -c "$T_TMP/j.conf" 2>"$T_TMP/err" </dev/null)
	rc=$?
	case $rc in 124|137) reap ;; esac
}
# After a hang: kill what the run left (the init outlives a killed keeper) and remove its cgroups.
reap() {
	for p in $(pgrep -f "$T_TMP|wetoken"); do kill -9 "$p"; done 2>/dev/null
	sleep 0.3
	for d in $(cg | sort -r); do rmdir "$d"; done 2>/dev/null
}
errline() { grep -E '^warder' "$T_TMP/err" | grep -vE ' ok [0-9]+ms$|the init of the jail is pid|: command: ' | head -n 1; }

# --- /proc/1/exe and /proc/1/root ----------------------------------------------------------------------------
# The attacks are scripts in the rootfs: the jail's contents, run as the main command.
cat >"$T_TMP/root/attack.sh" <<EOF2
m=/proc/1/root/../../../..$T_TMP/host-marker c=/proc/1/cwd/../../../..$T_TMP/host-marker
(echo x >/proc/1/exe) 2>/dev/null && echo wrote-exe
(cat /bin/busybox >/proc/1/exe) 2>/dev/null && echo wrote-exe2
(exec 3</proc/1/exe && echo x >/proc/self/fd/3) 2>/dev/null && echo wrote-fd
(echo x >/proc/self/exe) 2>/dev/null && echo wrote-self
cat \$m \$c 2>/dev/null
(echo x >>\$m) 2>/dev/null && echo wrote-marker
echo done
EOF2
cat >"$T_TMP/root/signals.sh" <<'EOF2'
kill -9 -1; kill -KILL 1; kill -STOP 1; kill -CONT 1
i=2; while [ $i -le 4000 ]; do [ $i = $$ ] || kill -9 $i 2>/dev/null; i=$((i + 1)); done
sleep 1; echo alive; exit 7
EOF2
jail "" "/bin/sh /attack.sh"
run
is "/proc/1/exe attack: the jail ran" "$rc" 0
ok "the host's warder binary is unchanged" [ "$(sha256sum <"$W")" = "$sum0" ]
like "no write through /proc/1/exe, /proc/self/fd or /proc/self/exe" "$(printf '%s' "$out" | tr '\n' ' ')" '^[^w]*done'
ok "the host file is neither read nor written through /proc/1/root or /proc/1/cwd" \
	sh -c "! printf '%s' \"\$1\" | grep -q host-secret && [ \"\$(cat $T_TMP/host-marker)\" = host-secret ]" - "$out"
ok "host unchanged after the /proc attack" host_same

# --- signals to the keeper and guessed pids -------------------------------------------------------------------
jail "" "/bin/sh /signals.sh"
run 60
is "kill -1, kill 1 and 4000 guessed pids: the command survives and its status comes back" "$rc:$out" "7:alive"
ok "host unchanged after the signal storm" host_same
jail "" "/bin/sh -c 'kill -TERM 1; sleep 10; exit 3'"
run 30
like "TERM to the init stops the jail (no hang; exit $rc)" "$rc" '^(0|3|143)$'
ok "host unchanged after TERM to PID 1" host_same

# --- hostile rootfs ---------------------------------------------------------------------------------------------
ln -s loop1 "$T_TMP/root/etc/loop2"; ln -s loop2 "$T_TMP/root/etc/loop1"
rm -f "$T_TMP/root/etc/passwd"; ln -s loop1 "$T_TMP/root/etc/passwd"
jail "user = app" "/bin/id -u"
run
is "/etc/passwd is a symlink loop: refused with 71" "$rc" 71
like "... with a warder line" "$(errline)" 'warder.*passwd'
ok "host unchanged (symlink loop passwd)" host_same

rm -f "$T_TMP/root/etc/passwd"; ln -s ../../../../../../../etc/passwd "$T_TMP/root/etc/passwd"
jail "user = daemon" "/bin/id -u"
run
ok "/etc/passwd pointing above the root is resolved inside it (the host's daemon user is not found)" [ "$rc" != 0 ]

mkroot
rm -rf "$T_TMP/root/proc"; ln -s proc "$T_TMP/root/proc"
jail "" "/bin/true"
run
is "/proc is a symlink loop: refused with 71" "$rc" 71
like "... with a warder line naming the step" "$(errline)" '^warder\[[^]]*\]: [a-z]+: '
ok "host unchanged (proc loop)" host_same

mkroot
rm -rf "$T_TMP/root/dev"; ln -s /../../../../dev "$T_TMP/root/dev"
jail "" "/bin/sh -c 'ls /dev | grep -c -E \"^(sd|nvme|vd|loop)\"'"
run
no_disk() { [ "$rc" = 71 ] || [ "$out" = 0 ]; }
ok "/dev as a symlink above the root: no host disk appears (rc $rc, out '$out')" no_disk
ok "host unchanged (dev symlink)" host_same

mkroot
rm -f "$T_TMP/root/etc/passwd"; truncate -s 64G "$T_TMP/root/etc/passwd"
jail "user = app" "/bin/id -u"
start=$(date +%s); run 30; took=$(($(date +%s) - start))
no_hang() { [ "$rc" != 124 ] && [ "$rc" != 137 ] && [ "$took" -lt 30 ]; }
ok "a 64 GiB sparse /etc/passwd: no hang (rc $rc in ${took}s)" no_hang
ok "... and the user is not found in it" [ "$rc" != 0 ]
ok "host unchanged (sparse passwd)" host_same

for f in passwd group; do
	mkroot
	rm -f "$T_TMP/root/etc/$f"; mkfifo "$T_TMP/root/etc/$f"
	jail "user = app
group = app" "/bin/id -u"
	run 20
	ok "a fifo at /etc/$f: refused, no hang (rc $rc)" [ "$rc" = 71 ]
	like "... with a warder line" "$(errline)" "warder.*$f"
	ok "host unchanged (fifo $f)" host_same
done

zs0=$(ps -eo stat=,comm= | grep -c '^Z.*sleep')
# --- hooks that leave daemons behind ---------------------------------------------------------------------------
mkroot
jail "exec.prestart = sleep 7771 & echo wetoken >/dev/null
exec.prestart += setsid sh -c 'sleep 7772 & exit 0'
exec.poststop = setsid sleep 7773 &
exec.start = sleep 7774 &
exec.start += setsid sh -c 'setsid sleep 7775 & exit 0'" "/bin/sh -c 'sleep 7776 & exit 0'"
# Output to a file, not $(...): a surviving daemon would hold the pipe open and hang the test itself.
timeout -k 3 60 "$W" run -c "$T_TMP/j.conf" >"$T_TMP/out" 2>"$T_TMP/err" </dev/null
rc=$?
is "hooks leaving daemons: the jail runs and stops" "$rc" 0
sleep 0.5
left=$(pgrep -af 'sleep 777[1-6]' | grep -v pgrep)
is "every daemon a hook or the command left behind is killed" "$left" ""
is "... and reaped (no new sleep zombie on the host)" "$(ps -eo stat=,comm= | grep -c '^Z.*sleep')" "$zs0"
for p in $(pgrep -f 'sleep 777[1-6]'); do kill -9 "$p"; done 2>/dev/null
ok "host unchanged (daemons)" host_same

# --- the setns socket from another uid -------------------------------------------------------------------------
# The socket lives in a directory anyone may traverse, so that only the socket itself can say no; root (a
# positive control) must get the namespace fds, nobody must not, not even once the file mode is loosened.
if [ -x /usr/bin/python3 ] && command -v setpriv >/dev/null; then
	S=$(mktemp -d /tmp/warder-ns.XXXXXX) && chmod 755 "$S"
	on_exit "rm -rf $S"
	jail "setns-socket = $S/ns.sock" "/bin/sleep 6"
	run 30 &
	i=0; while [ ! -S "$S/ns.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	cat >"$S/connect.py" <<'EOF2'
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    data = s.recv(64)
    print("got-fds" if data.startswith(b"uwsgi-setns") else "refused closed")
except OSError as e:
    print("refused", e.errno)
EOF2
	chmod 644 "$S/connect.py"
	as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups /usr/bin/python3 "$S/connect.py" "$S/ns.sock" 2>&1; }
	is "the setns socket is created 0600" "$(stat -c %a "$S/ns.sock" 2>&1)" 600
	is "root gets the namespace fds from the setns socket" "$(/usr/bin/python3 "$S/connect.py" "$S/ns.sock")" got-fds
	like "another uid cannot connect to the setns socket" "$(as_nobody)" '^refused'
	chmod 666 "$S/ns.sock"
	like "... nor get the fds once the socket's mode is loosened (peer credentials)" "$(as_nobody)" '^refused'
	wait
	ok "host unchanged (setns socket)" host_same
fi
# --- NSS modules planted in the jail -----------------------------------------------------------------------------
# A user inside the jail is looked up in the jail's own files, never through the host's NSS: glibc would read
# the jail's nsswitch.conf and dlopen the module it names from the jail's /lib, as root, before the drop.
if command -v cc >/dev/null; then
	printf '#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void own(void) { close(open("/nss-loaded", O_CREAT | O_WRONLY, 0644)); }\n' >"$T_TMP/nss.c"
	mkdir -p "$T_TMP/root/lib/x86_64-linux-gnu" "$T_TMP/root/usr/lib"
	cc -shared -fPIC -o "$T_TMP/root/lib/libnss_evil.so.2" "$T_TMP/nss.c"
	cp "$T_TMP/root/lib/libnss_evil.so.2" "$T_TMP/root/lib/x86_64-linux-gnu/"
	cp "$T_TMP/root/lib/libnss_evil.so.2" "$T_TMP/root/usr/lib/"
	printf 'passwd: evil files\ngroup: evil files\n' >"$T_TMP/root/etc/nsswitch.conf"
	mkdir -p "$T_TMP/root/tmp" && chmod 1777 "$T_TMP/root/tmp"
	jail "exec.jail_user = app
exec.start = /bin/sh -c 'id -un >/tmp/start-user'" "/bin/sleep 7770"
	run 30 &
	i=0; while ! pgrep -f "sleep 7770" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	is "exec.start runs as exec.jail_user from the jail's passwd" "$(cat "$T_TMP/root/tmp/start-user" 2>&1)" app
	is "attach -u takes the user from the jail's passwd" "$("$W" attach "$name" -u app -- id -un 2>&1)" app
	is "attach -u names a user the jail does not have" "$("$W" attach "$name" -u nosuch -- true 2>&1)" \
		"warder: attach: user nosuch: not in the jail's /etc/passwd"
	"$W" ctl "$name" stop >/dev/null 2>&1 || true
	wait
	ok "no NSS module of the jail was loaded by attach -u or exec.jail_user" [ ! -e "$T_TMP/root/nss-loaded" ]
	rm -rf "$T_TMP/root/etc/nsswitch.conf" "$T_TMP/root/lib/libnss_evil.so.2" "$T_TMP/root/tmp/start-user" "$T_TMP/root/nss-loaded"
	ok "host unchanged (NSS)" host_same
fi
# --- the keeper killed with SIGKILL: the init dies with it (parent-death signal), so does the jail ---------
jail "" "/bin/sleep 7776"
"$W" run -q -c "$T_TMP/j.conf" </dev/null >/dev/null 2>&1 &
kp=$!
i=0; while ! pgrep -f "sleep 7776" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
running() { pgrep -f "sleep 7776" >/dev/null; }
ok "a jail runs before its keeper is killed" running
kill -9 $kp; wait $kp 2>/dev/null
gone() { i=0; while [ $i -lt 30 ]; do pgrep -f "sleep 7776" >/dev/null || [ -n "$(procs)" ] || return 0; sleep 0.1; i=$((i + 1)); done; return 1; }
ok "a SIGKILLed keeper takes the init and the command with it" gone
is "... and no mount of the jail is left on the host" "$(mine)" "$mounts0"
# Nobody is left to remove the jail's (empty) cgroup and its state file: the known leftovers (SECURITY.md);
# warder list skips the stale state, and the test removes both.
rd=${WARDER_RUNDIR:-/run/warder}
ok "... warder list skips the dead jail's stale state" sh -c "! \"$W\" list | grep -q '^$name '"
rm -f "$rd/$name.ctl" "$rd/$name.state"
for d in $(cg | sort -r); do rmdir "$d"; done 2>/dev/null
ok "the host's warder binary is still unchanged" [ "$(sha256sum <"$W")" = "$sum0" ]
done_testing
