#!/bin/sh
# warder in a real container engine: podman (Debian's, with runc: crun refuses this host's hybrid cgroups),
# offline: the base image is `podman import` of the busybox rootfs, the test image is `podman build` from
# packaging/oci/Containerfile's last stage with FROM that base. Both ways an engine takes an init: the image's
# ENTRYPOINT ["/usr/sbin/warder", "--"], and `podman run --init --init-path WARDER` (catatonit's slot). Each:
# exit codes (3, 143), PID 1, `podman kill -s USR1`, `podman stop` of a command that exits on TERM and of one
# that ignores it (warder KILLs it after -t, before podman's own timeout), orphans reaped, `podman run -it`
# on a terminal (the command in the foreground, Ctrl-Z and Ctrl-C reach it). All podman state lives under
# the suite's scratch directory; nothing of it is left on the host.
# podman mounts each container's root (overlay) and /dev/shm on the host: in a mount namespace of its own,
# those stay invisible to the other suites that compare the host's mounts, and die with it.
[ "$(id -u)" = 0 ] && [ -z "${WARDER_PODMAN_NS:-}" ] && command -v unshare >/dev/null &&
	exec env WARDER_PODMAN_NS=1 unshare --mount --propagation private sh "$0" "$@"
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "# skipped: needs root (rootful podman)"; done_testing; exit; }
for t in podman runc python3; do
	command -v $t >/dev/null || { ok "$t is installed (tests/deps.sh check)" false; done_testing; exit; }
done
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# What podman might leave on the host, outside its --root/--runroot/--tmpdir: compared at the end.
host_state() {
	ls -d /var/lib/containers /run/containers /run/libpod /etc/containers/networks 2>/dev/null
	find /sys/fs/cgroup -maxdepth 3 -name 'libpod*' 2>/dev/null | sort
	host_mounts
}
before=$(host_state)
# podman keeps a blob cache in /var/lib/containers and, with cgroupfs, a libpod_parent cgroup in each
# hierarchy, whatever --root says: removed at the end when they were not there before (after podman's own
# cleanup below, which on_exit runs first).
[ -e /var/lib/containers ] || on_exit "rm -rf /var/lib/containers"
[ -n "$(find /sys/fs/cgroup -maxdepth 3 -name libpod_parent 2>/dev/null)" ] ||
	on_exit "find /sys/fs/cgroup -maxdepth 4 -depth -path '*/libpod_parent*' -type d -exec rmdir {} +"
cat >"$T_TMP/containers.conf" <<EOF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF=$T_TMP/containers.conf
pod() { podman --root "$T_TMP/storage" --runroot "$T_TMP/runroot" --tmpdir "$T_TMP/libpod" --events-backend file "$@"; }
on_exit "podman --root '$T_TMP/storage' --runroot '$T_TMP/runroot' --tmpdir '$T_TMP/libpod' rm -af -t 0"
on_exit "podman --root '$T_TMP/storage' --runroot '$T_TMP/runroot' --tmpdir '$T_TMP/libpod' system reset -f"
BASE=localhost/warder-test-base:$$ IMG=localhost/warder-test:$$

# --- the images: base from the busybox rootfs (plus the shared objects of a dynamic warder), then build
sh "$top/tests/oci/mkbundle.sh" "$T_TMP/b" "$WARDER" true >/dev/null 2>&1
mkdir -p "$T_TMP/ctx"
mv "$T_TMP/b/rootfs/usr/sbin/warder" "$T_TMP/ctx/warder"
tar -C "$T_TMP/b/rootfs" -c . | pod import - "$BASE" >/dev/null 2>"$T_TMP/err"
ok "podman import: the base image from the busybox rootfs" pod image exists "$BASE"
sed -n '/^FROM busybox/,$p' "$top/packaging/oci/Containerfile" | sed -e "s|^FROM busybox:stable|FROM $BASE|" \
	-e 's|^COPY --from=build .*|COPY warder /usr/sbin/warder|' >"$T_TMP/ctx/Containerfile"
is "the Containerfile's image stage, FROM the imported base" "$(grep -c '^ENTRYPOINT \["/usr/sbin/warder", "--"\]$' "$T_TMP/ctx/Containerfile")" 1
pod build -q --pull=never --network none -t "$IMG" -f "$T_TMP/ctx/Containerfile" "$T_TMP/ctx" >/dev/null 2>"$T_TMP/err"
ok "podman build: warder as the ENTRYPOINT" pod image exists "$IMG"
[ -s "$T_TMP/err" ] && sed 's/^/#   /' "$T_TMP/err"

# The two ways: ENTRYPOINT (the built image) and --init (the bare base image, warder bind-mounted by podman).
run_entry() { pod run --network none "$@"; }
run_init() { pod run --network none --init --init-path "$WARDER" "$@"; }
image_entry=$IMG image_init=$BASE
wait_log() { # wait_log FILE REGEX: up to 30 s
	t=$(($(date +%s) + 30)); until grep -Eq "$2" "$1" 2>/dev/null; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.1; done
}
n=0
for way in entry init; do
	eval "img=\$image_$way"
	r() { "run_$way" "$@"; }
	r --rm "$img" sh -c 'exit 3'; is "$way: the command's exit code (3)" $? 3
	r --rm "$img" sh -c 'kill -TERM $$'; is "$way: killed by TERM: 143" $? 143
	# podman kill -s USR1 reaches the command; podman stop: TERM reaches it, its status comes out
	n=$((n + 1)); c=wt$$-$n
	r -d --name $c --log-driver k8s-file --log-opt path="$T_TMP/$c.log" "$img" \
		sh -c 'trap "echo got USR1" USR1; trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_log "$T_TMP/$c.log" ready
	pod kill -s USR1 $c >/dev/null
	ok "$way: podman kill -s USR1 reaches the command" wait_log "$T_TMP/$c.log" 'got USR1'
	pod stop -t 20 $c >/dev/null 2>"$T_TMP/stop.err"
	is "$way: podman stop: the command's own exit (7), no KILL from podman" \
		"$(pod inspect -f '{{.State.ExitCode}}' $c) $(cat "$T_TMP/stop.err")" "7 "
	# podman stop of a command that ignores TERM: warder KILLs it after its -t (1 s), before podman's 5 s
	n=$((n + 1)); c=wt$$-$n
	r -d --name $c --log-driver k8s-file --log-opt path="$T_TMP/$c.log" -e WARDER_STOP_TIMEOUT=1 "$img" \
		sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_log "$T_TMP/$c.log" ready
	pod stop -t 5 $c >/dev/null 2>"$T_TMP/stop.err"
	is "$way: TERM ignored: warder KILLs the command after -t (137)" "$(pod inspect -f '{{.State.ExitCode}}' $c)" 137
	is "$way: and ends before podman's own KILL" "$(grep -c 'resorting to SIGKILL' "$T_TMP/stop.err")" 0
	pod rm -f -t 0 wt$$-$((n - 1)) $c >/dev/null
	# warder is PID 1; 200 shells leave a sleep each, reparented to it; none may stay a zombie
	out=$(r --rm "$img" sh -c 'i=0; while [ $i -lt 200 ]; do sh -c "sleep 0.05 &"; i=$((i+1)); done; sleep 1
		echo $(cat /proc/1/comm) zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | awk "\$3 == \"Z\"" | wc -l)')
	if [ $way = entry ]; then
		is "$way: warder is PID 1; orphans reaped" "$out" "warder zombies=0"
	else
		is "$way: warder is PID 1 (as podman-init); orphans reaped" "$out" "podman-init zombies=0"
		is "$way: /run/podman-init is warder, started with -- CMD" "$(r --rm "$img" sh -c '/run/podman-init --version; tr "\0" " " </proc/1/cmdline')" \
			"warder $("$WARDER" --version | cut -d' ' -f2)
/run/podman-init -- sh -c /run/podman-init --version; tr \"\\0\" \" \" </proc/1/cmdline "
	fi
	# podman run -it: the command is the terminal's foreground job; Ctrl-Z and Ctrl-C reach it (a loop of
	# builtins: a child in the foreground would take the TSTP and stop, and sh would wait for it)
	out=$(python3 "$top/tests/tools/pty_chat.py" --raw ready '\x1a' 'got TSTP' '\x03' -- \
		podman --root "$T_TMP/storage" --runroot "$T_TMP/runroot" --tmpdir "$T_TMP/libpod" --events-backend file \
		run -it --rm --network none $([ $way = init ] && echo "--init --init-path $WARDER") "$img" \
		sh -c 'tty; awk "{ print (\$5 == \$8) ? \"foreground\" : \"background\" }" /proc/self/stat
			trap "echo got TSTP" TSTP; trap "echo got INT; exit 5" INT; echo ready; while :; do :; done')
	is "$way: -it: on a terminal, in the foreground; Ctrl-Z, Ctrl-C reach the command; its status" \
		"$(printf '%s\n' "$out" | sed 's/\^[ZC]//' | tr '\n' ' ')" "/dev/pts/0 foreground ready got TSTP got INT exit=5 "
done
is "no container left" "$(pod ps -aq)" ""
# The cleanup now (done_testing would run it after the count), then the host as it was.
t_cleanup; T_EXIT= T_TMP=$(mktemp -d /tmp/warder-test.XXXXXX)
is "nothing of podman left on the host" "$(host_state)" "$before"
done_testing
