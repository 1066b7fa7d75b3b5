# Shared helpers for integration tests: TAP-style lines, a summary "N passed, N failed", cleanup on exit.
# Source it first; define cleanup steps with `on_exit CMD` (run in reverse order, even on failure).
set -u
: "${WARDER:?WARDER must name the binary}"
T_PASS=0 T_FAIL=0 T_N=0 T_EXIT=""
T_TMP=$(mktemp -d /tmp/warder-test.XXXXXX)
ok() { # ok DESC CMD... : passes when CMD succeeds
	d=$1; shift
	T_N=$((T_N + 1))
	if "$@"; then T_PASS=$((T_PASS + 1)); echo "ok $T_N - $d"
	else T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $d"; fi
}
is() { # is DESC GOT WANT
	T_N=$((T_N + 1))
	if [ "$2" = "$3" ]; then T_PASS=$((T_PASS + 1)); echo "ok $T_N - $1"
	else T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; printf '#   got: %s\n#  want: %s\n' "$2" "$3"; fi
}
like() { # like DESC GOT REGEX (grep -E)
	T_N=$((T_N + 1))
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then T_PASS=$((T_PASS + 1)); echo "ok $T_N - $1"
	else T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; printf '#   got: %s\n#  want /%s/\n' "$2" "$3"; fi
}
on_exit() { T_EXIT="$*
$T_EXIT"; }
t_cleanup() {
	printf '%s\n' "$T_EXIT" | while IFS= read -r c; do [ -n "$c" ] && eval "$c" >/dev/null 2>&1; done
	rm -rf "$T_TMP"
}
done_testing() {
	t_cleanup; trap - EXIT
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}
trap 't_cleanup' EXIT
# Host state snapshots, for "nothing left behind".
host_mounts() { awk '{print $5, $9, $10}' /proc/self/mountinfo | sort; }
host_links() { ip -o link show | awk -F': ' '{print $2}' | sort; }
zombies() { ps -eo stat= | grep -c '^Z' || true; }
# jail_suite: the start of a suite that runs jails: root only (else skipped), the sanitizer setting, a private
# run directory for state files and control sockets, a busybox rootfs in $R; W is the binary under test.
jail_suite() {
	W=$WARDER
	[ "$(id -u)" = 0 ] || { echo "# skipped: needs root"; echo "0 passed, 0 failed"; exit 0; }
	# LeakSanitizer's exit scan hangs in a pid namespace's PID 1 (init/sanitize.c turns it off there too).
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export WARDER_RUNDIR=$T_TMP/run
	R=$T_TMP/root
	sh "$(dirname "$0")/../mkrootfs.sh" "$R" >/dev/null
}
# leftovers: how many processes still name this suite's scratch directory
leftovers() { ps -eo args= | grep -F "$T_TMP/" | grep -v grep | wc -l; }
