/* jail_limits: the [limits] section of the jail's state file (STATEDIR/NAME.state), through which `warder
 * attach` gives its command the limits of the jail's main command: user, group(s), caps, no_new_privs and
 * rlimit.*. Written with the state, removed with it. */
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

#include <stdio.h>

/* The [limits] section of JAIL (a struct jail), for state_write. */
void limits_write(FILE *f, const void *jail);
/* The limits to attach with: jail NAME's as its keeper recorded them in STATE (the text of its state file, as
 * state_load read it with the pid to enter), or with NAME NULL (a jail warder does not run) the defaults
 * every main command starts from; with O's changes. NULL after a log line; *C is the caller's to free. */
const struct jail *limits_load(const char *name, const char *state, const struct attach_opts *o, struct conf **c);

#endif
