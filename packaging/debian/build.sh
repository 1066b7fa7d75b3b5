#!/bin/sh
# make deb: builds the .deb with dpkg-buildpackage in a temporary copy of the tree (HEAD's files plus the work
# tree's changes to tracked files), so the work tree is not touched; the .deb lands in OUT (default build/deb).
#   build.sh [OUT]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/deb}
tmp=$(mktemp -d /tmp/warder-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/warder"
# Tracked files as they are in the work tree; build output and untracked files stay out.
cd "$top"
git ls-files | while IFS= read -r f; do [ -e "$f" ] && printf '%s\0' "$f"; done | xargs -0 cp --parents -t "$tmp/warder"
# conf/examples whole (examples are data, not build output).
cp -r "$top/conf/examples/." "$tmp/warder/conf/examples/"
cp -r "$top/packaging/debian" "$tmp/warder/debian"
rm -f "$tmp/warder/debian/build.sh"
# A caller's make (make asan: B=build/asan, sanitizer CFLAGS) must not leak into the package's own build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES B CFLAGS LDFLAGS CPPFLAGS
(cd "$tmp/warder" && dpkg-buildpackage -b -us -uc -rfakeroot >"$tmp/build.log" 2>&1) || {
	tail -n 40 "$tmp/build.log" >&2; echo "deb: dpkg-buildpackage failed" >&2; exit 1; }
mkdir -p "$out"
cp "$tmp"/*.deb "$tmp"/*.buildinfo "$tmp"/*.changes "$out"/
ls "$out"/*.deb
