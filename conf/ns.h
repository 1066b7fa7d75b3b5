/* ns: the Linux namespaces, as one table - the names `unshare` takes, the files under /proc/PID/ns, the
 * clone(2) flags - for the config's validator, the Linux plan, its back end and `ctl status`.
 *
 * Portable: `warder check --os linux` decides a Linux jail on any system, so the flags are written here as
 * numbers (the Linux build checks them against <sched.h>). */
#ifndef WARDER_NS_H
#define WARDER_NS_H


enum ns_id { NS_MOUNT, NS_PID, NS_UTS, NS_IPC, NS_NET, NS_USER, NS_CGROUP, NS_TIME, NS_COUNT };
#define NS_BIT(id) (1u << (id))

struct ns_def {
	const char *name;              /* as `unshare` writes it: "mount" */
	const char *proc;              /* its file in /proc/PID/ns: "mnt" */
	unsigned long long clone_flag; /* CLONE_NEWNS */
};

extern const struct ns_def ns_table[NS_COUNT];
/* setns(2) order for joining a jail: the user namespace first (it grants the powers over the others), the
 * mount namespace last (it changes what /proc is). */
extern const enum ns_id ns_join_order[NS_COUNT];

/* The namespace a word of `unshare` names (its name, or uWSGI's "fs" for mount), or -1. */
int ns_find(const char *word);
/* The namespaces LIST (`unshare`'s value, NULL: none) names, as NS_BIT()s. */
unsigned ns_list(const char *list);
/* Their clone(2) flags. */
unsigned long long ns_clone_flags(unsigned bits);

#endif
