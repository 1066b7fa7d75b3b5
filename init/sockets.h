/* sockets: the listening sockets of a jail (the `listen` parameter), bound by warder and handed to the main
 * command as fds 3.. with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES, systemd's socket-activation convention.
 *
 * Who binds what: the keeper binds the host-side sockets before the first step and keeps them for as long
 * as it lives, across `reload = stack` and `reload = jail`, so that the kernel queues connections in the
 * backlog while the stack or the jail is rebuilt; the init (a fork of the keeper, which inherits them) binds
 * the `inside` ones in the jail's network namespace and filesystem after exec.start and keeps them across
 * `reload = stack`. `warder emperor` binds a vassal's host-side sockets itself and passes them to the vassal
 * as LISTEN_FDS: a `warder run` started so (or by systemd's socket units) takes those that match its
 * addresses instead of binding, which keeps the sockets open across the vassal's death and respawn. */
#ifndef WARDER_SOCKETS_H
#define WARDER_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "listen.h"

struct lsock {
	struct listen_spec spec;
	int fd;     /* -1: not bound here (an `inside` socket in the keeper) */
	bool owned; /* we bound it: a unix path is ours to unlink */
};

struct sockset {
	struct lsock *s; /* in the config's order: the order of the fds passed */
	size_t n;
};

/* This process's jail: the keeper fills it, the init inherits it with the fork. */
extern struct sockset sockets_jail;

enum sockets_where {
	SOCKETS_HOST,      /* the keeper or the emperor: bind the host-side sockets */
	SOCKETS_INSIDE,    /* the jail's init: bind the `inside` ones */
	SOCKETS_INIT_ONLY, /* init-only mode: `inside` ones are bound here; host-side ones must be passed in */
};

/* Take the sockets passed to this process (LISTEN_PID is ours) and clear the variables, so that nothing
 * started from here sees them. Call once, early. */
void sockets_inherit(void);
/* Make SET what J's `listen` asks for at WHERE: keep what is open already (matched by address), take an
 * inherited socket, or bind; close what J no longer lists. 0, or an exit status (71: one cannot be bound,
 * 78: init-only mode cannot have it) after one line naming the address; SET is then as before. */
int sockets_open(struct sockset *set, const struct jail *j, enum sockets_where where);
/* Close every socket of SET (INSIDE_ONLY: only the `inside` ones) and unlink the unix paths bound here. */
void sockets_close(struct sockset *set, bool inside_only);
/* For the command: the open fds of SET in order into FDS (at most MAX), the environment set (LISTEN_FDS,
 * LISTEN_FDNAMES, LISTEN_PID = this process, which supervise.c rewrites for the child) or cleared when
 * there are none. Names default to DFLT_NAME. Returns how many, or -1 after a line when the environment
 * cannot be set. */
int sockets_export(const struct sockset *set, const char *dflt_name, int *fds, size_t max);
/* The same list as a LISTEN_FDNAMES value into BUF. */
void sockets_names(const struct sockset *set, const char *dflt_name, char *buf, size_t len);
/* In a child between fork and exec, async-signal-safe: FDS[i] becomes fd FIRST+i, inheritable; the old
 * numbers stay open close-on-exec. 0, or -1. */
int sockets_place(const int *fds, int n, int first);

#endif
