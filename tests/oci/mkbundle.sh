#!/bin/sh
# Builds an OCI runtime bundle in DIR without a container engine, the way packaging/oci/Containerfile builds
# the image: a busybox rootfs (tests/mkrootfs.sh), warder installed as /usr/sbin/warder, and a config.json
# from `runc spec` whose process.args is the image's ENTRYPOINT ["/usr/sbin/warder", "--"] followed by CMD.
#   mkbundle.sh DIR WARDER CMD [ARGS...]     WARDER = - : no warder, process.args = CMD ARGS (a bare run)
# A dynamically linked warder gets the shared objects ldd names copied to the same paths in the rootfs
# (the Containerfile links it statically instead; both give the same /usr/sbin/warder to run).
set -eu
dir=${1:?usage: mkbundle.sh DIR WARDER CMD [ARGS...]}
warder=${2:?usage: mkbundle.sh DIR WARDER CMD [ARGS...]}
shift 2
[ $# -gt 0 ] || { echo "mkbundle: no command" >&2; exit 64; }
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
sh "$here/../mkrootfs.sh" "$dir/rootfs"
if [ "$warder" != - ]; then
	mkdir -p "$dir/rootfs/usr/sbin"
	cp "$warder" "$dir/rootfs/usr/sbin/warder"
	chmod 755 "$dir/rootfs/usr/sbin/warder"
	# "libev.so.4 => /lib/x86_64-linux-gnu/libev.so.4 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
	for so in $(ldd "$warder" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$dir/rootfs$(dirname "$so")"
		cp -L "$so" "$dir/rootfs$so"
	done
fi
rm -f "$dir/config.json"
(cd "$dir" && runc spec)
python3 - "$dir/config.json" "$warder" "$@" <<'EOF'
import json, sys
path, warder, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = cmd if warder == "-" else ["/usr/sbin/warder", "--"] + cmd
c["hostname"] = "warder-oci"
json.dump(c, open(path, "w"), indent=2)
EOF
