/* attach: enter a running jail and run a command in it with the jail's limits (`warder attach`). */
#ifndef WARDER_ATTACH_H
#define WARDER_ATTACH_H

#include "jail_limits.h"

/* TARGET: a jail's name, or a path (with a '/') to a setns socket. CMD: argv, NULL-terminated. Returns the
 * command's exit status, or warder's (EXIT_OSERR) after a log line. */
int attach_run(const char *target, char **cmd, const struct attach_opts *o);

#endif
