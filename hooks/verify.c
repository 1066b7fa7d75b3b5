/* verify: what `warder check` and `warder run` can know about a jail before anything runs (see steps.h).
 *
 * An error is what the files warder reads settle for certain: a parameter that does nothing in the mode the
 * config selects, a devfs_ruleset no loaded devfs.rules defines (Linux, where warder is the only source of
 * rulesets) or a devfs.rules file that does not parse, whatever the FreeBSD plan refuses.
 * A warning is what depends on the host's state at run time, which a hook may still change (exec.prepare
 * cloning a dataset, exec.prestart mounting the rootfs): a path that does not exist, a user or group the
 * jail's files lack, a mount.fstab or devfs.rules file that is not there. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devfs.h"
#include "fbsd_plan.h"
#include "jailpw.h"
#include "log.h"
#include "steps.h"

/* The first value of P written in the jail's own section (not inherited from [*]), or NULL. */
static const struct conf_value *own_value(const struct conf_param *p)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (!p->v[i].inherited)
			return &p->v[i];
	return NULL;
}

static const struct conf_value *last_value(const struct jail *j, const char *name)
{
	const struct conf_param *p = jail_param(j, name);
	return p && p->n ? &p->v[p->n - 1] : NULL;
}

/* Init-only mode: the parameters that act only on a jail warder builds. [*] gives defaults to every jail,
 * as jail.conf's top level does, so only what the jail's own section writes counts. */
static int jail_only(const struct jail *j, char *err, size_t errlen)
{
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *p = &j->p[i];
		const struct conf_value *v = own_value(p);
		bool on;
		if (!p->def || !(p->def->flags & PF_JAIL) || !v)
			continue;
		if (p->def->type == PT_BOOL && conf_parse_bool(v->text, &on) == 0 && !on)
			continue; /* switched off: it does nothing anyway */
		return conf_errf(err, errlen, v->file, v->line,
				 "%s does nothing here: [%s] has no path (nor another jail parameter), so warder "
				 "builds no jail and runs only as the init of one made elsewhere",
				 p->name, j->name);
	}
	return 0;
}

/* Linux: the rulesets as init/linux/dev.c loads them (the defaults, then devfs.rules when the config names it
 * or the installed file is there), and the one devfs_ruleset names. */
static int linux_devfs(const struct jail *j, char *err, size_t errlen)
{
	const struct conf_param *rs = jail_param(j, "devfs_ruleset");
	const struct conf_value *rv = rs && rs->n ? &rs->v[rs->n - 1] : NULL, *own = own_value(rs);
	bool builds = jail_is_set(j, "mount.devfs") ? jail_bool(j, "mount.devfs") : jail_is_set(j, "path");
	if (!builds && own)
		return conf_errf(err, errlen, own->file, own->line,
				 "devfs_ruleset does nothing here: [%s] builds no /dev (mount.devfs is false, or unset "
				 "in a jail without path)",
				 j->name);
	if (!builds)
		return 0;
	const char *file = jail_get(j, "devfs.rules");
	const struct conf_value *fv = last_value(j, "devfs.rules");
	struct devfs_rules r = {0};
	char why[768];
	if (fv && access(file, F_OK) < 0)
		return 0; /* not there yet: plan_warn says so */
	int rc = devfs_rules_load_defaults(&r, err, errlen);
	if (rc == 0 && file && (fv || access(file, R_OK) == 0) && devfs_rules_load(&r, file, why, sizeof why) < 0)
		rc = conf_errf(err, errlen, NULL, 0, "%s", why); /* the devfs.rules FILE:LINE */
	if (rc == 0 && rv && !devfs_ruleset_find(&r, rv->text))
		rc = conf_errf(err, errlen, rv->file, rv->line, "devfs_ruleset %s: no such ruleset in %s%s", rv->text,
			       fv ? file : "warder's default rulesets",
			       fv ? " nor in the defaults" : " (devfs.rules = FILE adds more)");
	devfs_rules_free(&r);
	return rc;
}

int plan_verify(const struct jail *j, enum os os, bool jailed, char *err, size_t errlen)
{
	if (!jailed)
		return jail_only(j, err, errlen);
	return os == OS_LINUX ? linux_devfs(j, err, errlen) : fbsd_plan_verify(j, err, errlen);
}

/* ---- warnings: the host's state, which a hook may change before the step that needs it ---- */

static void warn_at(const struct conf_value *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn_at(const struct conf_value *v, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	log_warn("check", "%s:%d: %s", v->file, v->line, n < 0 ? fmt : msg);
	if (n >= 0)
		free(msg);
}

#define RUN_FAILS "; run fails when it switches to it, unless a hook adds it first"

/* The user, group and hook users, in the files below ROOT (the jail's, or "/" in init-only mode). */
static void warn_ids(const struct jail *j, const char *root)
{
	struct jailpw *w = malloc(sizeof *w); /* its group list is NGROUPS_MAX long */
	const struct conf_value *v;
	char err[512];
	gid_t gid;
	if (!w)
		return;
	if ((v = last_value(j, "user")) && jailpw_user_at(root, v->text, w, err, sizeof err) < 0)
		warn_at(v, "%s" RUN_FAILS, err);
	if ((v = last_value(j, "group")) && jailpw_group_at(root, v->text, &gid, err, sizeof err) < 0)
		warn_at(v, "%s" RUN_FAILS, err);
	if ((v = last_value(j, "exec.jail_user"))) {
		int rc = jail_bool(j, "exec.system_jail_user") ? jailpw_host(v->text, w, err, sizeof err)
							       : jailpw_user_at(root, v->text, w, err, sizeof err);
		if (rc < 0)
			warn_at(v, "exec.jail_user: %s" RUN_FAILS, err);
	}
	if ((v = last_value(j, "exec.system_user")) && jailpw_host(v->text, w, err, sizeof err) < 0)
		warn_at(v, "exec.system_user: %s" RUN_FAILS, err);
	free(w);
}

void plan_warn(const struct jail *j, enum os os, bool jailed)
{
	const struct conf_value *v;
	struct stat st;
	if (os != os_this())
		return; /* the host is not the one the jail will run on */
	/* Whose passwd: in init-only mode the one here; in a jail its root's, "/" unless something else is. */
	const char *root = !jailed || (os == OS_LINUX && !jail_is_set(j, "pivot_root")) ? "/" : NULL;
	if (jailed && (v = last_value(j, "path"))) {
		int e = stat(v->text, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e)
			warn_at(v, "path %s: %s; run fails at the step that needs it, unless a hook makes it first",
				v->text, strerror(e));
		root = e ? NULL : v->text;
	}
	static const char *const files[] = {"mount.fstab", "devfs.rules"};
	for (size_t i = 0; jailed && i < sizeof files / sizeof files[0]; i++)
		if ((v = last_value(j, files[i])) && access(v->text, R_OK) < 0)
			warn_at(v, "%s %s: %s; run fails at the step that reads it, unless a hook makes it first",
				files[i], v->text, strerror(errno));
	if (root)
		warn_ids(j, root);
}
