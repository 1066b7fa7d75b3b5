/* readfile: a whole file into memory, read one way for every caller (configs, includes, rulesets, fstabs). */
#ifndef WARDER_READFILE_H
#define WARDER_READFILE_H

#include <stddef.h>

/* PATH's contents, NUL-terminated, into *TEXT (the caller frees it), their length into *LEN (LEN may be
 * NULL). 0, or -1 with errno: a directory is EISDIR. The text may hold NUL bytes: callers that want text
 * check *LEN against strlen. */
int readfile(const char *path, char **text, size_t *len);

#endif
