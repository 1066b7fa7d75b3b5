/* pmatch: shell pattern matching on bytes, as fnmatch(3) in the C locale and as FreeBSD's devfs matches
 * rules in the kernel. glibc's fnmatch converts to wide characters, which pulls the multibyte conversion
 * and its tables into a static binary; a PID 1 only ever matches file names. */
#ifndef WARDER_PMATCH_H
#define WARDER_PMATCH_H

#include <stdbool.h>

enum {
	PM_PATHNAME = 1, /* FNM_PATHNAME: '*', '?' and brackets never match '/' */
	PM_PERIOD = 2,   /* FNM_PERIOD: a leading '.' (after a '/' with PM_PATHNAME) only matches a '.' */
	PM_CLASSES = 4,  /* "[[:alpha:]]" and the other POSIX classes, as glob(3) reads them; devfs has none */
};

/* Whether S matches PAT: '*', '?', "[...]" with '!' or '^' negating, ranges, and '\' quoting the next
 * byte; a '[' without its ']' is itself. */
bool pmatch(const char *pat, const char *s, int flags);

#endif
