#!/bin/sh
# The layers of README.md's "Architecture" hold: a source or header includes headers of its own layer and
# those below it, never one above, so that no circle can form across layers and the runtime can be read
# from the bottom up. Every file of lib/, conf/, hooks/ and init/ has a layer: the first line whose pattern
# matches it. A new file goes on the line of its layer.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 1
set -f # the patterns below are for case, not for the shell's globbing

layers='
1 ground   lib/*
2 conf     conf/*
3 hooks    hooks/*
4 process  init/peer.* init/unixsock.* init/proc.h init/nsock.h init/sigsrc.h init/supervise.* init/sup_* init/rlimit.* init/sockets.*
5 base     init/kmsg.* init/state.* init/jail_limits.* init/setns.* init/control.* init/notify.* init/sdnotify.* init/runstate.*
6 platform init/jail.h init/linux/* init/freebsd/*
7 runtime  init/stack.* init/jail_init.* init/keeper.* init/keeper_* init/attach.* init/vassal.* init/emperor* init/sanitize.*
8 commands init/cmd.h init/cmd_*.c init/entry.c
9 main     init/main.c
'

layer_of() { # FILE: prints "N NAME", or nothing when no line matches
	while read -r n name pats; do
		[ -n "$n" ] || continue
		for p in $pats; do
			case $1 in $p) echo "$n $name"; return ;; esac
		done
	done <<EOF
$layers
EOF
}

# Where the compiler finds a quoted include: beside the file, then -iquote init conf hooks lib (the Makefile).
resolve() { # FILE HEADER
	for d in "$(dirname "$1")" init conf hooks lib; do
		[ -f "$d/$2" ] && { echo "$d/$2"; return; }
	done
}

set +f
files=$(ls lib/*.[ch] init/*.[ch] init/linux/*.[ch] init/freebsd/*.[ch] conf/*.[ch] hooks/*.[ch] 2>/dev/null)
set -f
unplaced= checked=0
for f in $files; do
	mine=$(layer_of "$f")
	[ -n "$mine" ] || { unplaced="$unplaced $f"; continue; }
	up=
	for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		hp=$(resolve "$f" "$h")
		[ -n "$hp" ] || continue
		theirs=$(layer_of "$hp")
		[ -n "$theirs" ] || continue # reported as unplaced on its own
		[ "${theirs%% *}" -le "${mine%% *}" ] || up="$up $hp (${theirs#* })"
	done
	is "$f (${mine#* }) includes nothing from a layer above" "$up" ""
	checked=$((checked + 1))
done
is "every file of lib/, conf/, hooks/ and init/ has a layer" "$unplaced" ""
is "the table places the tree (files checked)" "$([ "$checked" -gt 100 ] && echo many)" "many"

# The check itself fails on an upward include: keeper.h, included from the base layer, is found above it.
base=$(layer_of init/state.c) keeper=$(layer_of "$(resolve init/state.c keeper.h)")
is "keeper.h is a layer above init/state.c" "$([ "${keeper%% *}" -gt "${base%% *}" ] && echo above)" "above"
# Inside the runtime, the emperor's parts share init/emperor.h, so the includes above cannot see their order:
# their objects' undefined symbols can. A part calls only parts before it in this list (init/emperor.h).
parts="state vassal dir ctl run"
obj=$(dirname "${WARDER:-build/warder}")/obj/init
if [ -f "$obj/emperor_run.o" ] && command -v nm >/dev/null; then
	up=
	below=
	for p in $parts; do
		for q in $parts; do
			case " $below $p " in *" $q "*) continue ;; esac
			for s in $(nm -u "$obj/emperor_$p.o" | awk '{ print $2 }'); do
				nm -g --defined-only "$obj/emperor_$q.o" | awk '{ print $3 }' | grep -qx "$s" && up="$up $p->$q:$s"
			done
		done
		below="$below $p"
	done
	is "the emperor's parts call down only ($parts)" "$up" ""
else
	echo "# no emperor objects beside \$WARDER: the emperor's call order is not checked"
fi
# The directories are the lower layers: an object of lib/ calls nothing defined in conf/, hooks/ or init/;
# one of conf/ nothing in hooks/ or init/; one of hooks/ nothing in init/ (an extern declaration would hide
# such a call from the include check above).
objtop=$(dirname "${WARDER:-build/warder}")/obj
if [ -d "$objtop/lib" ] && command -v nm >/dev/null; then
	# objects of sources that are still there: a build directory keeps those of files moved or removed
	objs() { find "$@" -name '*.o' 2>/dev/null | while read -r o; do
		src=${o#"$objtop"/}
		[ -f "${src%.o}.c" ] && echo "$o"
	done; }
	defs() { objs "$@" | xargs -r nm -g --defined-only | awk 'NF == 3 { print $3 }' | sort -u; }
	undefs() { objs "$objtop/$1" -maxdepth 1 | xargs -r nm -u | awk 'NF == 2 { print $2 }' | sort -u; }
	set +f # the objects' names are globbed here
	set -- lib conf hooks init
	while [ $# -gt 1 ]; do
		low=$1
		shift
		above=
		for d in "$@"; do above="$above $objtop/$d"; done
		calls=$(defs $above | comm -12 - "$(undefs "$low" >"$objtop/.undef" && echo "$objtop/.undef")" | tr '\n' ' ')
		is "$low/ calls nothing defined above it ($*)" "$calls" ""
	done
	rm -f "$objtop/.undef"
	# and it sees calls: init/ calls lib/'s log functions
	seen=$(undefs init | grep -cx 'log_warn')
	is "the check sees a call from init/ into lib/ (log_warn)" "$seen" "1"
	set -f
else
	echo "# no objects beside \$WARDER: the directories' calls are not checked"
fi
done_testing
