#!/bin/sh
# Output for programs: `warder check --json` is the same plan as the text one plus the parameters with their
# FILE:LINE; `warder list --json`, `warder ctl NAME status` and the emperor's status parse with python3's json
# module and hold exactly the fields warder.8 documents; the bash completion, sourced in bash, completes
# subcommands, options, the jails of a -c file and the running jails of `warder list`.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
man=$top/packaging/man/warder.8
W=$WARDER
cat >"$T_TMP/py.py" <<'PY'
import json, re, sys

def plan_text(lines):
    """warder check's text plan: [(position, step, context, action)]"""
    out = []
    for l in lines:
        if l.startswith('#') or not l.strip():
            continue
        m = re.match(r'^ *(\d+) (\S+) +(\S+)  (.*)$', l)
        out.append((int(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return out

def plan_json(doc):
    return [(s['position'], s['step'], s['context'], a) for j in doc['jails'] for s in j['steps'] for a in s['actions']]

def keys(x):
    if isinstance(x, dict):
        for k, v in x.items():
            yield k
            yield from keys(v)
    elif isinstance(x, list):
        for v in x:
            yield from keys(v)

what = sys.argv[1]
if what == 'same-plan':   # JSON TEXT
    doc = json.load(open(sys.argv[2]))
    text = plan_text(open(sys.argv[3]).read().splitlines())
    print('same' if plan_json(doc) == text else 'differ:\n%s\n%s' % (plan_json(doc), text))
elif what == 'keys':      # JSON: the sorted set of keys
    print(' '.join(sorted(set(keys(json.load(open(sys.argv[2])))))))
elif what == 'eval':      # JSON EXPR: EXPR on the document d
    d = json.load(open(sys.argv[2]))
    print(eval(sys.argv[3]))
PY
py() { python3 "$T_TMP/py.py" "$@"; }
# documented KEY...: prints the keys warder.8's JSON OUTPUT section names neither as "Li KEY" nor as "KEY"
documented() {
	sect=$(sed -n '/^\.Sh JSON OUTPUT/,/^\.Sh /p' "$man")
	for k in "$@"; do printf '%s\n' "$sect" | grep -Eq "Li ([a-z_]+ , )*$k( |$)|\"$k\"" || printf '%s ' "$k"; done
}

# --- check --json: the text plan, as data, for every example and both systems
for f in "$top"/conf/examples/*.conf; do
	for os in linux freebsd; do
		$W check -c "$f" --os $os >"$T_TMP/plan.txt" 2>/dev/null || continue
		$W check -c "$f" --os $os --json >"$T_TMP/plan.json" 2>/dev/null
		is "check --json --os $os $(basename "$f"): the text plan's steps, contexts and actions" \
			"$(py same-plan "$T_TMP/plan.json" "$T_TMP/plan.txt")" same
	done
done
printf '%s\n' '[*]' 'stop.timeout = 2' '$base = /srv' '' '[web]' 'path = ${base}/web' 'exec.prestart = echo one' \
	'exec.prestart += echo "two ${name}"' 'command = sleep 1' '' '[db]' 'command = true' >"$T_TMP/c.conf"
$W check --json -c "$T_TMP/c.conf" >"$T_TMP/c.json"; is "check --json exits 0" $? 0
is "one jail object per section, in file order" "$(py eval "$T_TMP/c.json" "[(j['name'], j['line'], j['jailed']) for j in d['jails']]")" \
	"[('web', 5, True), ('db', 11, False)]"
is "a list parameter: each value expanded, with its FILE:LINE" \
	"$(py eval "$T_TMP/c.json" "[(v['value'], v['line'], v['file'] == '$T_TMP/c.conf') for p in d['jails'][0]['parameters'] if p['name'] == 'exec.prestart' for v in p['values']]")" \
	"[('echo one', 7, True), ('echo \"two web\"', 8, True)]"
is "a value from [*] names [*]'s line; a variable is expanded" \
	"$(py eval "$T_TMP/c.json" "[(p['name'], p['values'][0]['value'], p['values'][0]['line'], p['list']) for p in d['jails'][0]['parameters'] if p['name'] in ('stop.timeout', 'path')]" | tr -d "'")" \
	"[(stop.timeout, 2, 2, False), (path, /srv/web, 6, False)]"
is "init only: every step's context is init" "$(py eval "$T_TMP/c.json" "sorted(set(s['context'] for s in d['jails'][1]['steps']))")" "['init']"
$W check --json -c "$T_TMP/c.conf" db >"$T_TMP/db.json"
is "check --json NAME: that jail alone" "$(py eval "$T_TMP/db.json" "[j['name'] for j in d['jails']]")" "['db']"
printf '[x]\ncomand = true\n' >"$T_TMP/bad.conf"
out=$($W check --json -c "$T_TMP/bad.conf" 2>"$T_TMP/err"); rc=$?
is "a config error: exit 78, nothing on stdout" "$rc:$out" "78:"
like "and the FILE:LINE line on stderr" "$(cat "$T_TMP/err")" "^$T_TMP/bad.conf:2: unknown key"
$W check --json -c "$T_TMP/c.conf" nosuch >/dev/null 2>&1; is "check --json: an unknown jail is 78" $? 78
is "check --json: every field is in warder.8" "$(documented $(py keys "$T_TMP/c.json"))" ""

# --- bash completion, sourced as bash-completion would
comp() { # comp WORDS...: what completing the last word offers
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _warder; printf "%s " "${COMPREPLY[@]}"' \
		_ "$top/packaging/completion/warder.bash" "$@"
}
is "completion: subcommands" "$(comp warder "")" "run check attach list ctl emperor import-jailconf "
is "completion: a prefix" "$(comp warder im)" "import-jailconf "
is "completion: check's options" "$(comp warder check --)" "--os --json --params --help "
is "completion: --os" "$(comp warder check --os "")" "linux freebsd "
is "completion: the jails of the -c file" "$(comp warder check -c "$T_TMP/c.conf" "")" "web db "
is "completion: run NAME, from the -c file" "$(comp warder run -c "$T_TMP/c.conf" w)" "web "
is "completion: ctl's requests" "$(comp warder ctl web "")" "status reload stop "
is "completion: list --json" "$(comp warder list "")" "--json "
like "completion: entrypoint mode completes the command" "$(comp warder -s -- busyb)" "^busybox "
ok "complete -p warder names the function" bash -c ". '$top/packaging/completion/warder.bash'; complete -p warder | grep -q -- '-F _warder warder'"

# --- a running jail: list --json, ctl status; then the emperor's status
jail_suite
N=js$$
wait_for() { t=$(($(date +%s) + 60)); until eval "$1"; do [ "$(date +%s)" -ge $t ] && return 1; sleep 0.05; done; }
$W list --json >"$T_TMP/l0.json"
is "list --json with no jail: an empty list" "$(py eval "$T_TMP/l0.json" "d")" "{'jails': []}"
printf '[%s]\npath = %s\nunshare = mount,pid,uts,ipc\nmount.procfs = true\nstop.timeout = 2\ncommand = sleep 1000\n' "$N" "$R" >"$T_TMP/j.conf"
$W run -q -c "$T_TMP/j.conf" & kp=$!
on_exit "kill -KILL $kp"
wait_for "$W ctl $N status 2>/dev/null | grep -q '\"state\":\"running\"'"
$W list --json >"$T_TMP/l.json"; is "list --json exits 0" $? 0
ipid=$(awk '$1=="pid"{print $2}' "$WARDER_RUNDIR/$N.state")
is "list --json: the jail, its init, its keeper, its root and control socket" \
	"$(py eval "$T_TMP/l.json" "[(j['name'], j['pid'], j['keeper'], j['path'], j['control'], j['setns_socket'], j['uptime'] >= 0) for j in d['jails']]")" \
	"[('$N', $ipid, $kp, '$R', '$WARDER_RUNDIR/$N.ctl', None, True)]"
is "list --json: every field is in warder.8" "$(documented $(py keys "$T_TMP/l.json"))" ""
is "completion: ctl offers the running jails of warder list" "$(comp "$W" ctl "")" "$N emperor "
is "completion: attach offers them too" "$(comp "$W" attach js)" "$N "
$W ctl $N status >"$T_TMP/s.json"
is "ctl status: the fields warder.8 lists" "$(py keys "$T_TMP/s.json")" "config jid last_exit name namespaces pid pids ready reload_error restarts state status uptime"
is "ctl status: every field is in warder.8" "$(documented $(py keys "$T_TMP/s.json"))" ""
is "ctl status: types" "$(py eval "$T_TMP/s.json" "[type(d[k]).__name__ for k in ('name','state','pid','pids','uptime','restarts','last_exit','jid','namespaces','config')]")" \
	"['str', 'str', 'int', 'list', 'int', 'int', 'NoneType', 'int', 'list', 'str']"
kill -TERM $kp; wait $kp
is "list --json after the stop: empty again" "$($W list --json)" '{"jails":[]}'

D=$T_TMP/v; mkdir -p "$D"
printf '[v%s]\ncommand = sleep 1000\nstop.timeout = 2\n' $$ >"$D/v.conf"
$W emperor -q --control "$T_TMP/e.ctl" "$D" 2>/dev/null & ep=$!
on_exit "kill -KILL $ep"
wait_for "$W ctl $T_TMP/e.ctl status 2>/dev/null | grep -q '\"state\":\"running\",\"restarts'"
$W ctl "$T_TMP/e.ctl" status >"$T_TMP/e.json"
is "emperor status: its fields" "$(py keys "$T_TMP/e.json")" "delay_ms dir file last_exit name pid restarts state vassals"
is "emperor status: every field is in warder.8" "$(documented $(py keys "$T_TMP/e.json"))" ""
kill -TERM $ep; wait $ep
is "nothing left behind" "$(leftovers) $(ls "$WARDER_RUNDIR" 2>/dev/null)" "0 "
done_testing
