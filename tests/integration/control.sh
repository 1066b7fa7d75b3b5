#!/bin/sh
# The control socket and `warder ctl` on a real jail: status as JSON, reload and stop through ctl, the socket
# made 0600 and removed on every exit path, another uid refused (exit 77), nothing listening (exit 69), usage
# (exit 64), the `control` parameter and the path recorded in the state file.
. "$(dirname "$0")/lib.sh"
jail_suite
N=ct$$
S=$WARDER_RUNDIR/$N.ctl
wait_for() { i=0; until "$@"; do i=$((i + 1)); [ $i -ge 200 ] && return 1; sleep 0.05; done; }
# field JSON KEY: one field of a JSON object, through python3's parser
field() { printf '%s' "$1" | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(",".join(map(str,v)) if isinstance(v,list) else v)' "$2"; }
cat >"$T_TMP/j.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc
mount.procfs = true
stop.timeout = 2
reload = stack
command = exec sleep 100
CONF
on_exit "kill -KILL \$(awk '\$1==\"keeper\"{print \$2}' $WARDER_RUNDIR/$N.state) 2>/dev/null"

$W run -c "$T_TMP/j.conf" 2>"$T_TMP/err" & kp=$!
wait_for test -S "$S" -a -s "$WARDER_RUNDIR/$N.state"
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
sleep 1.1
st=$($W ctl $N status); rc=$?
is "ctl status exits 0" $rc 0
ok "the answer is one JSON object on one line" sh -c "[ \$(printf '%s\n' '$st' | wc -l) = 1 ] && printf '%s' '$st' | python3 -c 'import json,sys; json.load(sys.stdin)'"
is "status: name" "$(field "$st" name)" "$N"
is "status: state" "$(field "$st" state)" running
is "status: pid is the init's" "$(field "$st" pid)" "$ipid"
c1=$(field "$st" pids)
is "status: pids is the command's (a child of the init, sleep)" "$(cat /proc/$c1/comm) $(awk '{print $4}' /proc/$c1/stat)" "sleep $ipid"
ok "status: uptime counts seconds" test "$(field "$st" uptime)" -ge 1
is "status: restarts" "$(field "$st" restarts)" 0
is "status: last exit (none yet)" "$(field "$st" last_exit)" None
is "status: jid is the init's pid on Linux" "$(field "$st" jid)" "$ipid"
is "status: namespaces" "$(field "$st" namespaces)" "mount,pid,uts,ipc"
is "status: config" "$(field "$st" config)" "$T_TMP/j.conf"
is "the socket is 0600" "$(stat -c %a "$S")" 600
is "the state file records it" "$(awk '$1=="control"{print $2}' "$WARDER_RUNDIR/$N.state")" "$S"
is "ctl by path" "$(field "$($W ctl "$S" status)" name)" "$N"

# --- reload through ctl (reload = stack): the command's pid changes
is "ctl reload answers ok" "$($W ctl $N reload)" '{"ok":true}'
wait_for sh -c "grep -q 'the stack runs again' '$T_TMP/err'"
c2=$(field "$($W ctl $N status)" pids)
ok "after ctl reload the command is new ($c1 -> $c2)" test -n "$c2" -a "$c1" != "$c2"

# --- another uid: refused by the socket's mode, and by the server's check when the mode lets it through
nob() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
chmod 755 "$T_TMP" "$WARDER_RUNDIR"
nob "$W" ctl "$S" status >/dev/null 2>"$T_TMP/nerr"; rc=$?
is "nobody is refused (0600 socket): exit 77" $rc 77
like "and told so" "$(cat "$T_TMP/nerr")" "refused"
chmod 666 "$S"
out=$(nob "$W" ctl "$S" stop 2>/dev/null); rc=$?
is "nobody through an opened mode: refused by the server, exit 77" $rc 77
is "the refusal is the answer" "$out" '{"error":"refused"}'
like "the keeper logs it" "$(cat "$T_TMP/err")" "control: refused a client with uid 65534"
ok "and the jail still runs" kill -0 "$ipid"
chmod 700 "$T_TMP"

# --- stop through ctl: the keeper ends, the socket and state file are gone
is "ctl stop answers ok" "$($W ctl $N stop)" '{"ok":true}'
wait $kp; is "the jail stopped (the command's TERM status)" $? 143
ok "the socket file is gone" test ! -e "$S"
is "no state file, no process left" "$(ls "$WARDER_RUNDIR") $(leftovers)" " 0"
$W ctl $N status 2>"$T_TMP/nerr"; is "ctl on a name that is not running: 69" $? 69
like "and says so" "$(cat "$T_TMP/nerr")" "not running"
$W ctl 2>/dev/null; is "ctl without arguments: 64" $? 64
$W ctl $N restart 2>/dev/null; is "ctl with an unknown request: 64" $? 64

# --- the control parameter; the socket is removed when the build fails half-way
cat >"$T_TMP/k.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc
control = $T_TMP/my.ctl
exec.prestart = true
exec.created = false
command = exec sleep 100
CONF
$W run -q -c "$T_TMP/k.conf" 2>/dev/null; rc=$?
is "a failing exec.created fails the build (70)" $rc 70
ok "the control socket is gone after the unwind" test ! -e "$T_TMP/my.ctl"
sed -i '/exec.created/d' "$T_TMP/k.conf"
$W run -q -c "$T_TMP/k.conf" & kp=$!
wait_for test -S "$T_TMP/my.ctl" -a -s "$WARDER_RUNDIR/$N.state"
is "control = PATH is used, and ctl NAME finds it through the state file" "$(field "$($W ctl $N status)" name)" "$N"
sed "s/^\[$N\]/[${N}b]/" "$T_TMP/k.conf" >"$T_TMP/k2.conf"
$W run -q -c "$T_TMP/k2.conf" 2>"$T_TMP/nerr"; rc=$?
is "a second jail on a live control socket is refused (71)" $rc 71
like "and says why" "$(cat "$T_TMP/nerr")" "my.ctl: another keeper listens on it"
is "the first jail still answers" "$(field "$($W ctl "$T_TMP/my.ctl" status)" name)" "$N"
kill -INT $kp; wait $kp
ok "the socket is gone after SIGINT" test ! -e "$T_TMP/my.ctl"
echo "not a socket" >"$T_TMP/my.ctl"
$W run -q -c "$T_TMP/k.conf" 2>"$T_TMP/nerr"; rc=$?
is "a file in the way is not replaced (71)" "$rc $(cat "$T_TMP/my.ctl")" "71 not a socket"
like "and named" "$(cat "$T_TMP/nerr")" "my.ctl exists and is not a socket"
rm -f "$T_TMP/my.ctl"

# --- a state file that cannot be written: list, attach and ctl could not find the jail, so it is not left running
mkdir -p "$WARDER_RUNDIR/$N.state/x"
$W run -q -c "$T_TMP/k.conf" 2>"$T_TMP/nerr"; rc=$?
is "a failed state write unwinds the jail (71)" $rc 71
like "and says which file" "$(cat "$T_TMP/nerr")" "state: write .*$N.state"
ok "no control socket is left" test ! -e "$T_TMP/my.ctl"
rm -rf "$WARDER_RUNDIR/$N.state"
done_testing
