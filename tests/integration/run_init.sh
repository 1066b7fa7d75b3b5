#!/bin/sh
# warder run without jail parameters: the init of a jail someone else made. Every chain runs here, in the
# step table's order, around the supervised command; SIGTERM runs prestop and stop before the processes are
# signalled; the exit status is the command's; a failing chain unwinds.
. "$(dirname "$0")/lib.sh"
W=$WARDER
O=$T_TMP/order
CHAINS="prepare prestart created jailed start poststart prestop stop poststop release"
mk() { # mk COMMAND [FAILING-CHAIN]
	{
		echo "[init]"
		echo "stop.timeout = 1"
		printf "command = '%s'\n" "$1"
		for c in $CHAINS; do
			if [ "$c" = "${2:-}" ]; then echo "exec.$c = echo $c >>$O; false"; else echo "exec.$c = echo $c >>$O"; fi
		done
	} >"$T_TMP/i.conf"
	: >"$O"
}
order() { tr '\n' ' ' <"$O"; }

mk 'exit 3'
$W run -q -c "$T_TMP/i.conf"; rc=$?
is "the command's status is the exit status" $rc 3
is "chains in table order, command between start and poststart" "$(order)" \
	"prepare prestart created jailed start poststart prestop stop poststop release "

# A command of plain words from an absolute path runs without a shell, exactly as sh -c would run it;
# anything a shell interprets still goes through sh -c.
printf '[init]\ncommand = /bin/echo a=b,c:d  x@y\n' >"$T_TMP/p.conf"
is "a plain command: its words as sh -c would split them" "$($W run -q -c "$T_TMP/p.conf")" "a=b,c:d x@y"
printf '[init]\ncommand = /bin/echo "$((6 * 7))" *.none\n' >"$T_TMP/p.conf"
is "a command with shell syntax goes through sh -c" "$($W run -q -c "$T_TMP/p.conf")" "42 *.none"
printf '[init]\ncommand = /nonexistent/cmd -x\n' >"$T_TMP/p.conf"
$W run -q -c "$T_TMP/p.conf" 2>/dev/null; rc=$?
is "a plain command that does not exist: 127, as from sh -c" $rc 127
printf '[init]\ncommand = /etc/passwd\n' >"$T_TMP/p.conf"
$W run -q -c "$T_TMP/p.conf" 2>/dev/null; rc=$?
is "a plain command that is not executable: 126, as from sh -c" $rc 126

mk 'echo command >>'"$O"'; exec sleep 10'
$W run -q -c "$T_TMP/i.conf" & wp=$!
i=0; while ! grep -q poststart "$O" && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
kill -TERM $wp; wait $wp; rc=$?
is "SIGTERM: the command's status (killed by TERM)" $rc 143
like "SIGTERM: prestop and stop, then poststop and release" "$(order)" \
	"poststart (command )?prestop stop poststop release \$"

mk 'trap "exit 0" TERM; sleep 10 & wait'
$W run -q -c "$T_TMP/i.conf" & wp=$!
sleep 0.5; kill -INT $wp; wait $wp; rc=$?
is "SIGINT stops too; a command that exits 0 on TERM gives 0" $rc 0

mk 'exit 0' start
$W run -q -c "$T_TMP/i.conf" 2>"$T_TMP/err"; rc=$?
is "a failing exec.start: exit 70" $rc 70
is "a failing exec.start: no command, poststop and release still run" "$(order)" \
	"prepare prestart created jailed start poststop release "
like "a failing exec.start: one line names it" "$(cat "$T_TMP/err")" '^warder\[init\]: start: .*exit status 1$'

mk 'exit 0' prestart
$W run -q -c "$T_TMP/i.conf" 2>/dev/null
is "a failing exec.prestart: only release undoes prepare" "$(order)" "prepare prestart release "

# without a command: runs until stopped, and a stop by TERM is a clean exit
{ echo "[idle]"; echo "exec.start = echo start >>$O"; echo "exec.stop = echo stop >>$O"; } >"$T_TMP/n.conf"; : >"$O"
$W run -q -c "$T_TMP/n.conf" & wp=$!
sleep 0.5; kill -TERM $wp; wait $wp; rc=$?
is "no command: runs until SIGTERM, then exits 0" $rc 0
is "no command: exec.stop ran" "$(order)" "start stop "

# a 300-character exec.prestart runs exactly as written (Debian's libinih reads 200 bytes a line)
arg=$(awk 'BEGIN { for (i = 0; i < 260; i++) printf "%c", 97 + i % 26; printf " a\\\\b;c" }')
line="exec.prestart = printf '%s|%s' '$arg' \"two  words\" >$T_TMP/long.out"
printf '[long]\n%s\ncommand = true\n' "$line" >"$T_TMP/long.conf"
ok "the exec.prestart line is over 300 characters" test "${#line}" -gt 300
$W run -q -c "$T_TMP/long.conf"; rc=$?
is "a long exec.prestart runs" $rc 0
is "... exactly as written" "$(cat "$T_TMP/long.out")" "$arg|two  words"

# config errors: one line, 78
printf '[x]\nnosuchkey = 1\n' >"$T_TMP/bad.conf"
out=$($W run -c "$T_TMP/bad.conf" 2>&1); rc=$?
is "a config error exits 78" $rc 78
like "a config error is FILE:LINE: message" "$out" "^$T_TMP/bad.conf:2: "
$W run -c "$T_TMP/i.conf" nosuch 2>/dev/null; is "an unknown jail name exits 78" $? 78
# a parameter that needs a jail, in a section that builds none: 78 before any hook
printf '[x]\nexec.prepare = touch %s/prepared\nmount.devfs = true\ncommand = true\n' "$T_TMP" >"$T_TMP/bad.conf"
out=$($W run -c "$T_TMP/bad.conf" 2>&1); rc=$?
is "mount.devfs in init-only mode exits 78" $rc 78
like "... naming its line and the missing path" "$out" "^$T_TMP/bad.conf:3: mount.devfs does nothing here: \\[x\\] has no path"
ok "... before any hook ran" test ! -e "$T_TMP/prepared"
$W run 2>/dev/null; is "run without -c is a usage error" $? 64
out=$($W run -c "$T_TMP/i.conf" --log-format json 2>&1 >/dev/null)
like "--log-format json logs JSON lines" "$out" '^\{"prog":"warder","jail":"init",'
sub=$(unshare --pid --fork sh -c "$W run -q -c $T_TMP/i.conf; echo \$?" 2>/dev/null)
is "as PID 1 of a pid namespace" "$sub" 70
# the privilege drop `check` prints runs here too: user, group, caps, no_new_privs
printf '[drop]\nuser = nobody\ncaps = chown\ncommand = "id -u; id -G; grep -E ^CapBnd\\|^NoNewPrivs /proc/self/status"\n' >"$T_TMP/drop.conf"
out=$($W run -q -c "$T_TMP/drop.conf" 2>&1); rc=$?
is "init-only: the command with user, caps: exit 0" $rc 0
like "... runs as user nobody" "$out" "^$(id -u nobody)\$"
like "... with nobody's groups only" "$out" "^$(id -G nobody)\$"
like "... bounded to caps (chown)" "$out" "^CapBnd:[[:space:]]+0+1\$"
like "... under no_new_privs" "$out" "^NoNewPrivs:[[:space:]]+1\$"
like "check prints that drop" "$($W check -c "$T_TMP/drop.conf" 2>&1)" "as nobody, caps chown, no_new_privs"
printf '[drop]\nuser = no-such-user-x\ncommand = true\n' >"$T_TMP/drop.conf"
out=$($W run -q -c "$T_TMP/drop.conf" 2>&1); rc=$?
is "init-only: a user the passwd lacks: 78" $rc 78
like "... with one line naming it" "$out" "user no-such-user-x: not in"
# Hooks before the command run while the default loop, with its own SIGCHLD reaping, is run for stop
# requests: it must never reap a hook's shell (which then failed with "waitpid: No child processes"). A
# narrow race: many hooks, each leaving an orphan, in three runs at a time.
{ echo "[race]"; for i in $(seq 20); do echo "exec.start += (true &); true"; done; echo "command = true"; } >"$T_TMP/race.conf"
for p in 1 2 3; do
	(for i in $(seq 10); do $W run -q -c "$T_TMP/race.conf" 2>>"$T_TMP/race.err" || echo "$p:$i" >>"$T_TMP/race.fail"; done) &
done
wait
is "600 exec.start hooks with orphans in flight: every run exits 0" "$(cat "$T_TMP/race.fail" 2>/dev/null)" ""
is "... and no hook lost its shell to the loop" "$(cat "$T_TMP/race.err")" ""
done_testing
