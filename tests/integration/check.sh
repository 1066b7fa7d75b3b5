#!/bin/sh
# warder check: the plan of every example config, for FreeBSD and Linux, against tests/plan/NAME.OS; the
# FreeBSD plans follow jail(8)'s order; config errors exit 78 with one line; nothing is ever run.
# UPDATE=1 rewrites the expected files from the current output (review the diff before committing).
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

# Step numbers never go down within "# create" or within "# remove".
in_order() { awk '/^#/ { last = 0; next } { if ($1 + 0 < last) bad = 1; last = $1 + 0 } END { exit bad }'; }

for conf in conf/examples/*.conf; do
	base=$(basename "$conf" .conf)
	for os in freebsd linux; do
		got=$("$WARDER" check -c "$conf" --os "$os" 2>/dev/null)
		rc=$?
		is "$base --os $os: exit 0" $rc 0
		want=tests/plan/$base.$os
		if [ "${UPDATE:-0}" = 1 ]; then printf '%s\n' "$got" >"$want"; fi
		is "$base --os $os: the plan" "$got" "$(cat "$want" 2>/dev/null)"
		printf '%s\n' "$got" | in_order
		is "$base --os $os: steps in table order" $? 0
	done
done

# jail(8)'s create order for a jail that uses every FreeBSD step
cat >"$T_TMP/all.conf" <<'CONF'
[all]
path = /jails/all
exec.prepare = echo prepare
ip4.addr = em0|192.0.2.7/24
mount.devfs = true
exec.prestart = echo prestart
exec.created = echo created
vnet = new
vnet.interface = epair9b
exec.start = echo start
command = /usr/local/bin/app
exec.poststart = echo poststart
exec.prestop = echo prestop
exec.stop = echo stop
exec.poststop = echo poststop
exec.release = echo release
CONF
steps=$("$WARDER" check -c "$T_TMP/all.conf" --os freebsd 2>/dev/null | awk '!/^#/ && $2 != prev { printf "%s ", $2; prev = $2 }')
is "FreeBSD: every step in jail(8)'s order" "$steps" \
	"prepare aliases mounts prestart create created vnet setup start command poststart prestop stop kill remove poststop unmounts unalias release "

# errors and usage
printf '[a]\nexec.prestart = echo hi\nno.such.key = 1\n' >"$T_TMP/bad.conf"
err=$("$WARDER" check -c "$T_TMP/bad.conf" 2>&1 >/dev/null)
is "a config error exits 78" $? 78
is "a config error is one line" "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 1
like "the line is FILE:LINE: message" "$err" "^$T_TMP/bad.conf:3: "
"$WARDER" check -c conf/examples/linux-busybox.conf no-such-jail >/dev/null 2>&1
is "an unknown jail name exits 78" $? 78
"$WARDER" check >/dev/null 2>&1
is "no -c: usage, 64" $? 64
"$WARDER" check -c conf/examples/linux-busybox.conf --os plan9 >/dev/null 2>&1
is "a bad --os: usage, 64" $? 64
like "--params lists the parameters" "$("$WARDER" check --params)" "^exec\.prestart +string,list +both "
like "--params lists the builtins" "$("$WARDER" check --params)" "^mount:FSTYPE SRC DST"

# nothing runs
printf '[a]\nexec.prepare = touch %s/ran\nexec.start = touch %s/ran\ncommand = touch %s/ran\n' \
	"$T_TMP" "$T_TMP" "$T_TMP" >"$T_TMP/run.conf"
out=$("$WARDER" check -c "$T_TMP/run.conf" 2>&1)
like "the plan shows the commands" "$out" "^  1 prepare    init  touch $T_TMP/ran\$"
ok "check runs nothing" test ! -e "$T_TMP/ran"

# a jail picked by name among several, in file order otherwise
printf '[one]\ncommand = a\n[two]\ncommand = b\n' >"$T_TMP/two.conf"
is "all jails in file order" "$("$WARDER" check -c "$T_TMP/two.conf" | grep '^# jail' | cut -d' ' -f3 | tr '\n' ' ')" "one two "
is "NAME picks one" "$("$WARDER" check -c "$T_TMP/two.conf" two | grep -c '^# jail')" 1

# errors that the files settle are config errors (78, FILE:LINE); what the host lacks today a hook may still
# make, so check only warns about it, naming the line
cfg() { printf "$@" >"$T_TMP/v.conf"; }
chk() { err=$("$WARDER" check -c "$T_TMP/v.conf" "$@" 2>&1 >/dev/null); rc=$?; }
for p in 'mount.devfs = true' 'devfs_ruleset = 4' 'mount.procfs = true' 'host.hostname = h' 'rlimit.nofile = 64'; do
	cfg '[io]\ncommand = true\n%s\n' "$p"; chk
	is "init-only mode: $p is a config error" $rc 78
	like "... naming the line and the missing path" "$err" "^$T_TMP/v.conf:3: ${p%% *} does nothing here: \[io\] has no path"
done
cfg '[*]\nmount.procfs = true\n[io]\ncommand = true\nmount.devfs = false\n[j]\npath = /\nunshare = mount\n'; chk io
is "init-only mode: [*]'s defaults and a switched-off mount.devfs are fine" "$rc:$err" "0:"
cfg '[j]\npath = %s\nunshare = mount\nexec.prepare = touch %s/ran\ndevfs_ruleset = 7\ncommand = true\n' "$T_TMP" "$T_TMP"; chk
is "an undefined devfs_ruleset number: 78" $rc 78
is "... at its line" "$err" "$T_TMP/v.conf:5: devfs_ruleset 7: no such ruleset in warder's default rulesets (devfs.rules = FILE adds more)"
cfg '[j]\npath = %s\nunshare = mount\ndevfs_ruleset = nosuch\n' "$T_TMP"; chk
is "an undefined devfs_ruleset name: 78" "$rc:$err" "78:$T_TMP/v.conf:4: devfs_ruleset nosuch: no such ruleset in warder's default rulesets (devfs.rules = FILE adds more)"
printf '[mine=9]\nadd path null unhide\n' >"$T_TMP/my.rules"
cfg '[j]\npath = %s\ndevfs.rules = %s/my.rules\ndevfs_ruleset = mine\n' "$T_TMP" "$T_TMP"; chk
is "a ruleset the named devfs.rules defines: fine" "$rc:$err" "0:"
cfg '[j]\npath = %s\ndevfs.rules = %s/my.rules\ndevfs_ruleset = 10\n' "$T_TMP" "$T_TMP"; chk
is "... one it does not: 78" "$rc:$err" "78:$T_TMP/v.conf:4: devfs_ruleset 10: no such ruleset in $T_TMP/my.rules nor in the defaults"
printf '[mine=9]\nadd path null unhid\n' >"$T_TMP/bad.rules"
cfg '[j]\npath = %s\ndevfs.rules = %s/bad.rules\n' "$T_TMP" "$T_TMP"; chk
like "a devfs.rules that does not parse: 78 at its own line" "$rc:$err" "^78:$T_TMP/bad.rules:2: unknown action"
cfg '[j]\npath = %s\nunshare = mount\nmount.devfs = false\ndevfs_ruleset = 4\n' "$T_TMP"; chk
is "devfs_ruleset without a /dev to build: 78" "$rc:$err" "78:$T_TMP/v.conf:5: devfs_ruleset does nothing here: [j] builds no /dev (mount.devfs is false, or unset in a jail without path)"
cfg '[j]\npath = /j\ndevfs_ruleset = nosuch\n'; chk --os freebsd
is "FreeBSD: a ruleset name no file defines: 78" "$rc:$err" "78:$T_TMP/v.conf:3: devfs_ruleset: no ruleset named \"nosuch\" in the default rulesets (set devfs.rules = FILE)"
cfg '[j]\npath = /j\ndevfs_ruleset = 7\nmount.devfs = true\n'; out=$("$WARDER" check -c "$T_TMP/v.conf" --os freebsd 2>&1); rc=$?
is "FreeBSD: a number may be in the kernel" $rc 0
like "... and the plan uses it" "$out" "ruleset=7"
mkdir -p "$T_TMP/root/etc"
printf 'root:x:0:0::/root:/bin/sh\n' >"$T_TMP/root/etc/passwd"; printf 'root:x:0:\n' >"$T_TMP/root/etc/group"
cfg '[j]\npath = %s/root\nuser = nosuchuser\ngroup = nosuchgroup\nexec.jail_user = 1234\ncommand = true\n' "$T_TMP"; chk
is "a user and group the jail's files lack: warnings, exit 0" $rc 0
like "... the user's line" "$err" "check: $T_TMP/v.conf:3: user nosuchuser: not in the jail's /etc/passwd; run fails"
like "... the group's line" "$err" "check: $T_TMP/v.conf:4: group nosuchgroup: not in the jail's /etc/group; run fails"
is "... a bare uid is fine (as docker -u)" "$(printf '%s\n' "$err" | grep -c jail_user)" 0
cfg '[j]\npath = %s/none\nmount.fstab = %s/none.fstab\ndevfs.rules = %s/none.rules\nuser = nosuchuser\n' "$T_TMP" "$T_TMP" "$T_TMP"; chk
is "a path, an fstab and a devfs.rules not there yet: warnings, exit 0" $rc 0
like "... the path's line" "$err" "check: $T_TMP/v.conf:2: path $T_TMP/none: No such file or directory; run fails at the step that needs it, unless a hook makes it first"
like "... the fstab's line" "$err" "check: $T_TMP/v.conf:3: mount.fstab $T_TMP/none.fstab: No such file"
like "... the devfs.rules' line" "$err" "check: $T_TMP/v.conf:4: devfs.rules $T_TMP/none.rules: No such file"
is "... three warnings (no user lookup in a root that is not there)" "$(printf '%s\n' "$err" | grep -c '^warder: check: ')" 3
ok "check ran no hook" test ! -e "$T_TMP/ran"

# lines of any length: Debian's libinih reads 200 bytes a line; warder's reader in front of it takes more
RU='; Этот комментарий по-русски длиннее буфера строки libinih в Debian и всё равно читается целиком без ошибки конфигурации Этот комментарий по-русски длиннее......'
big=$(head -c 1048576 /dev/zero | tr '\0' y)
printf '%s\n[big]\n$v = %s ; %s\ncommand = echo ${v}\n' "$RU" "$big" "$RU" >"$T_TMP/big.conf"
out=$("$WARDER" check -c "$T_TMP/big.conf" 2>&1); rc=$?
is "a 1 MiB value passes check" $rc 0
is "... and the plan shows it whole" "$(printf '%s\n' "$out" | awk '/^ *[0-9]+ command +init +echo y+$/ { sub(/.*echo /, ""); print length($0) }')" 1048576
printf '%s\n[inc]\ncommand = true\ninclude = inc.part\n' "$RU" >"$T_TMP/inc.conf"
printf '%s\nexec.start = echo %s\n' "$RU" "$(printf '%0300d' 0)" >"$T_TMP/inc.part"
out=$("$WARDER" check -c "$T_TMP/inc.conf" 2>&1); rc=$?
is "a long line in an included file passes check" $rc 0
like "... whole in the plan" "$out" "start +init +echo 0{300}\$"
printf '# %s\nlong {\n\tpath = /j;\n\texec.start = "echo %s";\n}\n' "$RU" "$(printf '%0300d' 0)" >"$T_TMP/jail.conf"
"$WARDER" import-jailconf "$T_TMP/jail.conf" >"$T_TMP/jail.ini" 2>"$T_TMP/import.err"
is "import-jailconf writes a long line" $? 0
out=$("$WARDER" check -c "$T_TMP/jail.ini" --os freebsd 2>&1); rc=$?
is "... which check reads back" $rc 0
like "... whole" "$out" "start +jail +echo 0{300}\$"
printf '[a]\ncommand = true\n%s\n' "$big" >"$T_TMP/nokey.conf"
err=$("$WARDER" check -c "$T_TMP/nokey.conf" 2>&1 >/dev/null); rc=$?
is "a long line that is no key = value: 78" $rc 78
is "... FILE:LINE" "$err" "$T_TMP/nokey.conf:3: expected \`key = value\` or \`[section]\`"

done_testing
