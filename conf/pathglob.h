/* pathglob: the file names a pattern matches, for the configs' includes. glob(3) with no flags, matched the
 * same way (fnmatch(3) per component, FNM_PERIOD; a backslash quotes; unreadable directories match
 * nothing; results sorted by strcmp, the C locale's order), without glob's ~user code, which a static
 * binary pays for with getpwnam and the whole NSS and DNS client. A trailing slash keeps the directories
 * among the matches (with one slash after each). Portable. */
#ifndef WARDER_PATHGLOB_H
#define WARDER_PATHGLOB_H

#include <stddef.h>

struct pathglob {
	size_t n;
	char **path;
};

/* 0 with at least one match in *G (free it with pathglob_free), PATHGLOB_NOMATCH, or -1 with errno
 * (ENOMEM). */
#define PATHGLOB_NOMATCH 1
int pathglob(const char *pattern, struct pathglob *g);
void pathglob_free(struct pathglob *g);

#endif
