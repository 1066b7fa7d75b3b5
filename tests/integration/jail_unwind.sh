#!/bin/sh
# A failure at each create step of a jail: one line naming the step, the exit code (70 a chain, 71 the
# system), exactly the remove steps the unwinding rule gives (the undo of every step done, the partner of
# every chain that completed, nothing for the step that failed), and the host as before: mounts, links,
# cgroups, processes.
. "$(dirname "$0")/lib.sh"
jail_suite
N=wu$$
O=$R/order # exec.start and exec.stop run after the root changed: they write /order
snap() { host_mounts; host_links; find /sys/fs/cgroup -type d -name "warder-$N*" 2>/dev/null; }
before=$(snap)
on_exit 'find /sys/fs/cgroup -type d -name "warder-'$N'*" -delete'
CHAINS="prepare prestart created jailed start poststart prestop stop poststop release"
# mk FAILING-CHAIN [EXTRA-LINE]: a jail whose chains log their name to $O, FAILING-CHAIN then fails
mk() {
	{
		echo "[$N]"
		echo "path = $R"
		echo "unshare = mount,pid,uts,ipc"
		echo "mount.procfs = true"
		echo "cgroup.pids.max = 64"
		echo "stop.timeout = 1"
		echo "command = sleep 0.3"
		for c in $CHAINS; do
			o=$O
			case $c in start | stop) o=/order ;; esac
			if [ "$c" = "$1" ]; then echo "exec.$c = echo $c >>$o; false"; else echo "exec.$c = echo $c >>$o"; fi
		done
		[ $# -lt 2 ] || echo "$2"
	} >"$T_TMP/u.conf"
	: >"$O"
}
# case NAME WANT-EXIT WANT-ORDER WANT-ERROR
case_() {
	$W run -q -c "$T_TMP/u.conf" 2>"$T_TMP/err"; rc=$?
	is "$1: exit $2" $rc $2
	is "$1: steps run" "$(tr '\n' ' ' <"$O")" "$3"
	like "$1: one line names the step" "$(cat "$T_TMP/err")" "$4"
	is "$1: the host is as before" "$(snap)" "$before"
	is "$1: no process left" "$(leftovers)" 0
}
mk prepare;   case_ "exec.prepare fails" 70 "prepare " '^warder\[wu[0-9]+\]: prepare: '
mk prestart;  case_ "exec.prestart fails" 70 "prepare prestart release " '^warder\[wu[0-9]+\]: prestart: '
mk created;   case_ "exec.created fails" 70 "prepare prestart created poststop release " '^warder\[wu[0-9]+\]: created: '
mk jailed;    case_ "exec.jailed fails" 70 "prepare prestart created jailed poststop release " '^warder\[wu[0-9]+\]: jailed: '
mk start;     case_ "exec.start fails" 70 "prepare prestart created jailed start poststop release " '^warder\[wu[0-9]+\]: start: '
mk poststart; case_ "exec.poststart fails" 70 "prepare prestart created jailed start poststart stop poststop release " \
	'^warder\[wu[0-9]+\]: poststart: '
mk none;      case_ "no failure" 0 "prepare prestart created jailed start poststart prestop stop poststop release " '^$'
mk none "path = $T_TMP/missing"
sed -i "/^path = $(echo "$R" | sed 's|/|\\/|g')\$/d" "$T_TMP/u.conf"
case_ "a missing rootfs" 71 "prepare prestart created jailed poststop release " "setup: .*$T_TMP/missing"
mk none "uid_map = 0 0 1"
echo "uid_map += 0 1 1" >>"$T_TMP/u.conf"
sed -i 's/^unshare = .*/unshare = mount,pid,uts,ipc,user/' "$T_TMP/u.conf"
case_ "a bad uid_map" 71 "prepare prestart poststop release " 'create: write /proc/[0-9]+/uid_map'
done_testing
