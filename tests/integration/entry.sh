#!/bin/sh
# Entrypoint mode: exit codes, signal forwarding and rewriting, reaping as PID 1 and as subreaper, stop
# timeout, inherited fds, signal state, job control. PID-1 cases run in a real pid namespace.
. "$(dirname "$0")/lib.sh"
W=$WARDER
pidns() { unshare --pid --fork --mount-proc "$@"; }

# --- exit status
$W -- sh -c 'exit 3'; is "exit code passes through" $? 3
$W -- sh -c 'kill -TERM $$'; is "death by SIGTERM is 128+15" $? 143
$W -- sh -c 'kill -KILL $$'; is "death by SIGKILL is 128+9" $? 137
out=$($W -- /nonexistent/cmd 2>&1); rc=$?
is "missing command exits 127" $rc 127
like "missing command says why" "$out" '^warder: command: cannot execute /nonexistent/cmd: No such file or directory$'
printf 'x' >"$T_TMP/noexec"; chmod 644 "$T_TMP/noexec"
out=$($W -- "$T_TMP/noexec" 2>&1); is "non-executable command exits 126" $? 126
like "non-executable says why" "$out" 'Permission denied'
$W -e 3 -- sh -c 'exit 3'; is "-e 3 maps exit 3 to 0" $? 0
$W -e 3 -e 4 -- sh -c 'exit 4'; is "-e may repeat" $? 0
$W -e 3 -- sh -c 'exit 5'; is "-e leaves other codes alone" $? 5
$W -e 143 -- sh -c 'kill -TERM $$'; is "-e applies to 128+N too" $? 0
$W >/dev/null 2>&1; is "no command is a usage error" $? 64
$W -x -- true >/dev/null 2>&1; is "unknown option is a usage error" $? 64
$W -t abc -- true >/dev/null 2>&1; is "bad -t is a usage error" $? 64
$W -r 15 -- true >/dev/null 2>&1; is "bad -r is a usage error" $? 64
like "--version prints the version" "$($W --version)" '^warder [0-9]+\.[0-9]+\.[0-9]+$'
like "--help shows the entrypoint usage" "$($W --help)" 'warder \[options\] \[--\] CMD'
$W sh -c 'exit 7'; is "CMD without -- works" $? 7
is "options after CMD belong to CMD" "$($W sh -c 'echo $0' -x)" "-x"

# --- signal forwarding
waitfor() { i=0; while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; }
cat >"$T_TMP/trap.sh" <<'EOF'
for s in HUP INT QUIT USR1 USR2 TERM WINCH ALRM CONT; do trap "echo $s >>$1" $s; done
echo ready >>$1
i=0; while [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); [ -f $1.stop ] && exit 0; done
EOF
fwd() { # fwd FILE WARDER-OPTS... : send $SIGS, report what the command saw
	f=$1; shift; : >"$f"
	env --default-signal $W "$@" -- sh "$T_TMP/trap.sh" "$f" & wp=$!
	waitfor "$f" ready
	for s in $SIGS; do kill -"$s" $wp; sleep 0.05; done
	sleep 0.2; touch "$f.stop"; wait $wp
	grep -v ready "$f" | sort | tr '\n' ' '
}
SIGS="HUP INT QUIT USR1 USR2 WINCH ALRM"
is "every catchable signal is forwarded" "$(fwd "$T_TMP/f1")" "ALRM HUP INT QUIT USR1 USR2 WINCH "
SIGS="TERM"
is "-r 15:3 sends SIGQUIT for SIGTERM" "$(fwd "$T_TMP/f2" -r 15:3)" "QUIT "
is "-r TERM:QUIT takes names" "$(fwd "$T_TMP/f3" -r TERM:QUIT)" "QUIT "
SIGS="USR1 HUP"
is "-r 10:0 drops SIGUSR1" "$(fwd "$T_TMP/f4" -r 10:0)" "HUP "

# -g: the whole process group gets it; without -g only the child
grp() { # grp FILE WARDER-OPTS... : what the command and its background subshell saw of one USR2
	f=$1; shift; : >"$f"
	$W "$@" -- sh -c "(trap 'echo grandchild >>$f; exit 0' USR2; echo ready >>$f; sleep 3 & wait) &
		trap 'echo child >>$f' USR2; sleep 3 & wait; sleep 0.3" & wp=$!
	waitfor "$f" ready; sleep 0.1
	kill -USR2 $wp; sleep 0.3; kill -TERM $wp 2>/dev/null; wait $wp 2>/dev/null
	grep -v ready "$f" | sort | tr '\n' ' '
}
is "-g forwards to the command's process group" "$(grp "$T_TMP/g1" -g)" "child grandchild "
is "WARDER_KILL_PROCESS_GROUP=1 is -g" "$(export WARDER_KILL_PROCESS_GROUP=1; grp "$T_TMP/g2")" "child grandchild "
is "without -g only the child gets it" "$(grp "$T_TMP/g3")" "child "

# --- stop: everything left gets TERM, then KILL after -t
out=$(pidns $W -- sh -c '(sleep 60 &); (sleep 61 &); sleep 0.2; exit 4'); rc=$?
is "PID 1: orphans are stopped and the command's status kept" $rc 4
start=$(date +%s%N)
pidns $W -t 1 -- sh -c '(trap "" TERM; sleep 60) & sleep 0.3; exit 0'
el=$(( ($(date +%s%N) - start) / 1000000 ))
ok "-t 1: a TERM-proof orphan is KILLed after ~1s (${el}ms)" [ "$el" -ge 900 -a "$el" -lt 5000 ]
start=$(date +%s%N)
WARDER_STOP_TIMEOUT=0 pidns $W -- sh -c '(trap "" TERM; sleep 60) & sleep 0.3; exit 0'
el=$(( ($(date +%s%N) - start) / 1000000 ))
ok "stop timeout 0 KILLs at once (${el}ms)" [ "$el" -lt 900 ]

# --- reaping as PID 1: no zombies, whatever the rate
out=$(pidns $W -- sh -c 'for i in $(seq 200); do (sleep 0.01 &) ; done; sleep 0.5; ps -o stat= | grep -c "^Z"')
is "PID 1 reaps orphans: no zombie after 200 exits" "$out" 0
cc -O2 -o "$T_TMP/orphans" "$(dirname "$0")/../tools/orphans.c"
start=$(date +%s)
out=$(pidns $W -- sh -c "$T_TMP/orphans 20000 0 && sleep 0.3 && ps -o stat= | grep -c '^Z'")
is "storm: 20,000 orphans leave no zombie" "$out" 0
ok "storm finishes promptly ($(( $(date +%s) - start ))s)" [ $(( $(date +%s) - start )) -lt 240 ]
pidns $W -- "$T_TMP/orphans" 5000 9; is "storm: the status survives 5,000 orphans" $? 9

# After a storm PID 1 reaps in a blocking waitid with the forwardable signals caught (supervise.c, reaping
# mode): USR1 must still reach the command, then TERM, and the command's status be warder's. stderr is
# not a terminal, or the mode stays off.
poll() { # poll TENTHS CMD... : until CMD succeeds, at most TENTHS tenths of a second
	n=$1; shift; i=0; while ! "$@" && [ $i -lt "$n" ]; do sleep 0.1; i=$((i+1)); done; "$@"; }
F=$T_TMP/storm_sig; : >"$F"
unshare -pf --mount-proc --kill-child $W -- sh -c "trap 'echo USR1 >>$F' USR1; trap 'echo TERM >>$F; exit 5' TERM
	$T_TMP/orphans 2000 0; touch $F.ready; while :; do sleep 0.05; done" 2>"$T_TMP/storm.err" & up=$!
wp=; i=0; while [ -z "$wp" ] && [ $i -lt 100 ]; do wp=$(pgrep -P $up); [ -n "$wp" ] || sleep 0.1; i=$((i+1)); done
poll 2400 test -e "$F.ready"
ok "storm with a waiting command: the command came through 2,000 orphans" test -e "$F.ready"
caught() { [ $(( 0x$(awk '/^SigCgt:/ {print $2}' /proc/$wp/status) & 0x4200 )) = $((0x4200)) ]; }
ok "... PID 1 is in its reaping mode (USR1 and TERM caught)" caught
zomb() { [ "$(ps -o stat= --ppid "$wp" | grep -c '^Z')" = 0 ]; }
ok "... and has left no zombie" poll 100 zomb
kill -USR1 "$wp"
ok "USR1 to PID 1 in the mode reaches the command" poll 100 grep -q USR1 "$F"
kill -TERM "$wp"
i=0; while kill -0 $up 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
kill -KILL $up 2>/dev/null; wait $up; rc=$? # --kill-child: PID 1 and its namespace go with it
is "then TERM reaches it: the command's status 5 is warder's" $rc 5
is "... the command saw USR1, then TERM" "$(tr '\n' ' ' <"$F")" "USR1 TERM "
is "... and nothing of it is left" "$(leftovers)" 0

# --- signal storm while children exit: warder survives and keeps the status
pidns sh -c '
	'"$W"' -- sh -c "trap : USR1 WINCH; for i in \$(seq 300); do (: &); done; sleep 1.5; exit 42" & wp=$!
	sleep 0.2
	i=0; while [ $i -lt 3000 ] && kill -0 $wp 2>/dev/null; do kill -USR1 $wp 2>/dev/null; kill -WINCH $wp 2>/dev/null; i=$((i+1)); done
	wait $wp' 2>/dev/null
is "signal storm with a trapping command: status 42 kept" $? 42

# --- not PID 1: subreaper, orphans reparent to warder and are reaped
out=$($W -- sh -c 'sh -c "sleep 0.5 & echo \$!" ; sleep 0.2; ps -o pid=,ppid=,comm= -e' )
orphan=$(echo "$out" | head -n 1)
wpid_line=$(echo "$out" | awk -v p="$orphan" 'NR > 1 && $1 == p {print $2}')
parent=$(echo "$out" | awk -v p="$wpid_line" '$1 == p {print $3}')
is "not PID 1: an orphan is reparented to warder (subreaper)" "$parent" warder
out=$(sh -c "$W -- sh -c '(sleep 0.2 &); sleep 0.6; ps -eo stat=,comm= | grep -c \"^Z.*sleep\"'")
is "not PID 1: reparented orphans are reaped" "$out" 0

# -p: parent-death signal
$W -p KILL -- sh -c 'grep -q . /proc/self/status; exit 0'; is "-p KILL accepted" $? 0
sh -c "$W -p TERM -- sleep 30 & echo \$! >$T_TMP/pd; sleep 0.3; kill -KILL \$\$" 2>/dev/null
sleep 0.5; pd=$(cat "$T_TMP/pd")
st=$(ps -o stat= -p "$pd" 2>/dev/null)
ok "-p TERM: warder goes when its parent dies (state '$st')" [ -z "$st" -o "$st" = Z ]

# --- inherited fds pass through; warder's own do not
out=$($W -- sh -c 'cat <&5' 5<<EOF
socket-activation
EOF
)
is "inherited fd 5 reaches the command" "$out" "socket-activation"
want=$(sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "')
out=$($W -- sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "')
is "the command sees exactly the fds warder was given" "$out" "$want"
out=$(sh -c 'export LISTEN_PID=$$; exec '"$W"' -- sh -c "echo \$LISTEN_PID:\$\$"')
is "LISTEN_PID follows to the command" "$(echo "$out" | cut -d: -f1)" "$(echo "$out" | cut -d: -f2)"

# --- the child starts with the signal state warder was started with
ign=$(sh -c "trap '' USR2; exec $W -- awk '/^SigIgn:/ {print \$2}' /proc/self/status")
ok "an ignored signal stays ignored in the command (SigIgn $ign)" [ $(( 0x$ign & 0x800 )) -ne 0 ]
is "ignored signals are exactly those warder was given" "$($W -- awk '/^SigIgn:/ {print $2}' /proc/self/status)" \
	"$(awk '/^SigIgn:/ {print $2}' /proc/self/status)"
is "blocked signals are exactly those warder was given" "$($W -- awk '/^SigBlk:/ {print $2}' /proc/self/status)" \
	"$(awk '/^SigBlk:/ {print $2}' /proc/self/status)"

# --- job control: with a terminal the command is the foreground process group
PTY="python3 $(dirname "$0")/../tools/pty_run.py"
out=$($PTY $W -- sh -c 'awk "{print \"pgrp=\" \$5, \"tpgid=\" \$8}" /proc/self/stat')
pg=$(echo "$out" | sed -n 's/.*pgrp=\([0-9]*\).*/\1/p'); tp=$(echo "$out" | sed -n 's/.*tpgid=\([0-9]*\).*/\1/p')
ok "with a tty the command owns the foreground ($(echo $out))" [ -n "$pg" -a "$pg" = "$tp" ]
out=$($PTY --stop-cont $W -- sh -c 'kill -STOP $$; echo resumed; exit 6')
like "a stopped command stops warder too, like a shell job" "$out" 'state=T'
like "continuing warder resumes the command" "$out" 'resumed'
like "and its status comes through" "$out" 'exit=6'
out=$($W -- awk '{print $8}' /proc/self/stat </dev/null)
is "without a tty there is no foreground to take" "$out" -1

done_testing
