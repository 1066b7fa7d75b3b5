#!/bin/sh
# layout.sh DIR: trace DIR/warder (a static build linked with -Wl,-Map=DIR/warder.map) and print the linker
# script that gathers the code and read-only data it touched (tests/tools/layout.py): first as an
# entrypoint (valgrind's lackey: code and data; tests/tools/steptrace.c: the code this CPU and kernel
# really run), then as a jail's keeper and init (steptrace; valgrind has no new mount API).
# `make layout` runs it and writes init/layout.ld; run it again when the code or the C library changes.
set -eu
dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { echo "layout: valgrind missing (apt-get install valgrind)" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || { echo "layout: the tracer (steptrace.c) is x86-64 only" >&2; exit 1; }
t=$(mktemp -d /tmp/warder-layout.XXXXXX)
trap 'rm -rf "$t"' EXIT
cc -std=gnu11 -O2 -o "$t/steptrace" "$here/steptrace.c"
W=$dir/warder
lackey() {
	mkdir "$t/$1"
	d=$t/$1
	shift
	valgrind --tool=lackey --trace-mem=yes --log-file="$d/%p" "$W" "$@" >/dev/null 2>&1 || :
}
step() {
	mkdir "$t/$1"
	d=$t/$1
	shift
	"$t/steptrace" "$d" "$W" -- "$W" "$@" >/dev/null 2>&1 || :
}
# A command run to its end, and one that makes its init forward a signal and report the death by it.
lackey exit -- true
lackey signal -- sh -c 'kill -TERM $PPID; sleep 2'
step sexit -- true
step ssignal -- sh -c 'kill -TERM $PPID; sleep 2'
# A jail as `make bench` and most configs make one: namespaces, rootfs, /proc, /dev, a cgroup, a hook.
sh "$here/../mkrootfs.sh" "$t/root" >/dev/null
cat >"$t/jail.conf" <<CONF
[layout]
path = $t/root
unshare = mount,pid,uts,ipc,net
host.hostname = layout
mount.procfs = true
mount.devfs = true
cgroup.pids.max = 64
exec.prestart = true
restart = no
command = /bin/true
CONF
step jail run -q -c "$t/jail.conf" layout
[ -n "$(ls "$t/jail")" ] || { echo "layout: the jail's trace is empty" >&2; exit 1; }
python3 "$here/layout.py" "$dir/warder.map" "$t"/exit/* "$t"/signal/* "$t"/sexit/* "$t"/ssignal/* -- "$t"/jail/*
