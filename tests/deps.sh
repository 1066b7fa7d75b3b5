#!/bin/sh
# Installs what a mode needs on Debian when run as root; elsewhere prints the command and stops.
#   deps.sh build | check | bench
set -eu
mode=${1:-build}
build="gcc make pkg-config libev-dev libinih-dev"
check="$build clang clang-format lld llvm busybox-static runc crun iproute2 procps util-linux uwsgi-core uwsgi-plugin-python3 python3 freebsd-manpages mandoc dpkg-dev debhelper fakeroot lintian valgrind man-db git systemd podman"
bench="$check tini dumb-init catatonit bubblewrap hyperfine"
case $mode in
build) want=$build ;; check) want=$check ;; bench) want=$bench ;;
*) echo "deps.sh: unknown mode $mode" >&2; exit 64 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq --no-install-recommends $missing >&2
	exit 0
fi
if ! command -v dpkg-query >/dev/null; then
	# Not Debian: we cannot check packages by name; the compiler will tell what is missing.
	[ "$mode" = build ] && exit 0
	echo "deps: not a Debian system; install the equivalents of:$missing" >&2
	exit 1
fi
echo "deps: missing packages; run: apt-get update && apt-get install -y$missing" >&2
exit 1
