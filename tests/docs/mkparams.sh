#!/bin/sh
# Regenerates the parameter and builtin-action lists of warder.conf(5) from `warder check --params`, so the man
# page cannot drift from conf/params.c. Only the lines between the two marker comments change.
#   mkparams.sh WARDER MANPAGE           rewrite MANPAGE in place
#   mkparams.sh --check WARDER MANPAGE   exit 1 (and show the diff) when MANPAGE is not up to date
set -eu
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
warder=${1:?usage: mkparams.sh [--check] WARDER MANPAGE}
page=${2:?usage: mkparams.sh [--check] WARDER MANPAGE}
begin='.\" BEGIN GENERATED PARAMETERS'
end='.\" END GENERATED PARAMETERS'
grep -qxF "$begin" "$page" && grep -qxF "$end" "$page" || { echo "mkparams: markers missing in $page" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$warder" check --params >"$tmp/params"

# One .It per parameter: name, then "type; platform; default", then the table's description as a sentence.
# Roff needs a backslash written \e and no line starting with a dot or a quote.
awk '
function esc(s) { gsub(/\\/, "\\e", s); return s }
# Capitalise a plain lower-case first word (not a name like rlimit.NAME); end with a full stop.
function sentence(s,   w) {
	split(s, w, " "); if (w[1] ~ /^[a-z]+$/) s = toupper(substr(s, 1, 1)) substr(s, 2)
	if (s !~ /[.)]$/) s = s "."; return s
}
function article(k) { return k == "int" ? "An integer" : k == "bool" ? "A boolean" : "A " k }
# Text lines of at most 78 bytes (mandoc -W style); a word that is longer stays whole.
function wrap(s,   n, w, i, out, l) {
	n = split(s, w, " "); out = ""; l = ""
	for (i = 1; i <= n; i++) {
		if (l != "" && length(l) + 1 + length(w[i]) > 78) { out = out l "\n"; l = w[i] }
		else l = (l == "" ? w[i] : l " " w[i])
	}
	return out l
}
BEGIN { mode = "params" }
/^# builtin actions/ { mode = "actions"; print ".El"; print ".Ss Builtin actions"
	print "A hook command that starts with one of these words and a colon is done by"
	print ".Nm warder"
	print "itself, without a shell:"
	print ".Bl -tag -width Ds"; next }
/^#/ { next }
mode == "params" && !started { print ".Bl -tag -width Ds"; started = 1 }
mode == "params" {
	name = $1; type = $2; plat = $3; dflt = $4
	desc = ""; for (i = 5; i <= NF; i++) desc = desc (i > 5 ? " " : "") $i
	n = split(type, t, ","); kind = t[1]; list = 0; kernel = 0
	for (i = 2; i <= n; i++) { if (t[i] == "list") list = 1; if (t[i] == "kernel") kernel = 1 }
	if (name ~ /\.$/) print ".It Cm " esc(name) " Ns Ar RESOURCE"
	else print ".It Cm " esc(name)
	line = article(kind)
	if (list) line = line " list"
	line = line (plat == "both" ? ", Linux and FreeBSD" : plat == "linux" ? ", Linux only" : ", FreeBSD only")
	if (kernel) line = line ", a FreeBSD kernel parameter"
	print line (dflt == "-" ? "; not set by default." : "; default")
	# \: lets a long list default (caps) break after its commas.
	if (dflt != "-") { d = esc(dflt); gsub(/,/, ",\\:", d); print ".Ql " d " ." }
	print wrap(sentence(esc(desc)))
	next
}
mode == "actions" {
	split($0, w, ":"); rest = substr($0, length(w[1]) + 2)
	print ".It Cm " esc(w[1]) ":\\&" (rest != "" ? " Ns Ar \"" esc(rest) "\"" : "")
}
END { print ".El" }
' "$tmp/params" >"$tmp/body"

BEGIN_MARK=$begin END_MARK=$end BODY=$tmp/body awk '
$0 == ENVIRON["BEGIN_MARK"] { print; while ((getline l < ENVIRON["BODY"]) > 0) print l; skip = 1; next }
$0 == ENVIRON["END_MARK"] { skip = 0 }
!skip { print }
' "$page" >"$tmp/page"

if [ "$check" = 1 ]; then
	diff -u "$page" "$tmp/page" && exit 0
	echo "mkparams: $page is out of date; run: sh tests/docs/mkparams.sh $warder $page" >&2
	exit 1
fi
cmp -s "$page" "$tmp/page" || cat "$tmp/page" >"$page"
