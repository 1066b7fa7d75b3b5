/* lx_plan: the Linux back end's decisions as a list of operations (see lx_plan.h). The rules are the ones
 * init/linux/ applied when it decided as it went: DESIGN.md's order inside the jail, a mount namespace for any
 * mount, a uts namespace for a name, /dev by default for a jail with its own root. */
#include "lx_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devfs.h"
#include "ns.h"
#include "text.h"

struct builder {
	struct lx_plan *p;
	size_t cap;
	enum step_id step;
	bool failed;
};

static struct lx_op *add(struct builder *b, enum lx_op_kind kind, const char *arg)
{
	if (b->failed)
		return NULL;
	if (b->p->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct lx_op *ops = realloc(b->p->ops, cap * sizeof *ops);
		if (!ops) {
			b->failed = true;
			return NULL;
		}
		b->p->ops = ops;
		b->cap = cap;
	}
	struct lx_op *op = &b->p->ops[b->p->n++];
	*op = (struct lx_op){.step = b->step, .kind = kind, .arg = arg};
	return op;
}

static void add_each(struct builder *b, const struct jail *j, const char *param, enum lx_op_kind kind)
{
	const struct conf_value *v;
	size_t n = jail_list(j, param, &v);
	for (size_t i = 0; i < n; i++) {
		struct lx_op *op = add(b, kind, v[i].text);
		if (op)
			op->v = &v[i];
	}
}

static void refuse(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct builder *b, const char *fmt, ...)
{
	struct lx_op *op = add(b, LXO_REFUSE, NULL);
	va_list ap;
	va_start(ap, fmt);
	if (op && vasprintf(&op->text, fmt, ap) < 0) {
		op->text = NULL;
		b->failed = true;
	}
	va_end(ap);
}

static const char *const cgroup_limits[] = {"cgroup.memory.max", "cgroup.pids.max", "cgroup.cpu.max"};
#define NLIMITS (sizeof cgroup_limits / sizeof cgroup_limits[0])

static bool any_rlimit(const struct jail *j)
{
	for (size_t i = 0; i < j->np; i++)
		if (strncmp(j->p[i].name, "rlimit.", 7) == 0 && j->p[i].n)
			return true;
	return false;
}

/* A new network namespace costs as much as the rest of the clone: the keeper makes it after "go", on the other
 * CPU, while the init mounts, and the init joins it before anything that uses the network. Not when a host step
 * before "go" works in it through the init's pid (exec.created, vnet.interface) or an in-jail hook runs before
 * the mounts (exec.jailed), nor in a user namespace (the jail's own must own it). */
static bool net_beside(const struct jail *j, unsigned ns)
{
	return (ns & NS_BIT(NS_NET)) && !(ns & NS_BIT(NS_USER)) && !jail_is_set(j, "vnet.interface") &&
	       !jail_is_set(j, step_get(STEP_CREATED)->chain) && !jail_is_set(j, step_get(STEP_JAILED)->chain);
}

/* The create ops; the index of the clone, SIZE_MAX when out of memory. */
static size_t build_create(struct builder *b, unsigned ns)
{
	b->step = STEP_CREATE;
	struct lx_op *op = add(b, LXO_CLONE, NULL);
	size_t clone = op ? b->p->n - 1 : SIZE_MAX;
	if (op)
		op->ns = ns;
	if (ns & NS_BIT(NS_USER))
		add(b, LXO_IDMAPS, NULL);
	add(b, LXO_CGROUPS, NULL);
	return clone;
}

/* Anything that mounts inside the jail. */
static bool wants_mounts(const struct jail *j, bool dev)
{
	static const char *const params[] = {"path", "pivot_root", "mount", "mount.fstab", "keep_mount"};
	static const char *const bools[] = {"mount.procfs", "mount.sysfs", "mount.tmp"};
	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
		if (jail_is_set(j, params[i]))
			return true;
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (jail_bool(j, bools[i]))
			return true;
	return dev;
}

/* Returns false when a refusal ends the step. */
static bool build_mounts(struct builder *b, const struct jail *j, unsigned unshared)
{
	bool dev = devfs_linux_wanted(j);
	if (!wants_mounts(j, dev))
		return true;
	/* Making "/" private outside a mount namespace would change the host. */
	if (!(unshared & NS_BIT(NS_MOUNT))) {
		refuse(b, "the jail's mounts need its own mount namespace: add mount to unshare");
		return false;
	}
	add(b, LXO_PRIVATE, NULL);
	struct lx_op *op = add(b, LXO_ROOT, jail_get(j, "path"));
	if (op)
		op->flag = dev;
	add_each(b, j, "mount", LXO_MOUNT);
	add_each(b, j, "mount.fstab", LXO_FSTAB);
	add_each(b, j, "keep_mount", LXO_KEEP);
	if (jail_bool(j, "mount.procfs")) {
		const char *hide = jail_get(j, "hidepid");
		op = add(b, LXO_PROC, hide && *hide ? hide : NULL);
		if (op)
			op->flag = !(unshared & NS_BIT(NS_PID));
	}
	if (jail_bool(j, "mount.sysfs"))
		add(b, LXO_SYS, NULL);
	if (jail_bool(j, "mount.tmp"))
		add(b, LXO_TMP, NULL);
	if (dev && (op = add(b, LXO_DEV, jail_get(j, "devfs_ruleset"))))
		op->flag = (unshared & NS_BIT(NS_USER)) != 0;
	if (jail_is_set(j, "path") || jail_is_set(j, "pivot_root"))
		add(b, LXO_PIVOT, jail_get(j, "pivot_root"));
	return true;
}

static void build_setup(struct builder *b, const struct jail *j, unsigned unshared)
{
	static const char *const uts[] = {"host.hostname", "host.domainname"};
	b->step = STEP_SETUP;
	if (!build_mounts(b, j, unshared))
		return;
	for (size_t i = 0; i < sizeof uts / sizeof uts[0]; i++) {
		const char *name = jail_get(j, uts[i]);
		if (!name || !*name)
			continue;
		/* Without its own uts namespace the jail would rename the host. */
		if (!(unshared & NS_BIT(NS_UTS))) {
			refuse(b, "%s %s needs its own uts namespace: add uts to unshare", uts[i], name);
			return;
		}
		struct lx_op *op = add(b, LXO_UTS, name);
		if (op)
			op->name = uts[i];
	}
	if (unshared & NS_BIT(NS_NET))
		add(b, LXO_LOOPBACK, NULL);
	if (any_rlimit(j))
		add(b, LXO_RLIMITS, NULL);
}

/* The setup ops that may run outside the jail's network namespace: none of them touches the network (proc
 * shows each reader its own namespace's files, not the mounter's). sysfs does (its net class is the
 * mounter's), and so may a mount line (a network filesystem), lo and everything after. */
static bool net_free(enum lx_op_kind k)
{
	switch (k) {
	case LXO_PRIVATE:
	case LXO_ROOT:
	case LXO_PROC:
	case LXO_DEV:
	case LXO_TMP:
	case LXO_PIVOT:
	case LXO_UTS:
		return true;
	default:
		return false;
	}
}

static bool refused(const struct builder *b)
{
	for (size_t i = 0; i < b->p->n; i++)
		if (b->p->ops[i].kind == LXO_REFUSE)
			return true;
	return false;
}

/* LXO_NETJOIN before the first setup op that is not net_free. */
static void add_join(struct builder *b)
{
	size_t at = b->p->n;
	for (size_t i = 0; i < b->p->n; i++) {
		if (b->p->ops[i].step == STEP_SETUP && !net_free(b->p->ops[i].kind)) {
			at = i;
			break;
		}
	}
	struct lx_op *op = add(b, LXO_NETJOIN, NULL);
	if (!op)
		return;
	struct lx_op join = *op;
	memmove(&b->p->ops[at + 1], &b->p->ops[at], (b->p->n - 1 - at) * sizeof join);
	b->p->ops[at] = join;
}

int lx_plan_build(const struct jail *j, struct lx_plan *out)
{
	*out = (struct lx_plan){0};
	struct builder b = {.p = out};
	unsigned unshared = ns_list(jail_get(j, "unshare")), ns = unshared;
	/* A rootfs without its own mount namespace would mount over the host's tree. */
	if (jail_is_set(j, "path") || jail_is_set(j, "pivot_root"))
		ns |= NS_BIT(NS_MOUNT);
	size_t clone = build_create(&b, ns);
	b.step = STEP_VNET;
	add_each(&b, j, "vnet.interface", LXO_VNET);
	build_setup(&b, j, unshared);
	/* A refused setup fails at once: nothing to overlap. */
	if (clone < out->n && net_beside(j, ns) && !refused(&b)) {
		out->ops[clone].ns &= ~NS_BIT(NS_NET);
		out->ops[clone].flag = true;
		add_join(&b);
	}
	b.step = STEP_REMOVE;
	add(&b, LXO_REAP, NULL);
	add(&b, LXO_UNCGROUP, NULL);
	if (jail_is_set(j, "setns-socket"))
		add(&b, LXO_UNLINK, jail_get(j, "setns-socket"));
	if (b.failed) {
		lx_plan_free(out);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void lx_plan_free(struct lx_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->ops[i].text);
	free(p->ops);
	*p = (struct lx_plan){0};
}

/* ---- describing ---- */

/* One line per value of PARAM, each after the parameter's name. */
static void put_list(struct text *t, const struct jail *j, const char *param)
{
	const struct conf_value *v;
	size_t n = jail_list(j, param, &v);
	for (size_t i = 0; i < n; i++)
		text_put(t, "%s %s", param, v[i].text);
}

static void describe_clone(struct text *t, unsigned ns)
{
	char names[128] = "";
	for (int i = 0; i < NS_COUNT; i++)
		if (ns & NS_BIT(i))
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", names[0] ? "," : "",
				 ns_table[i].name);
	text_put(t, "clone the init into new namespaces: %s", names);
}

static void describe_idmaps(struct text *t, const struct jail *j)
{
	static const char *const maps[] = {"uid_map", "gid_map"};
	for (size_t i = 0; i < 2; i++) {
		if (jail_is_set(j, maps[i]))
			put_list(t, j, maps[i]);
		else
			text_put(t, "%s: none given; run by a user, its own id as root", maps[i]);
	}
}

static void describe_cgroups(struct text *t, const struct jail *j)
{
	text_put(t, "the init into a cgroup of its own (as root always; as a user only for limits)");
	for (size_t i = 0; i < NLIMITS; i++)
		if (jail_is_set(j, cgroup_limits[i]))
			text_put(t, "cgroup %s = %s", cgroup_limits[i] + 7, jail_get(j, cgroup_limits[i]));
}

static void describe_rlimits(struct text *t, const struct jail *j)
{
	for (size_t i = 0; i < j->np; i++)
		if (strncmp(j->p[i].name, "rlimit.", 7) == 0 && j->p[i].n)
			text_put(t, "%s = %s", j->p[i].name, j->p[i].v[j->p[i].n - 1].text);
}

static void describe(struct text *t, const struct jail *j, const struct lx_op *op)
{
	switch (op->kind) {
	case LXO_CLONE:
		describe_clone(t, op->ns);
		if (op->flag)
			text_put(t,
				 "make the network namespace, its loopback up, on the host while the init mounts; the init joins it");
		break;
	case LXO_IDMAPS:
		describe_idmaps(t, j);
		break;
	case LXO_CGROUPS:
		describe_cgroups(t, j);
		break;
	case LXO_VNET:
		text_put(t, "move interface %s into the network namespace", op->arg);
		break;
	case LXO_REFUSE:
		text_put(t, "fail: %s", op->text);
		break;
	case LXO_PRIVATE:
		text_put(t, "make the mount tree private");
		break;
	case LXO_ROOT:
		if (op->arg)
			text_put(t, "bind the rootfs %s onto itself", op->arg);
		else if (jail_is_set(j, "pivot_root"))
			text_put(t, "the rootfs is pivot_root's NEW, a mount point already");
		else
			text_put(t, "mount inside the current root");
		break;
	case LXO_MOUNT:
		text_put(t, "mount %s", op->arg);
		break;
	case LXO_FSTAB:
		text_put(t, "mount every line of %s", op->arg);
		break;
	case LXO_KEEP:
		text_put(t, "keep_mount %s", op->arg);
		break;
	case LXO_PROC:
		text_put(t, "mount proc on /proc%s%s%s", op->arg ? " hidepid=" : "", op->arg ? op->arg : "",
			 op->flag ? " (no pid namespace: the host's processes show)" : "");
		break;
	case LXO_SYS:
		text_put(t, "mount sysfs on /sys read-only");
		break;
	case LXO_TMP:
		text_put(t, "mount a tmpfs on /tmp");
		break;
	case LXO_DEV:
		text_put(t, "build /dev on a tmpfs from devfs ruleset %s, %s", op->arg,
			 op->flag ? "host nodes bound (user namespace)" : "nodes made with mknod");
		break;
	case LXO_PIVOT:
		if (op->arg)
			text_put(t, "pivot_root %s", op->arg);
		else
			text_put(t, "pivot_root into %s, detach the old root", jail_get(j, "path"));
		break;
	case LXO_UTS:
		text_put(t, "%s %s", strcmp(op->name, "host.hostname") == 0 ? "hostname" : "domainname", op->arg);
		break;
	case LXO_NETJOIN:
		text_put(t, "join the network namespace made on the host");
		break;
	case LXO_LOOPBACK:
		text_put(t, "bring the loopback interface up");
		break;
	case LXO_RLIMITS:
		describe_rlimits(t, j);
		break;
	case LXO_REAP:
		text_put(t, "the init ends; its namespaces and mounts go with it");
		break;
	case LXO_UNCGROUP:
		text_put(t, "kill what is left in the cgroup and remove it");
		break;
	case LXO_UNLINK:
		text_put(t, "remove the setns socket %s", op->arg);
		break;
	}
}

char *lx_op_describe(const struct jail *j, const struct lx_op *op)
{
	struct text t = {0};
	describe(&t, j, op);
	return text_take(&t);
}

char *lx_describe(const struct jail *j, enum step_id step)
{
	struct lx_plan p;
	struct text t = {0};
	if (lx_plan_build(j, &p) < 0)
		return NULL;
	for (size_t i = 0; i < p.n; i++)
		if (p.ops[i].step == step)
			describe(&t, j, &p.ops[i]);
	lx_plan_free(&p);
	return text_take(&t);
}

/* ---- walking ---- */

static int trace_fd = -1;

void lx_trace_open(void)
{
	const char *file = getenv("WARDER_PLAN_TRACE");
	if (trace_fd < 0 && file && *file)
		trace_fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static void trace(const struct jail *j, const struct lx_op *op)
{
	char *text = trace_fd >= 0 ? lx_op_describe(j, op) : NULL;
	if (!text)
		return;
	for (char *line = text, *end; line; line = end) {
		end = strchr(line, '\n');
		if (end)
			*end++ = '\0';
		dprintf(trace_fd, "%s\t%s\n", step_get(op->step)->name, line);
	}
	free(text);
}

int lx_plan_walk(const struct jail *j, const struct lx_plan *p, enum step_id step, lx_op_fn fn, void *arg)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->ops[i].step != step)
			continue;
		if (fn(&p->ops[i], arg) < 0)
			return -1;
		trace(j, &p->ops[i]);
	}
	return 0;
}
