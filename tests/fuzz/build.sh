#!/bin/sh
# Builds the libFuzzer targets on its own (not through the Makefile): every library source compiled with
# clang -fsanitize=fuzzer-no-link,address,undefined into $OUT/obj, archived, and each tests/fuzz/fuzz_*.c
# linked against it with -fsanitize=fuzzer. Also prepares the sandbox tree ($OUT/root: the files includes may
# read, see sandbox.h) and the dictionaries.   build.sh [OUT]   (default build/fuzz)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/fuzz}
CC=${FUZZ_CC:-clang}
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=gnu11 -O1 -g -D_GNU_SOURCE -DWARDER_VERSION=\"fuzz\" -DWARDER_DATADIR=\"/fuzz\" -iquote $top/init -iquote $top/conf -iquote $top/hooks -iquote $top/lib $(pkg-config --cflags inih 2>/dev/null || true)"
LIBS="$(pkg-config --libs inih 2>/dev/null || echo -linih) -lev"
command -v "$CC" >/dev/null || { echo "fuzz: $CC not found (apt-get install clang)" >&2; exit 1; }

mkdir -p "$out/obj" "$out/bin" "$out/bin-strict" "$out/gen"
# The texts built in as C strings, as the Makefile generates them.
sh "$top/conf/cstring.sh" demo_conf "$top/conf/demo.conf" >"$out/gen/demo_conf.c"
sh "$top/conf/cstring.sh" devfs_default_rules "$top/conf/devfs.rules" >"$out/gen/devfs_default_rules.c"
objs=
for src in "$top"/conf/*.c "$top"/hooks/*.c "$top"/lib/*.c "$top"/init/*.c "$top"/init/linux/*.c "$out"/gen/*.c; do
	case $src in */init/main.c | */lib/proc_freebsd.c) continue ;; esac
	rel=${src#"$top"/}
	obj=$out/obj/$(printf '%s' "$rel" | tr / _).o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$0" -nt "$obj" ] || \
	   [ -n "$(find "$top/conf" "$top/hooks" "$top/init" -name '*.h' -newer "$obj" 2>/dev/null | head -n 1)" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS $SAN -c -o "$obj" "$src"
	fi
	objs="$objs $obj"
done
rm -f "$out/libwarder-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$out/libwarder-fuzz.a" $objs
for t in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2086
	$CC $CFLAGS $SAN -fsanitize=fuzzer -iquote "$top/tests/fuzz" -o "$out/bin/$name" "$t" "$out/libwarder-fuzz.a" $LIBS
	# shellcheck disable=SC2086
	$CC $CFLAGS $SAN -fsanitize=fuzzer -DFUZZ_NO_WORKAROUNDS -iquote "$top/tests/fuzz" -o "$out/bin-strict/$name" \
		"$t" "$out/libwarder-fuzz.a" $LIBS
done

# The sandbox tree: what an include, a guard or a .include may find. Owned by root, read-only once mounted.
root=$out/root
rm -rf "$root"
mkdir -p "$root/fuzz/etc" "$root/work" "$root/proc"
cp -r "$top/tests/unit/data/conf/." "$root/fuzz/"
cp -r "$top/conf/examples/freebsd-vnet-thin.d" "$root/fuzz/"
cp -r "$top/tests/unit/data/jailconf/003/etc/jail.conf.d" "$root/fuzz/etc/"
cp "$top/conf/devfs.rules" "$top/conf/examples/freebsd-vnet-samba.devfs.rules" \
	"$top/conf/examples/dev-nullfs-base.fstab" "$root/fuzz/"

# Dictionaries: the parameter table's names and the dialect's tokens.
{
	sed -nE 's/^[[:space:]]*\{"([a-z0-9_.-]+)",.*/"\1"/p' "$top/conf/params.c"
	for w in '[*]' '[' ']' '=' '+=' '$' '${' '}' '${name}' "'" '"' ';' 'include' 'if-exists' 'if-not-exists' \
		'if-dir' 'if-file' 'endif' 'jail2' 'namespace' 'hook-as-root' 'exec-pre-jail' 'mount:' 'umount:' \
		'inc.d/*.conf' 'fragment.inc' 'loop-a.conf' '/fuzz/' '$$' '\\'; do
		printf '"%s"\n' "$(printf '%s' "$w" | sed 's/\\/\\\\/g; s/"/\\"/g')"
	done
} | sort -u >"$out/conf.dict"
printf '"%s"\n' '[' ']' '=' 'add' 'path' 'type' 'disk' 'mem' 'tape' 'tty' 'hide' 'unhide' 'mode' 'user' \
	'group' 'include' '$devfsrules_jail' '#' "'" '*' '[devfsrules_x=10]' >"$out/devfs.dict"
printf '"%s"\n' 'bind' 'rbind' 'ro' 'rw' 'nosuid' 'nodev' 'noexec' 'tmpfs' 'nullfs' 'size=' 'mode=' \
	'\\040' 'noauto' 'rprivate' 'rslave' 'shared' 'atime' 'noatime' 'strictatime' '#' ',' >"$out/fstab.dict"
printf '"%s"\n' '{' '}' ';' '=' '+=' '$' '${' '"' "'" '*' '.include' '//' '/*' '*/' '#' 'path' 'exec.start' \
	'vnet' 'novnet' 'allow.nomount' 'jail.conf.d/*.conf' 'mount.fstab' 'host.hostname' ',' >"$out/jailconf.dict"
printf '"%s"\n' 'status' 'reload' 'stop' '\x0a' '\x0d\x0a' '\"' '\\' '\x00' >"$out/control.dict"
echo "fuzz: built $(ls "$out/bin" | tr '\n' ' ')"
