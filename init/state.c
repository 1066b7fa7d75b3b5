/* state: the files under the state directory that `warder list`, `attach`, `ctl` and the vassal side read
 * to find a running jail: NAME.state, written whole by the jail's keeper and removed when it is gone; its
 * [limits] section is jail_limits.c's. */
#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

const char *state_dir(char *buf, size_t len)
{
	const char *env = getenv("WARDER_RUNDIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		snprintf(buf, len, "/run/warder");
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/warder", xdg);
	else
		snprintf(buf, len, "/tmp/warder-%ld", (long)geteuid());
	return buf;
}

void state_file(const char *name, const char *ext, char *buf, size_t len)
{
	char dir[512];
	snprintf(buf, len, "%s/%s.%s", state_dir(dir, sizeof dir), name, ext);
}

int state_file_write(const char *name, const char *ext, void (*emit)(FILE *f, const void *arg), const void *arg)
{
	char dir[512], path[1024], tmp[1100];
	state_dir(dir, sizeof dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_errno("state", "mkdir %s", dir);
		return -1;
	}
	state_file(name, ext, path, sizeof path);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		log_errno("state", "create %s", tmp);
		return -1;
	}
	emit(f, arg);
	/* Written whole, then renamed: a reader never sees half a file. */
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		log_errno("state", "write %s", path);
		if (unlink(tmp) < 0 && errno != ENOENT)
			log_errno("state", "unlink %s", tmp);
		return -1;
	}
	return 0;
}

int state_file_remove(const char *name, const char *ext)
{
	char path[1024];
	state_file(name, ext, path, sizeof path);
	if (unlink(path) < 0 && errno != ENOENT) {
		log_errno("state", "unlink %s", path);
		return -1;
	}
	return 0;
}

struct state_text {
	const struct jail_state *s;
	void (*tail)(FILE *f, const void *arg);
	const void *arg;
};

static void state_emit(FILE *f, const void *arg)
{
	const struct state_text *t = arg;
	const struct jail_state *s = t->s;
	fprintf(f, "name %s\npid %ld\nkeeper %ld\nstarted %lld\npath %s\nsocket %s\ncontrol %s\n", s->name,
		(long)s->pid, (long)s->keeper, s->started, s->path[0] ? s->path : "-", s->socket[0] ? s->socket : "-",
		s->control[0] ? s->control : "-");
	if (t->tail)
		t->tail(f, t->arg);
}

int state_write(const struct jail_state *s, void (*tail)(FILE *f, const void *arg), const void *arg)
{
	struct state_text t = {s, tail, arg};
	return state_file_write(s->name, "state", state_emit, &t);
}

/* KEY's value V (VL bytes, not terminated: the line is part of the file's text). */
static void state_field(struct jail_state *s, const char *key, size_t kl, const char *v, int vl)
{
	bool none = vl == 1 && *v == '-';
#define IS(k) (kl == sizeof k - 1 && memcmp(key, k, kl) == 0)
	if (IS("name"))
		snprintf(s->name, sizeof s->name, "%.*s", vl, v);
	else if (IS("pid"))
		s->pid = (pid_t)strtol(v, NULL, 10);
	else if (IS("keeper"))
		s->keeper = (pid_t)strtol(v, NULL, 10);
	else if (IS("started"))
		s->started = strtoll(v, NULL, 10);
	else if (IS("path"))
		snprintf(s->path, sizeof s->path, "%.*s", none ? 0 : vl, v);
	else if (IS("socket"))
		snprintf(s->socket, sizeof s->socket, "%.*s", none ? 0 : vl, v);
	else if (IS("control"))
		snprintf(s->control, sizeof s->control, "%.*s", none ? 0 : vl, v);
#undef IS
}

int state_load(const char *name, struct jail_state *s, char **text)
{
	char path[1024];
	memset(s, 0, sizeof *s);
	if (text)
		*text = NULL;
	state_file(name, "state", path, sizeof path);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	char *buf = NULL;
	size_t cap = 0;
	/* Whole, in one read: what a caller takes from the [limits] is from the same build as the pid. */
	ssize_t n = getdelim(&buf, &cap, '\0', f);
	int err = n < 0 && ferror(f) ? errno : 0;
	fclose(f);
	if (n <= 0) {
		free(buf);
		errno = err ? err : EINVAL;
		return -1;
	}
	for (char *line = buf, *end; *line && *line != '['; line = end) {
		end = line + strcspn(line, "\n");
		char *sp = memchr(line, ' ', (size_t)(end - line));
		if (sp)
			state_field(s, line, (size_t)(sp - line), sp + 1, (int)(end - sp - 1));
		end += *end == '\n';
	}
	if (s->pid <= 0) {
		free(buf);
		errno = EINVAL;
		return -1;
	}
	if (text)
		*text = buf;
	else
		free(buf);
	return 0;
}

int state_read(const char *name, struct jail_state *s)
{
	return state_load(name, s, NULL);
}

int state_remove(const char *name)
{
	return state_file_remove(name, "state");
}

static bool pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Both the keeper and the init, the init still the keeper's child: a stale file's pids (a keeper killed, a
 * run directory kept over a reboot) may both be in use again, by processes that are not each other's. */
bool state_alive(const struct jail_state *s)
{
	return pid_alive(s->keeper) && pid_alive(s->pid) && proc_parent(s->pid) == s->keeper;
}

int state_each(state_fn fn, void *arg)
{
	char dir[512], name[256];
	DIR *d = opendir(state_dir(dir, sizeof dir));
	if (!d)
		return -1;
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct jail_state s;
		if (l <= 6 || strcmp(de->d_name + l - 6, ".state") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(l - 6), de->d_name);
		if (state_read(name, &s) == 0)
			rc = fn(name, &s, arg);
	}
	closedir(d);
	return rc;
}
