#!/bin/sh
# Long runs: N jail start/stop cycles and M orphans reaped under one warder; the keeper's fd count and RSS
# (measured from a host hook, per cycle) and the entrypoint's before/after the orphans must stay flat, and
# nothing may be left on the host. Then leak checkers: valgrind --leak-check=full on entrypoint runs, and the
# ASan build (LeakSanitizer; valgrind does not implement clone3, which the keeper needs) on jail cycles.
#   defaults fit CI: 50 cycles, 20,000 orphans.  LONGRUN=1: 10,000 cycles and 1,000,000 orphans.
#   CYCLES=N ORPHANS=M override either.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${LONGRUN:-0}" = 1 ]; then cycles=${CYCLES:-10000} orphans=${ORPHANS:-1000000}
else cycles=${CYCLES:-50} orphans=${ORPHANS:-20000}; fi

if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --fork true 2>/dev/null; then
	echo "# skipped: needs root and namespaces"
	done_testing
	exit
fi
sh "$top/tests/mkrootfs.sh" "$T_TMP/root" >/dev/null || exit 1
name=wl$$
cg() { find /sys/fs/cgroup -maxdepth 3 -type d -name "warder-$name*" 2>/dev/null; }
mine() { grep -F "$T_TMP" /proc/self/mountinfo | awk '{print $5}' | sort; }
on_exit 'for p in $(pgrep -f "$T_TMP"); do kill -9 $p; done; sleep 0.2; for d in $(cg | sort -r); do rmdir $d; done'
mounts0=$(mine) links0=$(host_links)

# exec.poststart records the keeper's fds and RSS while the jail runs: the keeper is the parent of the init,
# whose pid a host hook gets as WARDER_JID.
cat >"$T_TMP/probe.sh" <<'EOF2'
k=$(awk '{print $4}' /proc/$WARDER_JID/stat)
echo $(ls /proc/$k/fd | wc -l) $(awk '/^VmRSS/ {print $2}' /proc/$k/status)
EOF2
cat >"$T_TMP/j.conf" <<EOF2
[$name]
path = $T_TMP/root
unshare = mount,pid,uts,ipc,net
mount.procfs = true
mount.devfs = true
cgroup.pids.max = 64
stop.timeout = 2
exec.prestart = true
exec.poststart = sh $T_TMP/probe.sh >>$T_TMP/keeper
exec.poststop = true
command = /bin/sh -c 'sleep 0.05'
EOF2
i=0 bad=0
start=$(date +%s)
while [ $i -lt "$cycles" ]; do
	timeout -k 3 60 "$WARDER" run -q -c "$T_TMP/j.conf" </dev/null >/dev/null 2>>"$T_TMP/err" || bad=$((bad + 1))
	i=$((i + 1))
done
is "$cycles jail start/stop cycles all exit 0 ($(($(date +%s) - start))s)" "$bad" 0
[ "$bad" = 0 ] || tail -n 5 "$T_TMP/err" | sed 's/^/# /'
first=$(head -n 1 "$T_TMP/keeper") last=$(tail -n 1 "$T_TMP/keeper")
case "$first $last" in *[0-9]\ [0-9]*\ [0-9]*\ [0-9]*) ;; *) first="0 0" last="-1 99999" ;; esac
echo "# keeper fds and RSS (KiB): first cycle $first, last cycle $last"
is "the keeper's fd count is the same in the first and the last cycle" "${last%% *}" "${first%% *}"
ok "the keeper's RSS is flat (within 1 MiB)" [ $((${last#* } - ${first#* })) -lt 1024 ]
is "every cycle's hook saw the keeper" "$(wc -l <"$T_TMP/keeper")" "$cycles"
is "no cgroup left after the cycles" "$(cg)" ""
is "no mount left after the cycles" "$(mine)" "$mounts0"
is "no interface left after the cycles" "$(host_links)" "$links0"
is "no process left after the cycles" "$(pgrep -f "$T_TMP" | wc -l)" 0

# --- orphans under one entrypoint warder ----------------------------------------------------------------------
# initbench's generator makes each orphan with clone(CLONE_VM): fork's page-table copy would make a million
# orphans a matter of hours and measure fork, not warder.
cc -O2 -o "$T_TMP/orphans" "$top/tests/tools/orphans.c" || exit 1
cc -O2 -o "$T_TMP/initbench" "$top/tests/bench/initbench.c" || exit 1
"$WARDER" -- sh -c "while [ ! -e $T_TMP/go ]; do sleep 0.05; done; $T_TMP/initbench orphans $orphans; touch $T_TMP/done; while [ ! -e $T_TMP/end ]; do sleep 0.05; done" &
wpid=$!
sample() { echo "$(ls /proc/$wpid/fd | wc -l) $(awk '/^VmRSS/ {print $2}' /proc/$wpid/status)"; }
sleep 0.3
before=$(sample)
start=$(date +%s)
touch "$T_TMP/go"
while [ ! -e "$T_TMP/done" ] && kill -0 $wpid 2>/dev/null; do sleep 0.2; done
sleep 0.5
after=$(sample)
zomb=$(ps -eo ppid=,stat= | awk -v p=$wpid '$1 == p && $2 ~ /^Z/' | wc -l)
touch "$T_TMP/end"
wait $wpid
rc=$?
echo "# entrypoint fds and RSS (KiB) around $orphans orphans ($(($(date +%s) - start))s): before $before, after $after"
is "the entrypoint exits 0 after $orphans orphans" "$rc" 0
is "no zombie left under it" "$zomb" 0
is "its fd count is flat" "${after%% *}" "${before%% *}"
ok "its RSS is flat (within 1 MiB)" [ $((${after#* } - ${before#* })) -lt 1024 ]

# --- leak checkers --------------------------------------------------------------------------------------------
# valgrind cannot run a sanitizer build: under `make asan` the ASan part below covers leaks.
# valgrind replaces malloc only in a dynamic binary: WARDER_DYN is the static-pie build's objects linked so.
VG=${WARDER_DYN:-$WARDER}
if command -v valgrind >/dev/null && ! grep -q __asan_init "$VG"; then
	for cmd in "true" "sh -c 'exit 3'" "sh -c 'sleep 0.1 & sleep 0.1 & exit 0'" "$T_TMP/orphans 100 0"; do
		eval "valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
			\"$VG\" -- $cmd" >/dev/null 2>"$T_TMP/vg"
		rc=$?
		clean() { [ "$rc" != 99 ] && ! grep -q '==[0-9]*==' "$T_TMP/vg"; }
		ok "valgrind: entrypoint running '$cmd' shows no leak or error (exit $rc)" clean
		grep -q '==[0-9]*==' "$T_TMP/vg" && sed 's/^/# /' "$T_TMP/vg" | head -n 20
	done
fi
asan=$top/build/asan/warder
if [ -x "$asan" ] || make -C "$top" -s B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	LDFLAGS="-fsanitize=address,undefined" build/asan/warder >/dev/null 2>&1; then
	i=0 bad=0
	while [ $i -lt 5 ]; do
		ASAN_OPTIONS=detect_leaks=1 timeout -k 3 60 "$asan" run -q -c "$T_TMP/j.conf" </dev/null >/dev/null 2>"$T_TMP/asan"
		rc=$?
		{ [ "$rc" = 0 ] && ! grep -q 'Sanitizer' "$T_TMP/asan"; } || { bad=$((bad + 1)); head -n 20 "$T_TMP/asan" | sed 's/^/# /'; }
		i=$((i + 1))
	done
	is "ASan/LeakSanitizer: 5 jail cycles, no leak or error" "$bad" 0
else
	ok "the ASan build for the leak check" false
fi
is "no cgroup left at the end" "$(cg)" ""
is "no mount left at the end" "$(mine)" "$mounts0"
done_testing
