#!/bin/sh
# Builds a minimal busybox-static rootfs in DIR (for tests, the demo and benchmarks). Idempotent.
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkrootfs: $bb missing (apt-get install busybox-static)" >&2; exit 1; }
[ -x "$dir/bin/busybox" ] && [ "$dir/bin/busybox" -nt "$bb" ] && exit 0
mkdir -p "$dir"
for d in bin sbin etc proc sys dev tmp root home/app run var/tmp usr/bin usr/sbin mnt; do mkdir -p "$dir/$d"; done
chmod 1777 "$dir/tmp" "$dir/var/tmp"
cp "$bb" "$dir/bin/busybox"
for app in $("$bb" --list); do
	[ "$app" = busybox ] || ln -sf busybox "$dir/bin/$app"
done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nwheel:x:10:app\napp:x:1000:\nnogroup:x:65534:\n' >"$dir/etc/group"
chown 1000:1000 "$dir/home/app"
echo "warder test rootfs" >"$dir/etc/motd"
