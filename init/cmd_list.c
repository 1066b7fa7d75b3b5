/* cmd_list: `warder list [--json]`, the jails whose keepers run, from their state files (init/state.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "ctl_out.h"
#include "log.h"
#include "proc.h"
#include "state.h"

static void uptime(long long secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(buf, len, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(buf, len, "%lldm%02llds", secs / 60, secs % 60);
}

/* One jail of `warder list --json` (schema: warder(8), JSON OUTPUT). */
static void list_json(struct ctl_out *o, const struct jail_state *s, long long now, bool first)
{
	ctl_put(o, "%s{\"name\":", first ? "" : ",");
	ctl_put_str(o, s->name);
	ctl_put(o, ",\"pid\":%ld,\"keeper\":%ld,\"started\":%lld,\"uptime\":%lld,\"path\":", (long)s->pid,
		(long)s->keeper, s->started, now - s->started);
	ctl_put_str(o, s->path[0] ? s->path : NULL);
	ctl_put(o, ",\"control\":");
	ctl_put_str(o, s->control[0] ? s->control : NULL);
	ctl_put(o, ",\"setns_socket\":");
	ctl_put_str(o, s->socket[0] ? s->socket : NULL);
	ctl_put(o, "}");
}

struct listing {
	bool json, first;
	long long now;
	struct ctl_out o;
};

static int list_one(const char *name, const struct jail_state *s, void *arg)
{
	(void)name;
	struct listing *l = arg;
	char up[32];
	/* A stale file: its keeper or init gone, or the init no longer the keeper's child (a keeper killed by
	 * SIGKILL: its children are another's before it is a zombie), or the init dead and not yet reaped. */
	if (!state_alive(s) || proc_is_zombie(s->pid))
		return 0;
	if (l->json) {
		list_json(&l->o, s, l->now, l->first);
		l->first = false;
		return 0;
	}
	uptime(l->now - s->started, up, sizeof up);
	printf("%-20s %8ld %9s  %s\n", s->name, (long)s->pid, up, s->path[0] ? s->path : "-");
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct listing l = {.json = argc == 2 && strcmp(argv[1], "--json") == 0, .first = true};
	if (argc > 1 && !l.json)
		return cmd_usage("usage: warder list [--json]\n", false);
	if (!l.json)
		printf("%-20s %8s %9s  %s\n", "NAME", "PID", "UPTIME", "PATH");
	ctl_put(&l.o, "{\"jails\":[");
	l.now = (long long)time(NULL);
	if (state_each(list_one, &l) < 0 && errno != ENOENT) {
		int e = errno;
		char dir[512];
		state_dir(dir, sizeof dir);
		ctl_out_free(&l.o);
		errno = e;
		return log_errno("list", "open %s", dir), EXIT_OSERR;
	}
	ctl_put(&l.o, "]}\n");
	int rc = 0;
	if (l.json && (l.o.full || fputs(l.o.p, stdout) == EOF))
		rc = (log_err("list", "cannot write the list"), EXIT_OSERR);
	ctl_out_free(&l.o);
	return fflush(stdout) == 0 ? rc : EXIT_OSERR;
}
