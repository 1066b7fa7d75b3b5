#!/bin/sh
# FreeBSD build checks, on Linux, against the FreeBSD 14 sysroot (headers and the libraries' symbol lists):
# every file of the FreeBSD build is compiled with the sysroot's cc-check (one test per file), then the whole
# build is linked with its cc-link (an undefined symbol fails), and nothing may need a symbol newer than
# FreeBSD 14.0, the release warder requires. The sources, flags and libraries are the Makefile's FreeBSD
# branch (`make OS=FreeBSD freebsd-vars`), the very build gmake and the port run on FreeBSD, warnings as
# errors. Warder's own directories are -iquote there, not -I, so that <jail.h> is libjail's, not init/jail.h.
#
# The sysroot is WARDER_FREEBSD_SYSROOT, by default ../shared/freebsd-sysroot beside the checkout. A clone
# without it skips this suite (one line saying so); with CI=true it is required.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
sysroot=${WARDER_FREEBSD_SYSROOT:-$here/../shared/freebsd-sysroot}
if [ ! -f "$sysroot/cc-check" ] || [ ! -f "$sysroot/cc-link" ]; then
	why="no FreeBSD sysroot (cc-check, cc-link) at $sysroot: it is freebsd-sysroot/ of the project's shared tree (../shared beside the checkout); set WARDER_FREEBSD_SYSROOT to its directory"
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - $why (required with CI=true)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "1..0 # SKIP FreeBSD compile and link checks: $why"
	echo "0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }

# The Makefile's FreeBSD build, evaluated here: its own defaults, not this caller's (make check's MAKEFLAGS
# carry asan's CFLAGS, say). LOCALBASE points into the scratch directory: the Linux host's /usr/local must
# not stand in for FreeBSD's (ev.h and ini.h come from the sysroot's tools).
if ! vars=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u CPPFLAGS -u LDFLAGS -u LDLIBS \
	"${MAKE:-make}" -s --no-print-directory OS=FreeBSD B="$tmp/build" LOCALBASE="$tmp/localbase" freebsd-vars); then
	notok "make OS=FreeBSD freebsd-vars"
	echo "$pass passed, $fail failed"
	exit 1
fi
var() { printf '%s\n' "$vars" | sed -n "s/^$1=//p"; }
src=$(var SRC) cppflags=$(var CPPFLAGS) cflags=$(var CFLAGS) ldflags=$(var LDFLAGS) libs=$(var LIBS)
case $src in *init/freebsd/*) ;; *) notok "the FreeBSD build names no init/freebsd sources: $src" ;; esac

out=$tmp/out
for f in $src; do
	eval "set -- $cppflags $cflags -Werror"
	# cc-check makes a temporary directory and then execs clang, which drops its removal: TMPDIR puts it
	# in this suite's scratch directory, removed on exit.
	if TMPDIR=$tmp sh "$sysroot/cc-check" "$@" "$f" >"$out" 2>&1 && ! grep -q 'warning:' "$out"; then
		ok "$f compiles for FreeBSD"
	else
		notok "$f compiles for FreeBSD"
		grep -E 'error|warning' "$out" | head -5 | sed 's/^/#   /'
	fi
done

# The link checker itself: a good link gives a FreeBSD executable, a Linux-only call is caught.
if sh "$sysroot/cc-link" --selftest >"$out" 2>&1; then
	ok "cc-link --selftest"
else
	notok "cc-link --selftest"; sed 's/^/#   /' "$out"
fi

eval "set -- $cppflags $cflags $ldflags $src $libs"
if sh "$sysroot/cc-link" -o "$tmp/warder" "$@" >"$out" 2>&1; then
	ok "the FreeBSD build links: $(grep 'linked' "$out" | sed 's/^cc-link: //')"
	if grep -q 'FBSD_1\.[89]' "$out"; then
		notok "the FreeBSD build needs only FreeBSD 14.0's symbols"; sed 's/^/#   /' "$out"
	else
		ok "the FreeBSD build needs only FreeBSD 14.0's symbols"
	fi
else
	notok "the FreeBSD build links (cc-link $cppflags $cflags $ldflags SRC $libs)"; sed 's/^/#   /' "$out"
fi

# The port states the release this check proves.
if grep -q 'OSVERSION} < 1400000' packaging/freebsd/Makefile && grep -q 'FreeBSD 14.0 or later' packaging/freebsd/pkg-descr &&
	grep -q 'FreeBSD 14.0 or later' README.md; then
	ok "the port, pkg-descr and README require FreeBSD 14.0"
else
	notok "the port, pkg-descr and README require FreeBSD 14.0"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
