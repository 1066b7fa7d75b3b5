#!/bin/sh
# A real uWSGI Emperor (`uwsgi --emperor DIR --emperor-wrapper warder`) governs a warder jail: uWSGI runs
# `warder --ini NAME.ini` in DIR, warder speaks the vassal side of the protocol (spawned, ready, loyal), a
# touched file reloads the jail, a removed file stops it, stopping uWSGI stops it, and a uWSGI killed with
# SIGKILL still lets warder clean up (end-of-file, not PR_SET_PDEATHSIG); two [uwsgi] files are two jails named
# after their files; an edited init-only vassal runs its new command. Nothing is left behind.
. "$(dirname "$0")/lib.sh"
W=$WARDER
[ "$(id -u)" = 0 ] || { echo "# skipped: needs root"; echo "0 passed, 0 failed"; exit 0; }
U=$(command -v uwsgi-core || command -v uwsgi) || { echo "# skipped: uwsgi is not installed"; echo "0 passed, 0 failed"; exit 0; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export WARDER_RUNDIR=$T_TMP/run
R=$T_TMP/root
sh "$(dirname "$0")/../mkrootfs.sh" "$R" >/dev/null
D=$T_TMP/vassals
mkdir -p "$D"
N=ue$$
L=$T_TMP/uwsgi.log
before=$(host_mounts)
on_exit "pkill -KILL -f '$T_TMP/'"
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done; }
count() { ps -eo args= | grep -c "^sleep 1021\$"; }
leftovers() { ps -eo args= | grep -E "$T_TMP/|^sleep 1021\$" | grep -v -e grep -e "--emperor $D" | wc -l; } # uWSGI itself aside
ipid() { awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state" 2>/dev/null; }
cat >"$D/$N.ini" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc
host.hostname = $N
stop.timeout = 2
command = sleep 1021
CONF
start_uwsgi() { "$U" --emperor "$D" --emperor-wrapper "$W" >>"$L" 2>&1 & UP=$!; }

start_uwsgi
on_exit "kill -KILL $UP"
wait_for "grep -q 'vassal $N.ini is ready to accept requests' $L"
like "uWSGI spawned the vassal" "$(cat "$L")" "vassal $N.ini has been spawned"
like "uWSGI logs it ready" "$(cat "$L")" "vassal $N.ini is ready to accept requests"
wait_for "grep -q 'vassal $N.ini is now loyal' $L"
like "and loyal" "$(cat "$L")" "vassal $N.ini is now loyal"
is "the jail runs its command" "$(count)" 1
first=$(ipid)
ok "the jail has its own pid namespace" \
	sh -c "[ -n '$first' ] && [ \"\$(readlink /proc/$first/ns/pid)\" != \"\$(readlink /proc/self/ns/pid)\" ]"
is "the jail's hostname" "$($W attach "$N" -- hostname 2>/dev/null)" "$N"
vp=$(pgrep -o -f -x "$W --ini $N.ini")
is "the emperor's fd does not reach the jail's command" \
	"$(ls /proc/$(pgrep -x -f 'sleep 1021')/fd | tr '\n' ' ')" "0 1 2 "

# --- touch: reload (reload = jail: a new init, the same vassal process)
sleep 1 # uWSGI compares mtimes in whole seconds
touch "$D/$N.ini"
wait_for "[ \"\$(grep -c 'vassal $N.ini is ready to accept requests' $L)\" -ge 2 ]"
like "touching the file reloads the vassal" "$(cat "$L")" "reload the uwsgi instance $N.ini"
wait_for '[ -n "$(ipid)" ] && [ "$(ipid)" != "$first" ]'
ok "the jail was built again (a new init)" sh -c "[ -n \"$(ipid)\" ] && [ \"$(ipid)\" != '$first' ]"
is "by the same vassal process" "$(pgrep -o -f -x "$W --ini $N.ini")" "$vp"
is "one command after the reload" "$(count)" 1

# --- rm: stop
rm "$D/$N.ini"
wait_for "grep -q 'removed uwsgi instance $N.ini' $L"
wait_for '[ "$(leftovers)" = 0 ]'
like "removing the file stops the vassal" "$(cat "$L")" "stop the uwsgi instance $N.ini"
is "nothing left after the removal" "$(leftovers)" 0
is "no state file left" "$(ls -A "$WARDER_RUNDIR")" ""

# --- stopping uWSGI stops the jail
cat >"$D/$N.ini" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc
stop.timeout = 2
command = sleep 1021
CONF
wait_for "[ \"\$(grep -c 'vassal $N.ini is ready to accept requests' $L)\" -ge 3 ]"
is "a new file: the jail runs again" "$(count)" 1
kill -INT $UP; wait $UP
wait_for '[ "$(leftovers)" = 0 ]'
is "stopping uWSGI stops the jail: nothing left" "$(leftovers)" 0
is "no state file left" "$(ls -A "$WARDER_RUNDIR")" ""

# --- uWSGI killed: the vassal sees end-of-file and cleans up (its death signal was cleared)
start_uwsgi
wait_for "[ \"\$(grep -c 'vassal $N.ini is ready to accept requests' $L)\" -ge 4 ]"
is "under a new uWSGI the jail runs" "$(count)" 1
kill -KILL $UP; wait $UP 2>/dev/null
wait_for '[ "$(leftovers)" = 0 ]'
is "uWSGI killed: the jail is stopped" "$(leftovers)" 0
is "and its state file removed (a clean stop, not a kill)" "$(ls -A "$WARDER_RUNDIR")" ""

# --- two [uwsgi] files side by side are two jails, named after their files; an edited init-only vassal runs
# its new command (warder ends on the reload byte and uWSGI starts it again from the file)
D=$T_TMP/vassals2
mkdir -p "$D"
S=$$
for a in app1 app2; do
	printf '[uwsgi]\npath = %s\nunshare = mount,pid,uts,ipc\nstop.timeout = 2\ncommand = sleep %s\n' \
		"$R" "${S}${a#app}" >"$D/$a.ini"
done
printf '[uwsgi]\nstop.timeout = 2\ncommand = sleep %s3\n' "$S" >"$D/ed.ini"
: >"$L"
start_uwsgi
on_exit "kill -KILL $UP"
wait_for "grep -q 'vassal app1.ini is ready' $L && grep -q 'vassal app2.ini is ready' $L && grep -q 'vassal ed.ini is ready' $L"
sc() { ps -eo args= | grep -c "^sleep $1\$"; }
is "two [uwsgi] jails run side by side" "$(sc ${S}1) $(sc ${S}2)" "1 1"
is "named after their files in warder list" "$($W list | awk 'NR > 1 {print $1}' | sort | tr '\n' ' ')" "app1 app2 "
ok "uWSGI found no vassal misbehaving" sh -c "! grep -q -e 'unloyal' -e 'already running' '$L'"
sleep 1 # uWSGI compares mtimes in whole seconds
printf '[uwsgi]\nstop.timeout = 2\ncommand = sleep %s4\n' "$S" >"$D/ed.ini"
wait_for '[ "$(sc ${S}4)" = 1 ] && [ "$(sc ${S}3)" = 0 ]'
is "the edited init-only vassal runs its new command, the old one is gone" "$(sc ${S}3) $(sc ${S}4)" "0 1"
kill -INT $UP; wait $UP
wait_for '[ "$(leftovers)" = 0 ]'
is "stopping uWSGI: nothing left" "$(leftovers)" 0
is "... none of their commands" "$(sc ${S}1)$(sc ${S}2)$(sc ${S}3)$(sc ${S}4)" "0000"
is "no state file left" "$(ls -A "$WARDER_RUNDIR")" ""
is "the host's mounts are as before" "$(host_mounts)" "$before"
done_testing
