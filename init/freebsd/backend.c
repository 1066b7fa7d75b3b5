/* backend: the FreeBSD jail back end. Every decision is fbsd_plan's (conf/fbsd_plan.c); this file only turns
 * its lists into system calls: ifconfig(8) for aliases (as jail(8) does), nmount(2)/unmount(2), the devfs
 * ruleset ioctls, libjail's jailparam_* for creation, jail_attach(2), SIOCSIFVNET/SIOCSIFRVNET, procctl(2),
 * setfib(2), setrlimit(2) through init/rlimit.c, setgroups/setgid/setusercontext for the privilege drop,
 * jail_remove(2). The calls whose headers clash with warder's names are in sys.c. */
#include <sys/param.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/procctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <net/if.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <login_cap.h>
#include <pwd.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devfs.h"
#include "fbsd_plan.h"
#include "jail.h"
#include "log.h"
#include "rlimit.h"
#include "supervise.h"
#include "sys.h"
#include "steps.h"

struct fbsd_state {
	struct fbsd_plan plan;
	size_t mounted; /* how many of plan.mounts are mounted */
	size_t aliased;
	size_t moved; /* vnet interfaces moved in */
};

static struct fbsd_state *state(struct jailrun *r)
{
	if (r->priv)
		return r->priv;
	struct fbsd_state *s = calloc(1, sizeof *s);
	char err[512];
	if (!s) {
		log_err("plan", "out of memory");
		return NULL;
	}
	if (fbsd_plan_build(r->j, &s->plan, err, sizeof err) < 0) {
		log_err("plan", "%s", err);
		free(s);
		return NULL;
	}
	r->priv = s;
	return s;
}

/* Runs ARGV (an absolute path) and waits; 0 when it exited 0. */
static int run(const char *step, char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0) {
		log_errno(step, "fork for %s", argv[0]);
		return -1;
	}
	if (pid == 0) {
		sup_restore_sigpipe();
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			log_errno(step, "waitpid for %s", argv[0]);
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	log_err(step, "%s %s %s failed (status %d)", argv[0], argv[1], argv[2], st);
	return -1;
}

/* --- aliases ------------------------------------------------------------------------------------------- */

static int alias_one(const struct fbsd_alias *a, bool add)
{
	char addr[128], *argv[6];
	fbsd_alias_argv(a, add, addr, sizeof addr, argv);
	return run(add ? "aliases" : "unalias", argv);
}

static int fb_aliases(struct jailrun *r, bool add)
{
	struct fbsd_state *s = state(r);
	int rc = 0;
	if (!s)
		return -1;
	if (add) {
		for (; s->aliased < s->plan.naliases; s->aliased++)
			if (alias_one(&s->plan.aliases[s->aliased], true) < 0)
				break;
		if (s->aliased == s->plan.naliases)
			return 0;
		rc = -1; /* undo our own partial work */
	}
	while (s->aliased > 0)
		if (alias_one(&s->plan.aliases[--s->aliased], false) < 0)
			rc = -1;
	return rc;
}

/* --- devfs ruleset --------------------------------------------------------------------------------------- */

static int add_rule(int fd, const struct devfs_record *rec)
{
	const struct fbsd_sys_rule r = {
		.magic = rec->dr_magic,
		.id = rec->dr_id,
		.icond = rec->dr_icond,
		.dswflags = rec->dr_dswflags,
		.pattern = rec->dr_pathptrn,
		.iacts = rec->dr_iacts,
		.bacts = rec->dr_bacts,
		.uid = rec->dr_uid,
		.gid = rec->dr_gid,
		.mode = rec->dr_mode,
		.incset = rec->dr_incset,
	};
	return fbsd_sys_rule_add(fd, &r);
}

/* devfs(8) `rule -s N add ...` for SET and every ruleset it includes that the kernel lacks. */
static int ruleset_load(const struct fbsd_ruleset *rs)
{
	struct devfs_rules rules = {0};
	const struct devfs_ruleset *sets[64];
	char err[512];
	int fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = -1;
	if (fd < 0) {
		log_errno(step_name(STEP_MOUNTS), "open /dev for the devfs ruleset ioctls");
		return -1;
	}
	int has = fbsd_sys_has_ruleset(fd, (unsigned)rs->number);
	if (has != 0) {
		if (has < 0)
			log_errno(step_name(STEP_MOUNTS), "DEVFSIO_SGETNEXT on /dev");
		close(fd);
		return has < 0 ? -1 : 0;
	}
	if (devfs_rules_load_defaults(&rules, err, sizeof err) < 0 ||
	    devfs_rules_load(&rules, rs->file, err, sizeof err) < 0) {
		log_err(step_name(STEP_MOUNTS), "%s", err);
		goto out;
	}
	const struct devfs_ruleset *set = devfs_ruleset_bynum(&rules, (unsigned)rs->number);
	int n = set ? devfs_load_plan(&rules, set, true, sets, sizeof sets / sizeof sets[0]) : -1;
	if (n < 0) {
		log_err(step_name(STEP_MOUNTS), "devfs ruleset %d: cannot plan its loading from %s", rs->number,
			rs->file);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (fbsd_sys_has_ruleset(fd, sets[i]->number) != 0)
			continue;
		for (size_t k = 0; k < sets[i]->nrules; k++)
			if (add_rule(fd, &sets[i]->rules[k].rec) < 0) {
				log_errno(step_name(STEP_MOUNTS), "DEVFSIO_RADD ruleset %u (%s:%d)", sets[i]->number,
					  sets[i]->rules[k].file, sets[i]->rules[k].line);
				goto out;
			}
	}
	rc = 0;
out:
	devfs_rules_free(&rules);
	close(fd);
	return rc;
}

/* --- mounts ---------------------------------------------------------------------------------------------- */

/* nmount(2) with fbsd_mount_iov's iovec, as mount(8) would. */
static int mount_one(const struct fbsd_mount *m)
{
	struct iovec iov[64];
	char opts[1024], errmsg[255];
	int n = fbsd_mount_iov(m, iov, sizeof iov / sizeof iov[0], opts, sizeof opts, errmsg, sizeof errmsg);
	if (n < 0) {
		log_err(step_name(STEP_MOUNTS), "%s: mount -t %s %s %s: too many options (%s)", m->what, m->fstype,
			m->from, m->to, m->opts);
		return -1;
	}
	if (nmount(iov, (unsigned)n, 0) == 0)
		return 0;
	if (errmsg[0])
		log_err(step_name(STEP_MOUNTS), "%s: mount -t %s %s %s: %s", m->what, m->fstype, m->from, m->to, errmsg);
	else
		log_errno(step_name(STEP_MOUNTS), "%s: mount -t %s %s %s", m->what, m->fstype, m->from, m->to);
	return -1;
}

static int unmount_one(const struct fbsd_mount *m)
{
	if (unmount(m->to, 0) == 0)
		return 0;
	log_errno(step_name(STEP_UNMOUNTS), "umount %s", m->to);
	return -1;
}

static int fb_mounts(struct jailrun *r, bool mount)
{
	struct fbsd_state *s = state(r);
	char err[512];
	int rc = 0;
	if (!s)
		return -1;
	if (mount) {
		if (s->plan.ruleset.load && ruleset_load(&s->plan.ruleset) < 0)
			return -1;
		for (; s->mounted < s->plan.nmounts; s->mounted++) {
			const struct fbsd_mount *m = &s->plan.mounts[s->mounted];
			if (fbsd_path_check(s->plan.path, m->to, err, sizeof err) < 0) {
				log_err(step_name(STEP_MOUNTS), "%s: %s", m->what, err);
				break;
			}
			if (mount_one(m) < 0)
				break;
		}
		if (s->mounted == s->plan.nmounts)
			return 0;
		rc = -1;
	}
	while (s->mounted > 0)
		if (unmount_one(&s->plan.mounts[--s->mounted]) < 0)
			rc = -1;
	return rc;
}

/* --- create ---------------------------------------------------------------------------------------------- */

static int create_params(const struct fbsd_plan *p, char *err, size_t errlen)
{
	char **names = calloc(p->nparams + 1, sizeof *names), **values = calloc(p->nparams + 1, sizeof *values);
	int jid = -1;
	if (!names || !values) {
		snprintf(err, errlen, "out of memory");
	} else {
		for (size_t i = 0; i < p->nparams; i++) {
			names[i] = p->params[i].name;
			values[i] = p->params[i].value;
		}
		jid = fbsd_sys_create(names, values, p->nparams, err, errlen);
	}
	free(names);
	free(values);
	return jid;
}

static int write_jidfile(const char *path, int jid)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		log_errno(step_name(STEP_CREATE), "jidfile %s", path);
		return -1;
	}
	int bad = fprintf(f, "%d\n", jid) < 0;
	if (fclose(f) != 0 || bad) {
		log_errno(step_name(STEP_CREATE), "writing jidfile %s", path);
		return -1;
	}
	return 0;
}

/* The init's side: enter the jail (or make it, with the old API), report the jid, then run the init. */
static void init_child(struct jailrun *r, const struct fbsd_plan *p, int jid, int wfd, jail_init_fn init, void *arg)
{
	struct in_addr *a4;
	struct in6_addr *a6;
	if (p->mode == FBSD_OLDAPI) {
		jid = -1;
		if (fbsd_oldjail_addrs(&p->old, &a4, &a6) == 0) {
			jid = fbsd_sys_oldjail(p->old.path, p->old.hostname, p->old.name, a4, p->old.nip4, a6,
					       p->old.nip6);
			int e = errno;
			free(a4); /* the kernel has copied them */
			free(a6);
			errno = e;
		}
	} else if (fbsd_sys_attach(jid) < 0)
		jid = -1;
	if (jid < 0) {
		log_errno(step_name(STEP_CREATE), p->mode == FBSD_OLDAPI ? "jail(2) %s" : "jail_attach %s", p->name);
		_exit(71);
	}
	if (write(wfd, &jid, sizeof jid) != sizeof jid)
		_exit(71);
	close(wfd);
	r->jid = jid;
	_exit(init(r, arg));
}

static int fb_create(struct jailrun *r, jail_init_fn init, void *arg)
{
	struct fbsd_state *s = state(r);
	const struct fbsd_plan *p;
	int jid = -1, fds[2];
	char err[256];
	if (!s)
		return -1;
	p = &s->plan;
	if (p->mode == FBSD_CREATE && (jid = create_params(p, err, sizeof err)) < 0) {
		log_err(step_name(STEP_CREATE), "jail_set: %s", err);
		return -1;
	}
	if (p->mode == FBSD_ATTACH && (jid = fbsd_sys_getid(p->attach, err, sizeof err)) < 0) {
		log_err(step_name(STEP_CREATE), "jail-attach %s: %s", p->attach, err);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_errno(step_name(STEP_CREATE), "pipe");
		goto undo;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_errno(step_name(STEP_CREATE), "fork the init");
		close(fds[0]);
		close(fds[1]);
		goto undo;
	}
	if (pid == 0) {
		close(fds[0]);
		init_child(r, p, jid, fds[1], init, arg);
	}
	close(fds[1]);
	ssize_t got;
	while ((got = read(fds[0], &jid, sizeof jid)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	r->init_pid = pid;
	if (got != sizeof jid)
		return -1; /* the init said why; the keeper reaps it */
	r->jid = jid;
	if (p->jidfile && write_jidfile(p->jidfile, jid) < 0)
		return -1;
	/* The init is inside now, so the jail no longer needs persist to survive (jail(8)'s clear_persist). */
	if (p->mode == FBSD_CREATE && !p->keep_persist) {
		if (fbsd_sys_nopersist(jid, err, sizeof err) < 0) {
			log_err(step_name(STEP_CREATE), "clear persist: %s", err);
			return -1;
		}
	}
	return 0;
undo:
	if (p->mode == FBSD_CREATE && fbsd_sys_remove(jid) < 0)
		log_errno(step_name(STEP_CREATE), "jail_remove %d", jid);
	return -1;
}

/* --- vnet, setup, drop, remove --------------------------------------------------------------------------- */

static int fb_vnet(struct jailrun *r, bool in)
{
	struct fbsd_state *s = state(r);
	int rc = 0, fd;
	if (!s)
		return -1;
	if (s->plan.nvnet == 0 || (!in && s->moved == 0))
		return 0;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		log_errno(in ? "vnet" : "remove", "socket for SIOCSIFVNET");
		return -1;
	}
	while (in && s->moved < s->plan.nvnet) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof ifr);
		strlcpy(ifr.ifr_name, s->plan.vnet_ifs[s->moved], sizeof ifr.ifr_name);
		ifr.ifr_jid = (int)r->jid;
		if (ioctl(fd, SIOCSIFVNET, &ifr) < 0) {
			log_errno(step_name(STEP_VNET), "move %s into jail %ld", s->plan.vnet_ifs[s->moved], r->jid);
			rc = -1;
			break;
		}
		s->moved++;
	}
	if (!in || rc < 0) {
		while (s->moved > 0) {
			struct ifreq ifr;
			memset(&ifr, 0, sizeof ifr);
			strlcpy(ifr.ifr_name, s->plan.vnet_ifs[--s->moved], sizeof ifr.ifr_name);
			ifr.ifr_jid = (int)r->jid;
			if (ioctl(fd, SIOCSIFRVNET, &ifr) < 0) {
				log_errno(step_name(STEP_REMOVE), "give %s back from jail %ld", ifr.ifr_name, r->jid);
				rc = -1;
			}
		}
	}
	close(fd);
	return rc;
}

static int fb_setup(struct jailrun *r)
{
	struct fbsd_state *s = state(r);
	if (!s)
		return -1;
	/* Not PID 1 in a jail: become the reaper so orphans come to us, not to the host's init. */
	if (procctl(P_PID, getpid(), PROC_REAP_ACQUIRE, NULL) < 0) {
		log_errno(step_name(STEP_SETUP), "procctl PROC_REAP_ACQUIRE");
		return -1;
	}
	if (s->plan.fib >= 0 && setfib(s->plan.fib) < 0) {
		log_errno(step_name(STEP_SETUP), "setfib %d", s->plan.fib);
		return -1;
	}
	if (chdir("/") < 0) {
		log_errno(step_name(STEP_SETUP), "chdir /");
		return -1;
	}
	/* Here, as Linux's lx_setup does: exec.start and the main command inherit them. */
	return rlimit_apply(r->j, "setup");
}

static int lookup_gid(const char *group, gid_t *gid)
{
	struct group *gr = getgrnam(group);
	char *end;
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	unsigned long n = strtoul(group, &end, 10);
	if (!*group || *end)
		return -1;
	*gid = (gid_t)n;
	return 0;
}

/* In the main command's child, inside the jail: groups, gid, then uid with the login class's limits. */
static int fb_drop(struct jailrun *r)
{
	struct fbsd_state *s = state(r);
	if (!s)
		return -1;
	if (!s->plan.user && !s->plan.group)
		return 0;
	struct passwd *pw = s->plan.user ? getpwnam(s->plan.user) : NULL;
	if (s->plan.user && !pw) {
		log_err("drop", "user %s: not in the jail's passwd", s->plan.user);
		return -1;
	}
	gid_t gid = pw ? pw->pw_gid : 0;
	if (s->plan.group && lookup_gid(s->plan.group, &gid) < 0) {
		log_err("drop", "group %s: not in the jail's group file", s->plan.group);
		return -1;
	}
	if (pw ? initgroups(pw->pw_name, gid) < 0 : setgroups(1, &gid) < 0) {
		log_errno("drop", "set supplementary groups");
		return -1;
	}
	if (setgid(gid) < 0) {
		log_errno("drop", "setgid %u", (unsigned)gid);
		return -1;
	}
	if (!pw)
		return 0;
	/* The login class's limits replace the init's, so rlimit.* goes on top of them, while still root, and
	 * only then the uid. */
	login_cap_t *lc = login_getpwclass(pw);
	int rc = setusercontext(lc, pw, pw->pw_uid,
				LOGIN_SETALL & ~(LOGIN_SETGROUP | LOGIN_SETLOGIN | LOGIN_SETPATH | LOGIN_SETENV |
						 LOGIN_SETUSER));
	if (rc == 0 && rlimit_apply(r->j, "drop") < 0) {
		login_close(lc);
		return -1;
	}
	if (rc == 0)
		rc = setusercontext(lc, pw, pw->pw_uid, LOGIN_SETUSER);
	login_close(lc);
	if (rc < 0 || getuid() != pw->pw_uid || geteuid() != pw->pw_uid) {
		log_errno("drop", "setusercontext %s", pw->pw_name);
		return -1;
	}
	return 0;
}

static pid_t wait_init(pid_t pid, int *wstatus, int options)
{
	pid_t w;
	do
		w = waitpid(pid, wstatus, options);
	while (w < 0 && errno == EINTR);
	return w;
}

/* The init of a jail we did not make (jail-attach) is stopped like Linux's: stop.timeout, then KILL. */
static int stop_attached_init(struct jailrun *r, int *wstatus)
{
	double grace = jail_duration(r->j, "stop.timeout");
	long ticks = (long)((grace > 0 ? grace : 0) * 100) + 500;
	struct timespec tick = {0, 10 * 1000 * 1000};
	for (long i = 0; i < ticks; i++) {
		pid_t w = wait_init(r->init_pid, wstatus, WNOHANG);
		if (w == r->init_pid)
			return 0;
		if (w < 0)
			return -1;
		nanosleep(&tick, NULL);
	}
	log_warn(step_name(STEP_REMOVE), "init %ld did not exit: SIGKILL", (long)r->init_pid);
	if (kill(r->init_pid, SIGKILL) < 0 && errno != ESRCH)
		return -1;
	return wait_init(r->init_pid, wstatus, 0) < 0 ? -1 : 0;
}

static int fb_remove(struct jailrun *r, int *wstatus)
{
	struct fbsd_state *s = state(r);
	int rc = 0;
	*wstatus = -1;
	if (!s)
		return -1;
	/* jail_remove kills every process left in the jail, the init included; EINVAL: the jail is already
	 * gone (not persistent, its last process exited). */
	if (s->plan.mode != FBSD_ATTACH && r->jid >= 0 && fbsd_sys_remove((int)r->jid) < 0 && errno != EINVAL) {
		log_errno(step_name(STEP_REMOVE), "jail_remove %ld", r->jid);
		rc = -1;
	}
	if (r->init_pid > 0) {
		int w = s->plan.mode == FBSD_ATTACH ? stop_attached_init(r, wstatus)
						    : (wait_init(r->init_pid, wstatus, 0) < 0 ? -1 : 0);
		if (w < 0) {
			log_errno(step_name(STEP_REMOVE), "waitpid %ld", (long)r->init_pid);
			rc = -1;
		}
		r->init_pid = 0;
	}
	return rc;
}

/* `warder attach NAME` as jexec(8): the kernel's jail named NAME (or with jid NAME), warder's or not.
 * jail_attach(2) also moves us to the jail's root; the user is looked up afterwards, in the jail's passwd. */
static int fb_enter(const char *name, pid_t init_pid, pid_t keeper, const int *nsfds, size_t n)
{
	char err[256];
	(void)init_pid;
	(void)keeper;
	if (!name || n > 0) {
		log_err("attach", "a setns socket holds Linux namespaces; attach by the jail's name or jid");
		for (size_t i = 0; nsfds && i < n; i++)
			close(nsfds[i]);
		return -1;
	}
	int jid = fbsd_sys_getid(name, err, sizeof err);
	if (jid < 0) {
		log_err("attach", "no running jail named %s: %s", name, err);
		return -1;
	}
	if (fbsd_sys_attach(jid) < 0) {
		log_errno("attach", "jail_attach %d (%s)", jid, name);
		return -1;
	}
	if (chdir("/") < 0) {
		log_errno("attach", "chdir / in jail %s", name);
		return -1;
	}
	return 0;
}

/* Refuse early what cannot work: jails need root, and the plan must hold. */
static int fb_check(struct jailrun *r)
{
	if (geteuid() != 0) {
		log_err("check", "FreeBSD jails need root (jail_set, nmount, ifconfig)");
		return -1;
	}
	return state(r) ? 0 : -1;
}

const struct jail_backend jail_backend = {
	.os = OS_FREEBSD,
	.wanted = fbsd_wanted,
	.check = fb_check,
	.aliases = fb_aliases,
	.mounts = fb_mounts,
	.create = fb_create,
	.vnet = fb_vnet,
	.setup = fb_setup,
	.finish = NULL, /* no old root to detach: the jail's root is its path from the start */
	.drop = fb_drop,
	.remove = fb_remove,
	.enter = fb_enter,
};
