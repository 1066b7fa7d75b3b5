/* exits: warder's exit codes, shared by every layer. */
#ifndef WARDER_EXITS_H
#define WARDER_EXITS_H

/* Each code means one thing (warder(8) EXIT STATUS). */
#define EXIT_EXILE 26    /* uWSGI's exile code: an emperor does not respawn a vassal that exits with it */
#define EXIT_USAGE 64    /* EX_USAGE */
#define EXIT_SOFTWARE 70 /* a hook chain failed */
#define EXIT_OSERR 71    /* a system call failed while building the jail */
#define EXIT_TEMPFAIL 75 /* EX_TEMPFAIL: a jail of that name is already running, or attach's was rebuilt; try again */
#define EXIT_NOTREADY 76 /* EX_PROTOCOL: the stack missed ready.timeout or its watchdog (ready.fail = stop) */
#define EXIT_CONFIG 78   /* EX_CONFIG: a config, or a name in it (user, group, ruleset), that cannot work */
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

/* warder, run as a vassal, must never report uWSGI's exile code by accident. */
_Static_assert(EXIT_USAGE != EXIT_EXILE && EXIT_SOFTWARE != EXIT_EXILE && EXIT_OSERR != EXIT_EXILE &&
		       EXIT_TEMPFAIL != EXIT_EXILE && EXIT_NOTREADY != EXIT_EXILE && EXIT_CONFIG != EXIT_EXILE &&
		       EXIT_NOEXEC != EXIT_EXILE && EXIT_NOTFOUND != EXIT_EXILE,
	       "an exit code of warder's own is uWSGI's exile code");

#endif
