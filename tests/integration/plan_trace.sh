#!/bin/sh
# check prints what run does (Linux): a jail runs with WARDER_PLAN_TRACE, which makes the back end write every
# operation it executed ("STEP<TAB>LINE"); the trace must be check's create, vnet, setup and remove lines, in
# order: an op the executor skipped or added shows. A jail whose setup is refused stops at that op.
. "$(dirname "$0")/lib.sh"
jail_suite
N=pt$$
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'

# check's back-end lines of the plan as "STEP<TAB>LINE" (columns: position, step, context, text)
backend_lines() {
	"$W" check -c "$1" --os linux 2>/dev/null |
		awk '!/^#/ && ($2 == "create" || $2 == "vnet" || $2 == "setup" || $2 == "remove") { print $2 "\t" substr($0, 22) }'
}
traced() { # CONF: run it with the trace on; the trace file's lines
	rm -f "$T_TMP/trace"
	WARDER_PLAN_TRACE=$T_TMP/trace "$W" run -q -c "$1" >/dev/null 2>"$T_TMP/err"
	echo $? >"$T_TMP/rc"
	cat "$T_TMP/trace" 2>/dev/null
}

cat >"$T_TMP/a.conf" <<CONF
[$N]
path = $R
unshare = mount,pid,uts,ipc,net
host.hostname = $N.test
host.domainname = $N.domain
mount.procfs = true
mount.tmp = true
rlimit.nofile = 256:512
cgroup.pids.max = 50
setns-socket = $T_TMP/ns.sock
stop.timeout = 2
command = true
CONF
want=$(backend_lines "$T_TMP/a.conf")
got=$(traced "$T_TMP/a.conf")
is "the jail ran" "$(cat "$T_TMP/rc")" 0
like "check lists the setup ops" "$want" 'setup	mount a tmpfs on /tmp'
is "run executed exactly check's list, in order" "$got" "$want"

# path without mount in unshare: setup refuses; the ops before it ran, nothing after it
cat >"$T_TMP/b.conf" <<CONF
[$N]
path = $R
unshare = pid,uts
host.hostname = $N.test
command = true
CONF
want=$(backend_lines "$T_TMP/b.conf")
like "check shows the refusal" "$want" "setup	fail: the jail's mounts need its own mount namespace"
got=$(traced "$T_TMP/b.conf")
is "the jail failed (71)" "$(cat "$T_TMP/rc")" 71
like "... with check's reason" "$(cat "$T_TMP/err")" "the jail's mounts need its own mount namespace"
is "run executed check's ops up to the refusal (create), then removal" "$got" \
	"$(printf '%s\n' "$want" | grep -v '^setup')"
done_testing
