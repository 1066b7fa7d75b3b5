#!/bin/sh
# init/linux/setup in real namespaces: rootfs, /proc, /dev from rulesets, identity, limits, the privilege drop,
# escapes that must fail and uWSGI's pivot_root pattern. A small driver calls lx_setup / lx_finish / lx_drop
# on a config the way the init does; each run is wrapped in unshare, and the host's mount table must be the
# same after every run. Needs root.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$(dirname "$WARDER")}
case $B in */asan) SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --fork true 2>/dev/null; then
	echo "# skipped: needs root and unshare"
	done_testing
	exit
fi

drv=$T_TMP/setup_driver
# shellcheck disable=SC2046
if ! ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -I"$top/init" -I"$top/conf" -I"$top/hooks" -I"$top/lib" ${SAN_FLAGS:-} -o "$drv" \
	"$top/tests/integration/drivers/setup_driver.c" "$B/libwarder.a" $(pkg-config --libs inih) -lev; then
	ok "driver builds" false
	done_testing
	exit 1
fi

sh "$top/tests/mkrootfs.sh" "$B/rootfs" >/dev/null || exit 1
root=$T_TMP/root
cp -a "$B/rootfs" "$root"
mkdir -p "$root/.old_root" "$T_TMP/host"
echo outside >"$T_TMP/marker"
# A shared mount: if the jail forgot to make its tree private, its mounts would show up on the host.
mount --bind "$root" "$root" && mount --make-shared "$root" || exit 1
on_exit umount -l "$root"
before=$(host_mounts)

DOCKER_CAPS=00000000a80425fb

# jail NAME CONFIG-BODY: writes $T_TMP/NAME.conf
jail() {
	printf '[%s]\n%s\n' "$1" "$2" >"$T_TMP/$1.conf"
}
# run NAME [driver options] -- CMD...: in fresh namespaces; stdout of CMD, stderr to $T_TMP/err
run() {
	n=$1; shift
	unshare --mount --pid --fork --uts --ipc --net --propagation unchanged "$drv" -c "$T_TMP/$n.conf" "$@" \
		2>"$T_TMP/err"
}
# Jails without /proc: LeakSanitizer cannot work there.
noproc() { (ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 && export ASAN_OPTIONS && "$@"); }
same_mounts() { [ "$(host_mounts)" = "$before" ]; }

base="path = $root
unshare = mount,pid,uts,ipc,net
mount.procfs = true"

# A host process the jail must not see.
sleep 31337 &
on_exit kill $!

# --- the basic jail: /proc, hostname, loopback, /dev ruleset 4, user, caps, nnp, rlimits -------------------
jail basic "$base
host.hostname = jailhost
user = app
rlimit.nofile = 512:1024
rlimit.core = 0"
out=$(run basic -- /bin/sh -c '
	echo "pid1=$(cat /proc/1/comm)"
	echo "hostproc=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\0" " " | grep -c "sleep 3133[7]")"
	echo "host=$(hostname)"
	echo "lo=$(cat /sys/class/net/lo/operstate 2>/dev/null || ip link show lo | head -1 | grep -c UP)"
	echo "id=$(id -u):$(id -g):$(id -G | tr " " ,)"
	grep -E "^(CapBnd|CapEff|CapInh|CapAmb|NoNewPrivs):" /proc/self/status | tr -d "\t" | sed "s/:/=/"
	echo "nofile=$(ulimit -Sn):$(ulimit -Hn)"
	echo "core=$(ulimit -c)"
	echo "dev=$(ls -A /dev | tr "\n" " ")"
	echo "blk=$(find /dev -type b | wc -l)"
	echo "root=$(ls / | tr "\n" " ")"')
rc=$?
is "basic jail runs" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T_TMP/err"
get() { printf '%s\n' "$out" | sed -n "s/^$1=//p"; }
is "PID 1 is the init" "$(get pid1)" setup_driver
is "/proc shows only the jail" "$(get hostproc)" 0
is "hostname" "$(get host)" jailhost
like "loopback is up" "$(get lo)" '^(1|unknown|up)$'
is "uid:gid:groups from the jail's passwd and group" "$(get id)" "1000:1000:1000,10"
is "bounding set is Docker's default" "$(get CapBnd)" "$DOCKER_CAPS"
is "no effective caps as a user" "$(get CapEff)" 0000000000000000
is "no inheritable caps" "$(get CapInh)" 0000000000000000
is "no ambient caps" "$(get CapAmb)" 0000000000000000
is "no_new_privs on by default" "$(get NoNewPrivs)" 1
is "rlimit.nofile soft:hard" "$(get nofile)" "512:1024"
is "rlimit.core" "$(get core)" 0
ok "host mounts unchanged" same_mounts

base_dev="fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
fuse=""
[ -c /dev/fuse ] && fuse=" fuse"
sorted() { tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' '; }
want4=$(printf '%s%s' "$base_dev" "$fuse" | sorted)
is "/dev for ruleset 4: the base set (and fuse)" "$(get dev | sorted)" "$want4"
is "no block device in /dev" "$(get blk)" 0
like "/ is the rootfs" "$(get root)" 'bin .*etc .*home'
ok "the host's tree is gone" sh -c "! printf '%s' '$(get root)' | grep -qw work"

# --- a node made with CAP_MKNOD is inert; host disks stay out of reach ----------------------------------
jail mknod "$base"
out=$(run mknod -- /bin/sh -c 'mknod /root/disk b 7 0 && head -c 1 /root/disk >/dev/null 2>&1 && echo read; echo done')
is "a mknod'ed block device cannot be read" "$out" "done"
rm -f "$root/root/disk"

# --- root in the jail keeps only the granted caps ----------------------------------------------------------
jail caps "$base
caps = chown,kill
no_new_privs = false"
out=$(run caps -- /bin/sh -c 'grep -E "^(CapBnd|CapEff|CapPrm|NoNewPrivs):" /proc/self/status | tr -d "\t"')
like "CapBnd = chown,kill" "$out" 'CapBnd:0000000000000021'
like "CapEff = chown,kill for root" "$out" 'CapEff:0000000000000021'
like "CapPrm = chown,kill for root" "$out" 'CapPrm:0000000000000021'
like "no_new_privs = false" "$out" 'NoNewPrivs:0'

# --- groups ----------------------------------------------------------------------------------------------
jail groups "$base
user = app
group = wheel
groups = root, 65534"
is "group and explicit groups" "$(run groups -- /bin/sh -c 'echo $(id -g):$(id -G | tr " " ,)')" "10:10,0,65534"

# --- rulesets 5 and a custom one with nested includes at depth 1 and 2 -----------------------------------
jail r5 "$base
devfs_ruleset = 5"
is "/dev for ruleset 5 (no pf on Linux): as ruleset 4" "$(run r5 -- ls -A /dev | sorted)" "$want4"
cat >"$T_TMP/devfs.rules" <<'EOF'
[inner=10]
add path 'null' unhide
[middle=11]
add include $inner
add path 'zero' unhide
[outer=12]
add hide
add include $middle
add path 'random' unhide
add path 'loop1' unhide
EOF
for depth in 1 2; do
	jail "d$depth" "$base
devfs.rules = $T_TMP/devfs.rules
devfs_ruleset = outer
devfs.rule_depth = $depth"
done
is "custom ruleset, include depth 1" "$(run d1 -- ls -A /dev | sorted)" "$(echo full loop1 random zero | sorted)"
# shm and mqueue count as basic nodes like null: depth 2 reaches inner's null, so they appear too.
is "custom ruleset, include depth 2" "$(run d2 -- ls -A /dev | sorted)" "$(echo full loop1 mqueue null random shm zero | sorted)"
is "an unhidden block device is bound from the host" "$(run d1 -- find /dev -type b)" "/dev/loop1"
ok "host mounts unchanged" same_mounts

# --- escapes: symlinks to host paths where mounts go ----------------------------------------------------
for d in proc dev mnt; do
	mv "$root/$d" "$root/$d.real" 2>/dev/null || rmdir "$root/$d" 2>/dev/null
	mkdir -p "$T_TMP/host/$d"
	ln -s "$T_TMP/host/$d" "$root/$d"
done
echo "src" >"$T_TMP/bindsrc"
jail esc "$base
mount = $T_TMP/bindsrc /mnt/x none bind,ro"
run esc -- /bin/true
is "symlinked proc, dev and bind target: nothing lands on the host" "$(ls -A "$T_TMP/host/proc" "$T_TMP/host/dev" "$T_TMP/host/mnt" | grep -v ':$' | grep -v '^$')" ""
ok "host mounts unchanged" same_mounts
for d in proc dev mnt; do
	rm -f "$root/$d"
	if [ -d "$root/$d.real" ]; then mv "$root/$d.real" "$root/$d"; else mkdir "$root/$d"; fi
done
rm -rf "$root/tmp/warder-test."* 2>/dev/null

# --- fds other than stdio do not leak in -----------------------------------------------------------------
jail fds "$base"
out=$(run fds -- /bin/sh -c 'ls /proc/self/fd/7 >/dev/null 2>&1 && echo leaked; echo checked' 7<"$T_TMP")
is "an inherited fd 7 is closed on exec" "$out" checked

# --- bind mounts, tmpfs and keep_mount --------------------------------------------------------------------
mkdir -p "$T_TMP/keep" && echo kept >"$T_TMP/keep/file"
# FreeBSD style: the mount point written as a host path under the rootfs, nullfs for a bind.
printf '# thin jail\n%s %s/fst nullfs ro 0 0\n' "$T_TMP/keep" "$root" >"$T_TMP/fstab"
jail binds "$base
mount.fstab = $T_TMP/fstab
mount = tmpfs /scratch tmpfs size=1m,mode=700,nosuid
mount = $T_TMP/keep /ro none bind,ro
keep_mount = $T_TMP/keep:/kept"
out=$(run binds -- /bin/sh -c '
	grep " /scratch " /proc/self/mounts | cut -d" " -f3,4
	cat /ro/file; touch /ro/new 2>/dev/null && echo rw-ro
	grep " /fst " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1; cat /kept/file')
like "tmpfs with size and flags" "$out" 'tmpfs rw,nosuid.*size=1024k,mode=700'
like "ro bind" "$out" '^kept'
ok "ro bind refuses writes" sh -c "! printf '%s' '$out' | grep -q rw-ro"
like "mount.fstab: nullfs ro at a host path under the rootfs" "$out" '^ro$'
ok "... not on the host" sh -c "! grep -q ' $root/fst ' /proc/self/mountinfo"
is "keep_mount SRC:DST" "$(printf '%s\n' "$out" | tail -n 1)" kept
ok "host mounts unchanged" same_mounts

# --- uWSGI's shorthand: namespace = ROOTFS:HOSTNAME, namespace-keep-mount, uid/gid ----------------------
jail short "namespace = $root:nshost
namespace-keep-mount = $T_TMP/keep:/nfs
uid = app
gid = app"
out=$(run short -- /bin/sh -c 'echo $(hostname) $(id -u):$(id -g) $(cat /nfs/file) $(ls /proc/1/comm)')
is "namespace = ROOTFS:HOSTNAME with keep-mount and uid" "$out" "nshost 1000:1000 kept /proc/1/comm"
[ -n "$out" ] || sed 's/^/# /' "$T_TMP/err"
ok "host mounts unchanged" same_mounts

# --- rootless: nobody maps itself to root in a user namespace; every step must work with its powers -----
if command -v setpriv >/dev/null; then
	chmod 711 "$T_TMP"
	jail rootless "path = $root
unshare = user,mount,pid,uts,ipc,net
mount.procfs = true
host.hostname = rl"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups unshare -r --mount --pid --fork --uts --ipc --net \
		--propagation unchanged "$drv" -c "$T_TMP/rootless.conf" -- /bin/sh -c '
		echo "$(id -u) $(hostname) $(cat /proc/self/setgroups)"
		grep CapBnd /proc/self/status | tr -d "\t"
		echo x >/dev/null && ls -A /dev | tr "\n" " "' 2>"$T_TMP/err")
	like "rootless: root inside, hostname, setgroups denied" "$out" "^0 rl deny"
	like "rootless: bounding set" "$out" "CapBnd:$DOCKER_CAPS"
	like "rootless: /dev bound from the host" "$out" "null ptmx pts random"
	[ -n "$out" ] || sed 's/^/# /' "$T_TMP/err"
	chmod 700 "$T_TMP"
	ok "host mounts unchanged" same_mounts
fi

# --- identity refusals ------------------------------------------------------------------------------------
jail nouts "path = $root
unshare = mount,pid
host.hostname = nope"
noproc run nouts -- /bin/true
is "hostname without a uts namespace is refused (71)" "$?" 71
like "... with a clear message" "$(cat "$T_TMP/err")" 'needs its own uts namespace'

# --- uWSGI's pivot_root pattern: the old root stays until detached ---------------------------------------
mkdir -p "$T_TMP/ns"
jail uw "unshare = fs,pid,uts,ipc,net
pivot_root = $T_TMP/ns $T_TMP/ns/.old_root"
out=$(noproc run uw -s "test -e /.old_root$T_TMP/marker && echo before=reachable" -- \
	/bin/sh -c "test -e /.old_root$T_TMP/marker && echo after=reachable; echo after=\$(ls -A /.old_root | wc -l)")
# NEW must already be a mount point: the driver was not told to bind it, so this must fail.
is "pivot_root refuses a NEW that is not a mount point" "$out" ""
like "... saying so" "$(cat "$T_TMP/err")" 'not a mount point'
# With the post-jail bind (uWSGI's hook-post-jail = mount:none ROOTFS /ns bind) in place:
run_uw() {
	unshare --mount --pid --fork --uts --ipc --net --propagation unchanged /bin/sh -c \
		'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh "$root" "$T_TMP/ns" "$drv" -c "$T_TMP/uw.conf" "$@" \
		2>"$T_TMP/err"
}
out=$(noproc run_uw -s "test -e /.old_root$T_TMP/marker && echo before=reachable" -- \
	/bin/sh -c "test -e /.old_root$T_TMP/marker && echo after=reachable; echo after=\$(ls -A /.old_root | wc -l)")
like "old root reachable at /.old_root before lx_finish" "$out" 'before=reachable'
is "... and detached after it" "$(printf '%s\n' "$out" | tail -n 1)" "after=0"
out=$(noproc run_uw -s "umount -l /.old_root" -- /bin/sh -c 'echo ok')
is "a hook that detached it already is fine" "$out" ok
ok "host mounts unchanged" same_mounts

done_testing
