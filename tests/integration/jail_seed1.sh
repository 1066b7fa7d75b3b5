#!/bin/sh
# Seed scenario 1 as written (conf/examples/uwsgi-namespace.conf; only /distros/precise and /ns are moved
# under the test's directory): unshare fs, hook-post-jail bind, pivot_root with an old root, hook-as-root
# mounts of /proc (hidepid=2) and the old /dev, then the old root detached. No command: it runs until stopped.
. "$(dirname "$0")/lib.sh"
W=$WARDER
[ "$(id -u)" = 0 ] || { echo "# skipped: needs root"; echo "0 passed, 0 failed"; exit 0; }
# LeakSanitizer's exit-time scan hangs in a process that is PID 1 of a pid namespace or has just setns()ed
# into one; ASan and UBSan still check everything.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export WARDER_RUNDIR=$T_TMP/run
ex=$(dirname "$0")/../../conf/examples/uwsgi-namespace.conf
R=$T_TMP/precise
sh "$(dirname "$0")/../mkrootfs.sh" "$R" >/dev/null
mkdir -p "$T_TMP/ns" "$R/.old_root"
# Its [uwsgi] section takes the file's base name: the jail is "seed".
sed -e "s|/distros/precise|$R|g" -e "s|/ns|$T_TMP/ns|g" "$ex" >"$T_TMP/seed.conf"
leftovers() { ps -eo args= | grep -F "$T_TMP/" | grep -v grep | wc -l; }
before=$(host_mounts)
$W run -q -c "$T_TMP/seed.conf" 2>"$T_TMP/err" & kp=$!
i=0; while [ ! -f "$WARDER_RUNDIR/seed.state" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
ok "the seed config starts" test -f "$WARDER_RUNDIR/seed.state"
is "nothing it mounts shows on the host" "$(host_mounts)" "$before"
like "inside, / is the bound rootfs" "$($W attach seed -- cat /etc/motd)" '^warder test rootfs$'
mi=$($W attach seed -- cat /proc/self/mountinfo)
like "/proc is mounted with hidepid=2" "$mi" ' /proc .* proc .*hidepid=(2|invisible)'
like "the old /dev is bound on /dev" "$mi" ' /dev '
like "the old /dev/pts is bound on /dev/pts" "$mi" ' /dev/pts '
ok "the old root is detached" sh -c "! printf '%s\n' \"\$1\" | grep -q old_root" - "$mi"
kill -TERM $kp; wait $kp; rc=$?
is "SIGTERM stops it with 0 (no command to report)" $rc 0
is "the host's mounts are as before" "$(host_mounts)" "$before"
is "no process left" "$(leftovers)" 0
done_testing
