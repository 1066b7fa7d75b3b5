#!/bin/sh
# Hook chains really run: order recorded by the hooks, unwinding after a failure at each create chain,
# exec.timeout on a whole process group, exec.consolelog, exec.clean, users, fds, messages.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
lib=$(dirname "$WARDER")/libwarder.a
san=""
case $WARDER in */asan/*) san="-fsanitize=address,undefined -fno-omit-frame-pointer" ;; esac
D=$T_TMP/chain_driver
# shellcheck disable=SC2046,SC2086
cc -std=gnu11 -D_GNU_SOURCE $san -I"$top/init" -I"$top/conf" -I"$top/hooks" -I"$top/lib" -o "$D" "$here/chain_driver.c" \
	"$lib" $(pkg-config --libs inih 2>/dev/null || echo -linih) -lev
ok "the test driver builds" test -x "$D"
REC=$T_TMP/record

# conf NAME BODY: a config with one jail NAME whose hooks can use $REC.
conf() { printf '[%s]\n%s\n' "$1" "$2" >"$T_TMP/$1.conf"; echo "$T_TMP/$1.conf"; }
record() { tr '\n' ' ' <"$REC" | sed 's/ $//'; }
gone() { [ ! -e "/proc/$1" ] || grep -q ') Z' "/proc/$1/stat" 2>/dev/null; } # a zombie counts as gone

# --- order: every chain, recorded by the hooks themselves
all=""
for s in prepare prestart created jailed start poststart prestop stop poststop release; do
	all="$all
exec.$s = 'echo \$WARDER_PHASE >>$REC'"
done
: >"$REC"
"$D" "$(conf order "$all")" order lifecycle 2>/dev/null
is "lifecycle exit status" $? 0
is "hooks ran in jail(8)'s order" "$(record)" \
	"prepare prestart created jailed start poststart prestop stop poststop release"

# --- a failure in each create chain: the chain stops, the done steps' partners run, in remove order
expect_prepare="prepare"
expect_prestart="prepare prestart release"
expect_created="prepare prestart created poststop release"
expect_jailed="prepare prestart created jailed poststop release"
expect_start="prepare prestart created jailed start poststop release"
expect_poststart="prepare prestart created jailed start poststart stop poststop release"
for f in prepare prestart created jailed start poststart; do
	body=$(printf '%s\n' "$all" | sed "s|^exec.$f = '\(.*\)'\$|exec.$f = '\1'\nexec.$f += false\nexec.$f += 'echo never >>$REC'|")
	: >"$REC"
	err=$("$D" "$(conf "fail$f" "$body")" "fail$f" lifecycle 2>&1 >/dev/null)
	is "failing $f: status 70" $? 70
	eval want=\$expect_$f
	is "failing $f: unwinding runs the right partners" "$(record)" "$want"
	like "failing $f: one line names the step, command and status" "$err" \
		"^warder\[fail$f\]: $f: false: exit status 1\$"
done

# --- how a failure is told
out=$("$D" "$(conf sig "exec.prestart = 'kill -9 \$\$'")" sig prestart 2>&1)
like "a hook killed by a signal is named" "$out" "prestart: kill -9 \\\$\\\$: killed by signal 9 \(KILL\)"
out=$("$D" "$(conf nouser "exec.system_user = no-such-user-x
exec.prestart = true")" nouser prestart 2>&1)
like "an unknown user fails the command" "$out" "prestart: true: cannot start: user no-such-user-x: not in the host's (/etc/)?passwd"
out=$("$D" "$(conf okline "exec.prestart = true")" okline prestart 2>&1)
like "progress line" "$out" "^warder\[okline\]: prestart: true ok [0-9]+ms\$"

# --- exec.timeout kills the hook's whole process group, even children that ignore SIGTERM
start=$(date +%s)
out=$("$D" "$(conf hang "exec.timeout = 1
exec.prestart = 'sleep 100 & echo \$! >$T_TMP/kid; (trap \"\" TERM; exec sleep 101) & echo \$! >$T_TMP/stubborn; sleep 102'")" hang prestart 2>&1)
rc=$?
is "timeout: status 70" $rc 70
like "timeout: the message says so" "$out" "prestart: .*: timed out after 1s \(exec.timeout\), process group killed"
took=$(($(date +%s) - start))
ok "timeout: returns within the grace period ($took s)" test "$took" -le 5
sleep 0.2
ok "timeout: the hook's child is gone" gone "$(cat "$T_TMP/kid")"
ok "timeout: the child ignoring TERM is gone" gone "$(cat "$T_TMP/stubborn")"
# none of the hook's sleeps still runs (a zombie counts as gone, as above; a loaded machine may take a moment)
live_sleeps() { ps -eo stat=,args= | awk '$1 !~ /^Z/ && $2 == "sleep" && $3 ~ /^10[012]$/' | grep -c .; }
i=0
while [ "$(live_sleeps)" != 0 ] && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
is "timeout: no sleep 10x left" "$(live_sleeps)" 0

# --- exec.consolelog: stdout and stderr appended, file created 0600
log=$T_TMP/console.log
cf=$(conf clog "exec.consolelog = $log
exec.prestart = 'echo to-out; echo to-err >&2'")
out=$("$D" "$cf" clog prestart 2>/dev/null)
"$D" "$cf" clog prestart 2>/dev/null >/dev/null
is "consolelog: the output is not on warder's stdout" "$out" ""
is "consolelog: both streams, appended" "$(tr '\n' ' ' <"$log")" "to-out to-err to-out to-err "
is "consolelog: mode 0600" "$(stat -c %a "$log")" 600
out=$(DRIVER_VERBOSE=1 "$D" "$cf" clog prestart 2>/dev/null)
is "consolelog + verbose: the output is shown too" "$(printf '%s' "$out" | tr '\n' ' ')" "to-out to-err"

# --- exec.clean: exactly the clean set
cf=$(conf clean "exec.clean = true
path = /srv/jails/clean
exec.prestart = 'env >$T_TMP/env'")
env -i TERM=xterm-test FOO=bar PATH=/usr/bin:/bin HOME=/nowhere "$D" "$cf" clean prestart 2>/dev/null
home=$(getent passwd "$(id -un)" | cut -d: -f6)
shell=$(getent passwd "$(id -un)" | cut -d: -f7)
want="HOME=$home
PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin
PWD=$home
SHELL=$shell
TERM=xterm-test
USER=$(id -un)
WARDER_JID=4242
WARDER_NAME=clean
WARDER_PATH=/srv/jails/clean
WARDER_PHASE=prestart"
is "exec.clean: the environment is exactly the clean set" "$(sort "$T_TMP/env")" "$want"
cf=$(conf dirty "exec.prestart = 'env >$T_TMP/env'")
FOO=bar "$D" "$cf" dirty prestart 2>/dev/null
like "without exec.clean the environment is inherited" "$(cat "$T_TMP/env")" "^FOO=bar\$"
like "without exec.clean WARDER_PHASE is set" "$(cat "$T_TMP/env")" "^WARDER_PHASE=prestart\$"

# --- users: exec.system_user on the host side, exec.jail_user inside
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	cf=$(conf users "exec.system_user = nobody
exec.jail_user = daemon
exec.prestart = 'id -un >$T_TMP/u1'
exec.start = 'id -un >$T_TMP/u2; id -G >$T_TMP/g2'")
	: >"$T_TMP/u1"; : >"$T_TMP/u2"; chmod 666 "$T_TMP/u1" "$T_TMP/u2"; touch "$T_TMP/g2"; chmod 666 "$T_TMP/g2"
	chmod 755 "$T_TMP"
	"$D" "$cf" users prestart 2>/dev/null && "$D" "$cf" users start 2>/dev/null
	is "exec.system_user runs host hooks as that user" "$(cat "$T_TMP/u1")" nobody
	is "exec.jail_user runs jail hooks as that user" "$(cat "$T_TMP/u2")" daemon
	is "the user's groups, not root's" "$(cat "$T_TMP/g2")" "$(id -G daemon)"
fi

# --- only stdio crosses into a hook, even an fd warder left open by mistake
cf=$(conf fds "exec.prestart = 'ls /proc/self/fd >$T_TMP/fds'")
DRIVER_LEAK_FD=1 "$D" "$cf" fds prestart 2>/dev/null
is "only stdin, stdout, stderr (and ls's own) are open" "$(tr '\n' ' ' <"$T_TMP/fds")" "0 1 2 3 "

# --- builtins in a chain, with a root: a symlink cannot send a write outside
mkdir -p "$T_TMP/root" "$T_TMP/outside"
ln -s "$T_TMP/outside" "$T_TMP/root/evil"
cf=$(conf built "exec.prestart = write:/evil/x hello
exec.prestart += 'echo after >>$REC'")
: >"$REC"
out=$(DRIVER_ROOT=$T_TMP/root "$D" "$cf" built prestart 2>&1)
is "builtin failure: status 70" $? 70
ok "builtin: nothing written outside the root" test ! -e "$T_TMP/outside/x"
like "builtin failure is one line" "$out" "^warder\[built\]: prestart: write:/evil/x hello: No such file or directory\$"
is "builtin failure stops the chain" "$(record)" ""

done_testing
