/* rlimit: rlimit.NAME = SOFT[:HARD], parsed and set by the jail's init on both systems, so that everything
 * it starts inherits the limits. Each system knows its own names (conf/params.c lists both sets). */
#ifndef WARDER_RLIMIT_H
#define WARDER_RLIMIT_H

#include <stddef.h>

#include "conf.h"

/* NAME without "rlimit."; VALUE "SOFT[:HARD]", numbers (K/M/G) or unlimited/infinity, one number setting
 * both. 0, or -1 with a message in ERR (also for a name this system does not have). */
int rlimit_parse(const char *name, const char *value, int *resource, unsigned long long *soft, unsigned long long *hard,
		 char *err, size_t errlen);

/* setrlimit for every rlimit.NAME of J (its last value). 0, or -1 after one line naming STEP. */
int rlimit_apply(const struct jail *j, const char *step);

#endif
