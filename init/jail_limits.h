/* jail_limits: the file (STATEDIR/NAME.limits) through which `warder attach` gives its command the limits of the
 * jail's main command: user, group(s), caps, no_new_privs and rlimit.*. Written before the state file,
 * removed with it. */
#ifndef WARDER_JAIL_LIMITS_H
#define WARDER_JAIL_LIMITS_H

#include <stdbool.h>

#include "conf.h"

/* What `warder attach` changes in them. */
struct attach_opts {
	const char *user; /* -u: replaces user, group and groups (the user's own, as docker exec -u) */
	const char *caps; /* --cap: appended to the jail's caps, in caps' grammar */
	bool privileged;  /* --privileged: caps all, no_new_privs off */
};

int limits_save(const struct jail *j, const char *name);
int limits_remove(const char *name);
/* The limits to attach with: jail NAME's as its keeper recorded them, or with NAME NULL (a jail warder does
 * not run) the defaults every main command starts from; with O's changes. NULL after a log line; *C is the
 * caller's to free. */
const struct jail *limits_load(const char *name, const struct attach_opts *o, struct conf **c);

#endif
