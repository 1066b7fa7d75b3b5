#!/bin/sh
# make run: builds a busybox rootfs under build/demo-rootfs and runs `warder run demo` on the built-in config
# (conf/demo.conf): every step says where it runs; inside, PID 1, the hostname, /dev and ps; then a clean stop.
set -eu
W=${1:?usage: demo.sh WARDER}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "demo: the demo jail uses mount, pid, uts, ipc and net namespaces without a user namespace: run as root" >&2
	exit 1
fi
sh "$here/mkrootfs.sh" "$top/build/demo-rootfs"
cd "$top"
WARDER_DEMO_ROOTFS="$top/build/demo-rootfs" "$W" run demo
