/* create: makes a Linux jail from the host side and takes it down again.
 *
 * The init is cloned (clone3) straight into the namespaces `unshare` lists; it blocks on its end of the
 * socketpair until the keeper says "go". Before that the keeper writes its uid/gid maps, puts it into the
 * jail's cgroups, and (STEP_VNET) moves interfaces into its network namespace. The init dies with the keeper
 * (PR_SET_PDEATHSIG), and with a pid namespace everything in the jail dies with the init. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exits.h"
#include "inside.h"
#include "kmsg.h"
#include "log.h"
#include "ns.h"
#include "steps.h"

bool lx_wanted(const struct jail *j)
{
	return jail_builds(j, PF_LINUX);
}

const struct lx_plan *lx_plan_of(struct jailrun *r)
{
	static struct lx_plan own;
	struct lx_priv *p = r->priv;
	if (p)
		return &p->plan;
	lx_plan_free(&own);
	if (lx_plan_build(r->j, &own) < 0) {
		log_errno(LXC_CREATE, "plan");
		return NULL;
	}
	return &own;
}

/* What only real root may have; the rest a user namespace grants. */
static const struct {
	const char *param;
	const char *why;
} root_only[] = {
	{"vnet.interface", "moving a host interface needs root in the host's network namespace"},
};

int lx_check(struct jailrun *r)
{
	const struct jail *j = r->j;
	if (jail_is_set(j, "vnet.interface") && !(ns_list(jail_get(j, "unshare")) & NS_BIT(NS_NET))) {
		log_err(LXC_CREATE, "vnet.interface needs its own network namespace: add net to unshare");
		return -1;
	}
	if (!r->rootless)
		return lxcg_check(r);
	if (!(ns_list(jail_get(j, "unshare")) & NS_BIT(NS_USER))) {
		log_err(LXC_CREATE, "not running as root: unshare must include user (and uid_map map your uid)");
		return -1;
	}
	for (size_t i = 0; i < sizeof root_only / sizeof root_only[0]; i++) {
		if (jail_is_set(j, root_only[i].param)) {
			log_err(LXC_CREATE, "%s: refused without root: %s", root_only[i].param, root_only[i].why);
			return -1;
		}
	}
	return lxcg_check(r);
}

static int write_file(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		log_errno(LXC_CREATE, "open %s", path);
		return -1;
	}
	size_t len = strlen(text);
	/* The kernel takes a map in one write(2) only. */
	ssize_t n = write(fd, text, len);
	int err = errno;
	if (close(fd) < 0 && n >= 0) {
		log_errno(LXC_CREATE, "close %s", path);
		return -1;
	}
	if (n != (ssize_t)len) {
		errno = n < 0 ? err : EIO;
		log_errno(LXC_CREATE, "write %s \"%s\"", path, text);
		return -1;
	}
	return 0;
}

/* "INSIDE OUTSIDE COUNT" lines from the config; without any, a rootless jail maps the caller to root. */
static int map_text(const struct jail *j, const char *param, unsigned long self, bool rootless, char *buf, size_t len)
{
	const struct conf_value *v;
	size_t n = jail_list(j, param, &v), o = 0;
	if (n == 0 && rootless) {
		snprintf(buf, len, "0 %lu 1\n", self);
		return 0;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + o, len - o, "%s\n", v[i].text);
		if (w < 0 || (size_t)w >= len - o) {
			log_err(LXC_CREATE, "%s: too many lines", param);
			return -1;
		}
		o += (size_t)w;
	}
	return 0;
}

static int write_maps(struct jailrun *r)
{
	char uid[1024], gid[1024];
	if (map_text(r->j, "uid_map", (unsigned long)geteuid(), r->rootless, uid, sizeof uid) < 0 ||
	    map_text(r->j, "gid_map", (unsigned long)getegid(), r->rootless, gid, sizeof gid) < 0)
		return -1;
	if (uid[0] && write_file(r->init_pid, "uid_map", uid) < 0)
		return -1;
	/* Without CAP_SETGID in the parent namespace the kernel takes a gid_map only after setgroups is
	 * denied, so that the jail cannot drop a supplementary group used to deny it access. */
	if (gid[0] && r->rootless && write_file(r->init_pid, "setgroups", "deny") < 0)
		return -1;
	if (gid[0] && write_file(r->init_pid, "gid_map", gid) < 0)
		return -1;
	return 0;
}

/* CGFD >= 0: born in that cgroup; where the kernel refuses that (older than 5.7, say), a plain clone3;
 * where clone3 itself is missing (Linux before 5.3, or a seccomp profile that answers ENOSYS to it, as
 * container runtimes' default ones do), clone(2), unless a time namespace is asked for: its flag is in
 * clone(2)'s exit-signal byte. With no new stack the child runs on a copy of ours, as after fork; the
 * keeper has one thread. */
static pid_t clone_init(unsigned long long flags, int cgfd, bool *born)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	*born = false;
	pid_t pid;
	if (cgfd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (unsigned long long)cgfd;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		if (pid >= 0) {
			*born = true;
			return pid;
		}
		ca.flags = flags;
		ca.cgroup = 0;
	}
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0 && errno == ENOSYS && !(flags & CSIGNAL))
		pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	return pid;
}

/* In the new init: die with the keeper, drop the keeper's end, run the body. Never returns. */
static void init_child(struct jailrun *r, jail_init_fn init, void *arg, pid_t keeper, bool mount_ns)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		log_errno(LXC_CREATE, "prctl PR_SET_PDEATHSIG");
		_exit(EXIT_OSERR);
	}
	/* The keeper may have died before the prctl: then nobody would kill us; the socket's end-of-file
	 * tells the body too, but only once it reads. Without a pid namespace getppid() shows it. */
	if (!r->pid_ns && getppid() != keeper) {
		log_err(LXC_CREATE, "the keeper (pid %ld) is gone before the jail's init started", (long)keeper);
		_exit(EXIT_OSERR);
	}
	if (close(r->sync_fd) < 0) {
		log_errno(LXC_CREATE, "close the keeper's end of the sync socket");
		_exit(EXIT_OSERR);
	}
	/* exec.jailed mounts before the setup makes the tree private: nothing may propagate to the host. */
	if (mount_ns && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		log_errno(LXC_CREATE, "make the mount tree private");
		_exit(EXIT_OSERR);
	}
	((struct lx_priv *)r->priv)->born_private = mount_ns;
	r->sync_fd = -1;
	_exit(init(r, arg));
}

/* Kill and reap an init whose creation failed half-way. */
static void kill_init(struct jailrun *r)
{
	if (r->init_pid <= 0)
		return;
	kill(r->init_pid, SIGKILL);
	while (waitpid(r->init_pid, NULL, 0) < 0 && errno == EINTR)
		;
	r->init_pid = 0;
}

struct create_ctx {
	struct jailrun *r;
	jail_init_fn init;
	void *arg;
};

static int spawn_init(struct create_ctx *c, const struct lx_op *op)
{
	struct jailrun *r = c->r;
	unsigned long long flags = ns_clone_flags(op->ns);
	((struct lx_priv *)r->priv)->net_beside = op->flag;
	r->pid_ns = (flags & CLONE_NEWPID) != 0;
	pid_t keeper = getpid();
	int cgfd = lxcg_early(r);
	bool born;
	pid_t pid = clone_init(flags, cgfd, &born);
	if (cgfd >= 0)
		close(cgfd); /* the init keeps no handle on the host's cgroup tree */
	if (pid < 0) {
		log_errno(LXC_CREATE, "clone with namespaces 0x%llx", flags);
		return -1;
	}
	if (pid == 0)
		init_child(r, c->init, c->arg, keeper, (flags & CLONE_NEWNS) != 0);
	r->init_pid = pid;
	((struct lx_priv *)r->priv)->cg_born = born;
	log_debug(LXC_CREATE, "init is pid %ld (namespaces 0x%llx)", (long)pid, flags);
	return 0;
}

/* One op of lx_plan's STEP_CREATE list. */
static int create_op(const struct lx_op *op, void *arg)
{
	struct create_ctx *c = arg;
	switch (op->kind) {
	case LXO_CLONE:
		return spawn_init(c, op);
	case LXO_IDMAPS:
		return write_maps(c->r);
	case LXO_CGROUPS:
		return lxcg_create(c->r, c->r->init_pid);
	default:
		log_err(LXC_CREATE, "operation %d is not a create one", (int)op->kind);
		return -1;
	}
}

static void free_priv(struct jailrun *r)
{
	struct lx_priv *p = r->priv;
	if (p) {
		lx_plan_free(&p->plan);
		if (p->exit_fd >= 0)
			close(p->exit_fd);
	}
	free(p);
	r->priv = NULL;
}

int lx_create(struct jailrun *r, jail_init_fn init, void *arg)
{
	struct lx_priv *p = calloc(1, sizeof *p);
	if (!p || lx_plan_build(r->j, &p->plan) < 0) {
		log_errno(LXC_CREATE, "out of memory");
		free(p);
		return -1;
	}
	p->exit_fd = -1;
	r->priv = p;
	r->init_pid = 0;
	r->net_fd = -1;
	r->net_got = false;
	lx_trace_open();
	struct create_ctx c = {r, init, arg};
	if (lx_plan_walk(r->j, &p->plan, STEP_CREATE, create_op, &c) < 0) {
		kill_init(r);
		lxcg_remove(r);
		free_priv(r);
		return -1;
	}
	return 0;
}

/* --- the network namespace made beside the init's mounts ---------------------------------------------------- */

struct net_child {
	int fd, err;
	const char *what; /* the call that failed; NULL: the clone */
};

/* Born in the new network namespace, sharing the keeper's memory and fd table: brings its lo up (here, off the
 * init's way; the init's loopback op finds it up) and opens the namespace. Quiet: the keeper says what failed.
 * Its frames live in clone_net_child's array and it never returns: no sanitizer bookkeeping may be left in
 * them. */
__attribute__((no_sanitize_address)) static int net_child(void *arg)
{
	struct net_child *n = arg;
	if (lxid_loopback_up(&n->what) < 0) {
		n->err = errno;
		_exit(0);
	}
	n->fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	n->err = n->fd < 0 ? errno : 0;
	n->what = "open it";
	_exit(0);
}

/* The child's stack is in this frame only: the keeper's later calls reuse what it touched, not pages below it. */
__attribute__((noinline)) static pid_t clone_net_child(struct net_child *n)
{
	char stack[16384] __attribute__((aligned(16)));
	return clone(net_child, stack + sizeof stack, CLONE_NEWNET | CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, n);
}

/* A new network namespace costs about as much as the rest of the clone; made here, after "go", it is made on
 * the other CPU while the init mounts. The kernel makes it for a child cloned into it, in our time (the
 * clone returns once the child is gone: CLONE_VFORK), so this process never leaves its own namespace; the
 * child only opens it, on a stack of ours, with every signal blocked. The init joins it (LXO_NETJOIN). */
int lx_after_go(struct jailrun *r)
{
	struct lx_priv *p = r->priv;
	if (!p || !p->net_beside)
		return 0;
	struct net_child n = {-1, 0, NULL};
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = clone_net_child(&n);
	int err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || n.fd < 0) {
		int e = pid < 0 ? err : n.err;
		errno = e;
		log_errno(LXC_CREATE, "make the network namespace%s%s", n.what ? ": " : "", n.what ? n.what : "");
		kmsg_send(r->sync_fd, KMSG_NETNS, e ? e : EIO);
		return -1;
	}
	int rc = kmsg_send_fd(r->sync_fd, KMSG_NETNS, 0, n.fd);
	close(n.fd);
	return rc;
}

/* --- vnet: RTM_NEWLINK with IFLA_NET_NS_PID moves an interface into the init's network namespace ------- */
struct nlreq {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

static void nl_attr_u32(struct nlreq *q, unsigned short type, unsigned int v)
{
	struct rtattr *a = (struct rtattr *)((char *)q + NLMSG_ALIGN(q->nh.nlmsg_len));
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(sizeof v);
	memcpy(RTA_DATA(a), &v, sizeof v);
	q->nh.nlmsg_len = NLMSG_ALIGN(q->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static int nl_ack(int fd, const char *ifname)
{
	char buf[512];
	ssize_t n;
	do
		n = recv(fd, buf, sizeof buf, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		log_errno(step_name(STEP_VNET), "netlink recv");
		return -1;
	}
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR) {
		log_err(step_name(STEP_VNET), "%s: unexpected netlink answer", ifname);
		return -1;
	}
	struct nlmsgerr *e = NLMSG_DATA(h);
	if (e->error) {
		errno = -e->error;
		log_errno(step_name(STEP_VNET), "move %s into the jail", ifname);
		return -1;
	}
	return 0;
}

/* if_nametoindex(3) as the C library does it (SIOCGIFINDEX on a datagram socket; 0 with errno ENODEV for
 * an unknown or too long name), without if_nameindex's netlink code that comes in the same object. */
static unsigned ifindex(const char *ifname)
{
	struct ifreq ifr;
	size_t len = strlen(ifname);
	int s, e;

	if (len >= sizeof ifr.ifr_name) {
		errno = ENODEV;
		return 0;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, ifname, len);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 0;
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		e = errno;
		close(s); /* nothing written */
		errno = e == EINVAL ? ENOSYS : e;
		return 0;
	}
	close(s); /* nothing written */
	return (unsigned)ifr.ifr_ifindex;
}

static int move_link(int fd, const char *ifname, pid_t pid)
{
	unsigned idx = ifindex(ifname);
	if (idx == 0) {
		log_errno(step_name(STEP_VNET), "vnet.interface %s", ifname);
		return -1;
	}
	struct nlreq q;
	memset(&q, 0, sizeof q);
	q.nh.nlmsg_len = NLMSG_LENGTH(sizeof q.ifi);
	q.nh.nlmsg_type = RTM_NEWLINK;
	q.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	q.ifi.ifi_family = AF_UNSPEC;
	q.ifi.ifi_index = (int)idx;
	nl_attr_u32(&q, IFLA_NET_NS_PID, (unsigned)pid);
	if (send(fd, &q, q.nh.nlmsg_len, 0) < 0) {
		log_errno(step_name(STEP_VNET), "netlink send");
		return -1;
	}
	return nl_ack(fd, ifname);
}

/* Nothing to give back on removal: when the namespace dies the kernel returns physical interfaces to the
 * host and destroys virtual ones (a veth pair goes with its jail end). */
struct vnet_ctx {
	pid_t pid;
	int fd; /* the netlink socket, opened for the first interface */
};

static int vnet_op(const struct lx_op *op, void *arg)
{
	struct vnet_ctx *c = arg;
	if (op->kind != LXO_VNET) {
		log_err(step_name(STEP_VNET), "operation %d is not a vnet one", (int)op->kind);
		return -1;
	}
	if (c->fd < 0 && (c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0) {
		log_errno(step_name(STEP_VNET), "netlink socket");
		return -1;
	}
	if (move_link(c->fd, op->arg, c->pid) < 0)
		return -1;
	log_debug(step_name(STEP_VNET), "moved %s into the jail", op->arg);
	return 0;
}

int lx_vnet(struct jailrun *r, bool in)
{
	const struct lx_plan *plan = lx_plan_of(r);
	if (!in)
		return 0;
	if (!plan)
		return -1;
	struct vnet_ctx c = {r->init_pid, -1};
	int rc = lx_plan_walk(r->j, plan, STEP_VNET, vnet_op, &c);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}

/* --- remove ----------------------------------------------------------------------------------------------- */
static pid_t wait_init(pid_t pid, int *wstatus, int options)
{
	pid_t w;
	do
		w = waitpid(pid, wstatus, options);
	while (w < 0 && errno == EINTR);
	return w;
}

int lx_exit_fd(struct jailrun *r)
{
	struct lx_priv *p = r->priv;
	if (!p || r->init_pid <= 0)
		return -1;
	if (p->exit_fd < 0)
		p->exit_fd = (int)syscall(SYS_pidfd_open, r->init_pid, 0);
	return p->exit_fd;
}

/* Has the init exited (not yet reaped) within MS milliseconds? Its pidfd wakes us the moment it does; when
 * none can be had (out of fds), it is polled from 1 ms up to 10. */
static bool exits_within(struct jailrun *r, long ms)
{
	siginfo_t si;
	pid_t pid = r->init_pid;
	int fd = lx_exit_fd(r);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct timespec t0, t;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int n;
		long left = ms;
		while ((n = poll(&p, 1, (int)left)) < 0 && errno == EINTR) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = ms - (t.tv_sec - t0.tv_sec) * 1000 - (t.tv_nsec - t0.tv_nsec) / 1000000;
			if (left < 0)
				left = 0;
		}
		return n > 0;
	}
	struct timespec tick = {0, 1000 * 1000};
	for (long waited = 0; waited <= ms; waited += tick.tv_nsec / 1000000) {
		si.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == pid)
			return true; /* or gone: the wait below says which */
		nanosleep(&tick, NULL);
		if (tick.tv_nsec < 10 * 1000 * 1000)
			tick.tv_nsec *= 2;
	}
	return false;
}

/* The keeper closed its end: an init still waiting for "go" or "stop" exits on its own. Give it a moment
 * (stop.timeout covers an init busy stopping its processes, and its namespaces take a few ms to go), then
 * KILL. */
static int reap_init(struct jailrun *r, int *wstatus)
{
	double grace = jail_duration(r->j, "stop.timeout");
	if (!exits_within(r, (long)((grace > 0 ? grace : 0) * 1000) + 5000)) {
		log_warn(LXC_REMOVE, "init %ld did not exit: SIGKILL", (long)r->init_pid);
		kill(r->init_pid, SIGKILL);
	}
	if (wait_init(r->init_pid, wstatus, 0) < 0) {
		log_errno(LXC_REMOVE, "waitpid %ld", (long)r->init_pid);
		return -1;
	}
	return 0;
}

struct remove_ctx {
	struct jailrun *r;
	int *wstatus;
	int rc; /* every op runs: a failed one does not keep the rest from cleaning up */
};

static int remove_op(const struct lx_op *op, void *arg)
{
	struct remove_ctx *c = arg;
	struct jailrun *r = c->r;
	switch (op->kind) {
	case LXO_REAP:
		if (r->init_pid > 0 && reap_init(r, c->wstatus) < 0)
			c->rc = -1;
		r->init_pid = 0;
		break;
	case LXO_UNCGROUP:
		if (lxcg_remove(r) < 0)
			c->rc = -1;
		break;
	case LXO_UNLINK:
		if (unlink(op->arg) < 0 && errno != ENOENT) {
			log_errno(LXC_REMOVE, "unlink %s", op->arg);
			c->rc = -1;
		}
		break;
	default:
		log_err(LXC_REMOVE, "operation %d is not a remove one", (int)op->kind);
		c->rc = -1;
		break;
	}
	return 0;
}

int lx_remove(struct jailrun *r, int *wstatus)
{
	struct remove_ctx c = {r, wstatus, 0};
	const struct lx_plan *plan = lx_plan_of(r);
	*wstatus = -1;
	if (plan) {
		lx_plan_walk(r->j, plan, STEP_REMOVE, remove_op, &c);
	} else {
		/* No plan (out of memory): the init and its cgroups must still go. */
		static const struct lx_op must[] = {{.step = STEP_REMOVE, .kind = LXO_REAP},
						    {.step = STEP_REMOVE, .kind = LXO_UNCGROUP}};
		for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
			remove_op(&must[i], &c);
		c.rc = -1;
	}
	free_priv(r);
	return c.rc;
}
