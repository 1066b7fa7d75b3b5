#!/bin/sh
# The Debian package: built with dpkg-buildpackage (packaging/debian/build.sh, in a copy of the tree), lintian
# finds no error, dpkg -i installs what it should, the installed warder runs a jail from /etc/warder.d, dpkg -r
# leaves only the conffile, dpkg --purge leaves nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
top=$(cd "$here/../.." && pwd)
if [ "$(id -u)" != 0 ]; then echo "# needs root (dpkg -i)"; done_testing; exit; fi
if dpkg-query -W -f='${Status}' warder 2>/dev/null | grep -q 'installed'; then
	echo "# a warder package is installed on this machine already; not touching it"
	done_testing; exit
fi
for c in dpkg-buildpackage dh lintian mandoc; do
	ok "$c is installed (tests/deps.sh check)" sh -c "command -v $c >/dev/null"
done

# Other work may change the tree meanwhile; the build's own traces would be these.
traces() { git -C "$top" status --porcelain --ignored -- packaging/debian packaging/man debian; ls "$top"/.. | grep -E '^warder.*\.(deb|changes|buildinfo)$'; }
status_before=$(traces)
out=$T_TMP/deb
ok "packaging/debian/build.sh builds the package" sh -c "sh '$top/packaging/debian/build.sh' '$out' >/dev/null"
is "the build leaves the work tree as it was" "$(traces)" "$status_before"
deb=$(ls "$out"/warder_*_*.deb 2>/dev/null | head -n 1)
ok "there is a .deb" [ -f "$deb" ]
[ -f "$deb" ] || { done_testing; exit; }
version=$(dpkg-deb -f "$deb" Version)
like "Depends come from shlibs" "$(dpkg-deb -f "$deb" Depends)" 'libev4.*libinih1|libinih1.*libev4'
errors=$(lintian "$deb" 2>/dev/null | grep '^E:')
is "lintian reports no errors" "$errors" ""

on_exit 'dpkg --purge warder'
on_exit 'rm -f /etc/warder.d/debtest.conf'
ok "dpkg -i installs it" sh -c "dpkg -i '$deb' >/dev/null"
for f in /usr/sbin/warder /etc/warder.conf /usr/share/warder/devfs.rules /usr/share/man/man8/warder.8.gz \
	/usr/share/man/man5/warder.conf.5.gz /usr/share/doc/warder/copyright \
	/usr/share/doc/warder/examples/linux-busybox.conf /usr/share/doc/warder/examples/freebsd-vnet-thin.d/dev.conf \
	/lib/systemd/system/warder@.service /lib/systemd/system/warder-emperor.service \
	/usr/share/bash-completion/completions/warder; do
	ok "installed: $f" [ -f "$f" ]
done
ok "installed: /etc/warder.d/" [ -d /etc/warder.d ]
is "warder --version" "$(/usr/sbin/warder --version)" "warder $version"
like "devfs.rules defaults to /usr/share/warder" "$(/usr/sbin/warder check --params | grep '^devfs.rules ')" ' /usr/share/warder/devfs.rules '
is "the installed warder.8 lints clean" "$(mandoc -T lint -W warning /usr/share/man/man8/warder.8.gz 2>&1)" ""
is "the installed warder.conf.5 lints clean" "$(mandoc -T lint -W warning /usr/share/man/man5/warder.conf.5.gz 2>&1)" ""
ok "/etc/warder.conf checks" /usr/sbin/warder check -c /etc/warder.conf
is "the installed units verify clean" \
	"$(cd /lib/systemd/system && systemd-analyze verify --man=no ./warder@.service ./warder-emperor.service 2>&1)" ""
is "the installed completion completes subcommands" \
	"$(bash -c '. /usr/share/bash-completion/completions/warder; COMP_WORDS=(warder ch); COMP_CWORD=1; _warder; echo "${COMPREPLY[*]}"')" check
is "no unit is enabled by the install" "$(ls /etc/systemd/system/*/warder* 2>/dev/null)" ""
is "/etc/warder.conf is a conffile" "$(dpkg-query -W -f='${Conffiles}' warder | awk '{print $1}')" "/etc/warder.conf"

# A jail from /etc/warder.d, on the package's defaults and its devfs.rules.
sh "$top/tests/mkrootfs.sh" "$T_TMP/rootfs"
cat >/etc/warder.d/debtest.conf <<CONF
include = /etc/warder.conf
[debtest]
path = $T_TMP/rootfs
unshare = mount,pid,uts,ipc,net
host.hostname = \${name}.deb
mount.procfs = true
mount.devfs = true
stop.timeout = 2
command = echo "\$(hostname) \$(cat /proc/1/comm) \$(ls /dev | grep -c null)"
CONF
mounts_before=$(host_mounts)
got=$(timeout 60 /usr/sbin/warder run -q -c /etc/warder.d/debtest.conf debtest 2>"$T_TMP/run.err")
is "the installed warder runs a jail from /etc/warder.d" "$?" 0
is "inside: hostname, PID 1, /dev/null from ruleset 4" "$got" "debtest.deb warder 1"
is "no mount left behind" "$(host_mounts)" "$mounts_before"
rm -f /etc/warder.d/debtest.conf

files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
ok "dpkg -r removes it" sh -c "dpkg -r warder >/dev/null"
left=
for f in $files; do [ -e "$f" ] && left="$left $f"; done
is "after dpkg -r only the conffile is left" "$left" " /etc/warder.conf"
ok "dpkg --purge purges it" sh -c "dpkg --purge warder >/dev/null"
left=
for f in $files /etc/warder.d /usr/share/warder /usr/share/doc/warder; do [ -e "$f" ] && left="$left $f"; done
is "after dpkg --purge nothing is left" "$left" ""
is "dpkg knows nothing of warder" "$(dpkg-query -W -f='${Status}' warder 2>/dev/null)" ""
done_testing
