# bash completion for warder(8): subcommands, their options, jail names from `warder list`, and the jails
# ([NAME] sections) of the file given with -c. Plain bash: bash-completion's helpers are not needed.

# The [NAME] sections of FILE, [*] left out.
_warder_sections()
{
	[ -r "$1" ] || return 0
	sed -n 's/^[[:space:]]*\[\([^]]*\)\].*/\1/p' "$1" 2>/dev/null | grep -vx '[*]'
}

# The running jails, as `warder list` (the same binary as on the command line) shows them.
_warder_jails()
{
	"$1" list 2>/dev/null | while IFS=$' \t' read -r name _; do
		[ "$name" = NAME ] || printf '%s\n' "$name"
	done
}

# The value of -c FILE (or -cFILE, --config FILE) among the words so far.
_warder_config()
{
	local i w
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-c | --config) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
		-c?*) printf '%s\n' "${w#-c}"; return ;;
		esac
	done
}

_warder_files() { compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$1")); }
_warder_dirs() { compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$1")); }

_warder()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} self=${COMP_WORDS[0]}
	local sub=${COMP_WORDS[1]} IFS=$'\n'
	COMPREPLY=()
	if [ "$COMP_CWORD" = 1 ]; then
		case $cur in
		-*) COMPREPLY=($(compgen -W $'-s\n-g\n-p\n-e\n-t\n-r\n-v\n-q\n--version\n--help\n--' -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W $'run\ncheck\nattach\nlist\nctl\nemperor\nimport-jailconf' -- "$cur")) ;;
		esac
		return
	fi
	case $sub in
	run)
		case $prev in
		-c | --config) _warder_files "$cur"; return ;;
		--log-format) COMPREPLY=($(compgen -W $'text\njson' -- "$cur")); return ;;
		esac
		case $cur in
		-*) COMPREPLY=($(compgen -W $'-c\n-v\n-q\n--log-format\n--demo-config\n--help' -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_warder_sections "$(_warder_config)")"$'\ndemo' -- "$cur")) ;;
		esac
		;;
	check)
		case $prev in
		-c | --config) _warder_files "$cur"; return ;;
		--os) COMPREPLY=($(compgen -W $'linux\nfreebsd' -- "$cur")); return ;;
		esac
		case $cur in
		-*) COMPREPLY=($(compgen -W $'-c\n--os\n--json\n--params\n--help' -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_warder_sections "$(_warder_config)")" -- "$cur")) ;;
		esac
		;;
	attach)
		local i name=
		for ((i = 2; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--) COMPREPLY=($(compgen -c -- "$cur")); return ;;
			-u) ((i++)) ;;
			-*) ;;
			*) [ -n "$name" ] && { _warder_files "$cur"; return; }; name=${COMP_WORDS[i]} ;;
			esac
		done
		case $prev in
		-u) COMPREPLY=($(compgen -u -- "$cur")); return ;;
		esac
		if [ -n "$name" ]; then
			COMPREPLY=($(compgen -W $'--' -- "$cur"))
			[ -n "$cur" ] && COMPREPLY+=($(compgen -c -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W $'-u\n--help' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_warder_jails "$self")" -- "$cur"))
		fi
		;;
	list)
		[ "$COMP_CWORD" = 2 ] && COMPREPLY=($(compgen -W '--json' -- "$cur"))
		;;
	ctl)
		case $COMP_CWORD in
		2) COMPREPLY=($(compgen -W "$(_warder_jails "$self")"$'\nemperor' -- "$cur")) ;;
		3) COMPREPLY=($(compgen -W $'status\nreload\nstop' -- "$cur")) ;;
		esac
		;;
	emperor)
		case $prev in
		--control) _warder_files "$cur"; return ;;
		-t | --max-throttle | --heartbeat) return ;;
		esac
		case $cur in
		-*) COMPREPLY=($(compgen -W $'-t\n--max-throttle\n--heartbeat\n--control\n-v\n-q\n--help' -- "$cur")) ;;
		*) _warder_dirs "$cur" ;;
		esac
		;;
	import-jailconf)
		case $prev in
		-R) _warder_dirs "$cur"; return ;;
		esac
		case $cur in
		-*) COMPREPLY=($(compgen -W $'-R\n--help' -- "$cur")) ;;
		*) _warder_files "$cur" ;;
		esac
		;;
	*)
		# Entrypoint mode: options, then the command and its arguments.
		local i
		for ((i = 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			-p | -e | -t | -r) ((i++)) ;;
			-*) ;;
			*) _warder_files "$cur"; return ;;
			esac
		done
		case $prev in
		-p | -e | -t | -r) return ;;
		esac
		COMPREPLY=($(compgen -c -- "$cur"))
		;;
	esac
}
complete -F _warder warder
