/* action: the builtins, one table; each handler gets the text after "ACTION:" and returns 0, -1 with errno
 * set (a system call failed), or ACT_USAGE (the arguments do not parse). */
#include "action.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "safepath.h"
#include "scan.h"
#include "shell.h"

#define ACT_USAGE (-2)
#define MAX_WORDS 8

/* Split S (copied into BUF) at runs of blanks into at most MAX words; the last word takes the rest of the
 * line as it is (uWSGI hands everything after the flags to mount(2) as data). Returns the word count. */
static int split(const char *s, char *buf, size_t len, char **w, int max)
{
	if (strlen(s) >= len)
		return -1;
	strcpy(buf, s);
	int n = 0;
	char *p = buf;
	while (n < max) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		w[n++] = p;
		if (n == max)
			break;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* ---- mount flags: uWSGI's names ---- */

enum { MF_MOUNT = 1, MF_UMOUNT = 2, MF_PROPAGATION = 4 };

static const struct mount_flag {
	const char *name;
	unsigned long bits;
	unsigned kind;
} mount_flags[] = {
#ifdef __linux__
	{"bind", MS_BIND, MF_MOUNT},
	{"rec", MS_REC, MF_MOUNT | MF_UMOUNT},
	{"recursive", MS_REC, MF_MOUNT | MF_UMOUNT},
	{"readonly", MS_RDONLY, MF_MOUNT},
	{"ro", MS_RDONLY, MF_MOUNT},
	{"rdonly", MS_RDONLY, MF_MOUNT},
	{"nodev", MS_NODEV, MF_MOUNT},
	{"noexec", MS_NOEXEC, MF_MOUNT},
	{"nosuid", MS_NOSUID, MF_MOUNT},
	{"noatime", MS_NOATIME, MF_MOUNT},
	{"remount", MS_REMOUNT, MF_MOUNT},
	{"move", MS_MOVE, MF_MOUNT},
	{"private", MS_PRIVATE, MF_MOUNT | MF_PROPAGATION},
	{"slave", MS_SLAVE, MF_MOUNT | MF_PROPAGATION},
	{"shared", MS_SHARED, MF_MOUNT | MF_PROPAGATION},
	{"unbindable", MS_UNBINDABLE, MF_MOUNT | MF_PROPAGATION},
	{"detach", MNT_DETACH, MF_UMOUNT},
	{"force", MNT_FORCE, MF_UMOUNT},
#else
	{"readonly", MNT_RDONLY, MF_MOUNT}, {"ro", MNT_RDONLY, MF_MOUNT},     {"rdonly", MNT_RDONLY, MF_MOUNT},
	{"noexec", MNT_NOEXEC, MF_MOUNT},   {"nosuid", MNT_NOSUID, MF_MOUNT}, {"noatime", MNT_NOATIME, MF_MOUNT},
	{"force", MNT_FORCE, MF_UMOUNT},
#endif
};

static const struct mount_flag *mount_flag(const char *name, unsigned kind)
{
	for (size_t i = 0; i < sizeof mount_flags / sizeof mount_flags[0]; i++)
		if ((mount_flags[i].kind & kind) && strcmp(mount_flags[i].name, name) == 0)
			return &mount_flags[i];
	return NULL;
}

struct mount_req {
	const char *fs, *src;
	char target[4096]; /* what the kernel gets: the fd's name under a root */
	unsigned long flags, propagation;
	char data[1024];
	bool rec_umount;
};

static int data_add(struct mount_req *m, const char *opt)
{
	size_t used = strlen(m->data), add = strlen(opt);
	if (used + add + 2 > sizeof m->data)
		return -1;
	if (used)
		m->data[used++] = ',';
	memcpy(m->data + used, opt, add + 1);
	return 0;
}

/* FLAGS: names joined by commas; a word that is not a flag is a filesystem option (hidepid=2). */
static int parse_mount_flags(struct mount_req *m, char *flags)
{
	for (char *save = NULL, *f = strtok_r(flags, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		const struct mount_flag *mf = mount_flag(f, MF_MOUNT);
		if (!mf) {
			if (data_add(m, f) < 0)
				return -1;
		} else if (mf->kind & MF_PROPAGATION) {
			m->propagation |= mf->bits;
		} else {
			m->flags |= mf->bits;
		}
	}
	return 0;
}

#ifdef __linux__
/* The kernel takes a bind mount's read-only/nosuid/... only on a second, remount call. */
#define BIND_REMOUNT_FLAGS (MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID | MS_NOATIME)

static int do_mount(const struct mount_req *m)
{
	unsigned long rec = m->flags & MS_REC;
	bool only_propagation = m->propagation && !(m->flags & ~MS_REC) && !strcmp(m->fs, "none");
	if (!only_propagation &&
	    mount(m->src, m->target, strcmp(m->fs, "none") ? m->fs : NULL, m->flags, m->data[0] ? m->data : NULL) < 0)
		return -1;
	if ((m->flags & MS_BIND) && !(m->flags & MS_REMOUNT) && (m->flags & BIND_REMOUNT_FLAGS) &&
	    mount(NULL, m->target, NULL, MS_REMOUNT | MS_BIND | (m->flags & BIND_REMOUNT_FLAGS), NULL) < 0)
		return -1;
	if (m->propagation && mount(NULL, m->target, NULL, m->propagation | rec, NULL) < 0)
		return -1;
	return 0;
}
#else
static int do_mount(const struct mount_req *m)
{
	struct iovec iov[64];
	unsigned n = 0;
	char buf[sizeof m->data];
#define IOV(s) (iov[n].iov_base = (void *)(s), iov[n].iov_len = strlen(s) + 1, n++)
	IOV("fstype"), IOV(m->fs), IOV("fspath"), IOV(m->target);
	if (m->src)
		IOV("from"), IOV(m->src);
	strcpy(buf, m->data);
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o && n + 2 <= 64; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		if (eq)
			*eq++ = '\0';
		IOV(o), IOV(eq ? eq : "");
	}
#undef IOV
	return nmount(iov, n, (int)m->flags);
}
#endif

static int act_mount(const struct chain_ctx *c, const char *arg)
{
	char buf[2048], *w[5];
	int n = split(arg, buf, sizeof buf, w, 5);
	if (n < 3)
		return ACT_USAGE;
	struct mount_req m = {.fs = w[0], .src = strcmp(w[1], "none") ? w[1] : NULL};
	if ((n > 3 && parse_mount_flags(&m, w[3]) < 0) || (n > 4 && data_add(&m, w[4]) < 0)) {
		errno = E2BIG;
		return -1;
	}
	int fd;
	if (safe_mount_target(c->rootfd, w[2], &fd, m.target, sizeof m.target) < 0)
		return -1;
	int rc = do_mount(&m);
	int err = errno;
	if (fd >= 0)
		close(fd);
	errno = err;
	return rc;
}

#ifdef __linux__
/* Unmount everything below TARGET (deepest first: mountinfo lists a child after its parent), then TARGET. */
static int umount_tree(const char *target, int flags)
{
	char real[4096];
	if (!realpath(target, real))
		return -1;
	size_t len = strlen(real);
	for (;;) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		if (!f)
			return -1;
		char line[4096], mp[4096], last[4096] = "";
		while (fgets(line, sizeof line, f)) {
			/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
			const char *p = line;
			for (int w = 0; w < 4; w++)
				scan_word(&p, NULL, SIZE_MAX);
			if (scan_word(&p, mp, sizeof mp) && strncmp(mp, real, len) == 0 && mp[len] == '/' &&
			    strcmp(real, "/") != 0)
				strcpy(last, mp);
		}
		fclose(f);
		if (!last[0])
			break;
		if (umount2(last, flags | UMOUNT_NOFOLLOW) < 0)
			return -1;
	}
	return umount2(real, flags | UMOUNT_NOFOLLOW);
}

static int do_umount(const char *target, unsigned long flags, bool rec)
{
	/* A detached unmount takes the whole tree with it already. */
	if (rec && !(flags & MNT_DETACH))
		return umount_tree(target, (int)flags);
	return umount2(target, (int)flags | UMOUNT_NOFOLLOW);
}
#else
static int do_umount(const char *target, unsigned long flags, bool rec)
{
	(void)rec; /* FreeBSD refuses to unmount a covered mount: the caller lists the tree */
	return unmount(target, (int)flags);
}
#endif

static int act_umount(const struct chain_ctx *c, const char *arg)
{
	char buf[2048], *w[2];
	int n = split(arg, buf, sizeof buf, w, 2);
	if (n < 1)
		return ACT_USAGE;
	unsigned long flags = 0;
	bool rec = false;
	if (n > 1) {
		for (char *save = NULL, *f = strtok_r(w[1], ",", &save); f; f = strtok_r(NULL, ",", &save)) {
			const struct mount_flag *mf = mount_flag(f, MF_UMOUNT);
			if (!mf)
				return ACT_USAGE;
			if (!strcmp(mf->name, "rec") || !strcmp(mf->name, "recursive"))
				rec = true;
			else
				flags |= mf->bits;
		}
	}
	char target[4096];
	if (safe_resolve(c->rootfd, w[0], target, sizeof target) < 0)
		return -1;
	return do_umount(target, flags, rec);
}

/* ---- files ---- */

static int act_mkdir(const struct chain_ctx *c, const char *arg)
{
	if (!*arg)
		return ACT_USAGE;
	return safe_mkdir_p(c->rootfd, arg, 0755);
}

static int act_write(const struct chain_ctx *c, const char *arg)
{
	const char *sp = strchr(arg, ' ');
	if (!sp || sp == arg)
		return ACT_USAGE;
	char path[4096];
	if ((size_t)(sp - arg) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, arg, (size_t)(sp - arg));
	path[sp - arg] = '\0';
	return safe_write_file(c->rootfd, path, sp + 1, strlen(sp + 1), 0644);
}

static int act_symlink(const struct chain_ctx *c, const char *arg)
{
	char buf[4096], *w[3];
	if (split(arg, buf, sizeof buf, w, 3) != 2)
		return ACT_USAGE;
	return safe_symlink(c->rootfd, w[0], w[1]);
}

static int act_chmod(const struct chain_ctx *c, const char *arg)
{
	char buf[4096], *w[3], *end;
	if (split(arg, buf, sizeof buf, w, 3) != 2)
		return ACT_USAGE;
	errno = 0;
	unsigned long mode = strtoul(w[1], &end, 8);
	if (errno || *end || end == w[1] || mode > 07777)
		return ACT_USAGE;
	return safe_chmod(c->rootfd, w[0], (mode_t)mode);
}

static int act_unlink(const struct chain_ctx *c, const char *arg)
{
	if (!*arg)
		return ACT_USAGE;
	return safe_unlink(c->rootfd, arg);
}

static int act_chdir(const struct chain_ctx *c, const char *arg)
{
	if (!*arg)
		return ACT_USAGE;
	int fd = safe_open(c->rootfd, arg, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	int rc = fchdir(fd);
	int err = errno;
	close(fd);
	errno = err;
	return rc;
}

/* ---- process ---- */

static int act_sethostname(const struct chain_ctx *c, const char *arg)
{
	(void)c;
	if (!*arg)
		return ACT_USAGE;
	return sethostname(arg, strlen(arg));
}

static int act_putenv(const struct chain_ctx *c, const char *arg)
{
	(void)c;
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return ACT_USAGE;
	char key[256];
	if ((size_t)(eq - arg) >= sizeof key) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	return setenv(key, eq + 1, 1);
}

static int act_print(const struct chain_ctx *c, const char *arg)
{
	log_info(hook_step_name(c), "%s", arg);
	return 0;
}

/* The shell command has logged its own failure already. */
#define ACT_LOGGED (-3)

static int act_exec(const struct chain_ctx *c, const char *arg)
{
	if (!*arg)
		return ACT_USAGE;
	return shell_run(c, arg) == 0 ? 0 : ACT_LOGGED;
}

static const struct action {
	const char *name;
	int (*fn)(const struct chain_ctx *c, const char *arg);
	const char *usage;
} actions[] = {
	{"mount", act_mount, "mount:FSTYPE SRC DST [FLAGS [DATA]]"},
	{"umount", act_umount, "umount:PATH [rec,detach,force]"},
	{"mkdir", act_mkdir, "mkdir:PATH"},
	{"write", act_write, "write:PATH CONTENT"},
	{"symlink", act_symlink, "symlink:TARGET LINK"},
	{"chmod", act_chmod, "chmod:PATH OCTAL-MODE"},
	{"unlink", act_unlink, "unlink:PATH"},
	{"chdir", act_chdir, "chdir:PATH"},
	{"cd", act_chdir, "cd:PATH"},
	{"sethostname", act_sethostname, "sethostname:NAME"},
	{"hostname", act_sethostname, "hostname:NAME"},
	{"putenv", act_putenv, "putenv:KEY=VALUE"},
	{"print", act_print, "print:TEXT"},
	{"log", act_print, "log:TEXT"},
	{"exec", act_exec, "exec:COMMAND"},
};

static const struct action *action_find(const char *value)
{
	const char *colon = strchr(value, ':');
	if (!colon)
		return NULL;
	size_t len = (size_t)(colon - value);
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (strlen(actions[i].name) == len && strncmp(actions[i].name, value, len) == 0)
			return &actions[i];
	return NULL;
}

const char *action_name(const char *value)
{
	const struct action *a = action_find(value);
	return a ? a->name : NULL;
}

const char *action_usage(unsigned i)
{
	return i < sizeof actions / sizeof actions[0] ? actions[i].usage : NULL;
}

int action_run(const struct chain_ctx *c, const char *value)
{
	const struct action *a = action_find(value);
	const char *step = hook_step_name(c);
	if (!a) {
		log_err(step, "%s: not a builtin action", value);
		return -1;
	}
	const char *arg = value + strlen(a->name) + 1;
	arg += strspn(arg, " \t");
	errno = 0;
	int rc = a->fn(c, arg);
	if (rc == ACT_USAGE)
		log_err(step, "%s: bad arguments, usage: %s", value, a->usage);
	else if (rc == -1)
		log_errno(step, "%s", value);
	return rc == 0 ? 0 : -1;
}
