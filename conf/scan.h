/* scan: words and small files read the way the sscanf/fscanf calls they replace read them. A static binary
 * pays about 100 KiB for the scanf family (vfscanf, wide characters, strtof128); these cost a few hundred
 * bytes. Portable. */
#ifndef WARDER_SCAN_H
#define WARDER_SCAN_H

#include <stddef.h>
#include <sys/types.h>

/* The next word of *P as scanf's "%Ns" reads it, N = CAP - 1: blanks (isspace) skipped, at most CAP - 1
 * other bytes copied into OUT and NUL-terminated, *P left after them (a longer word's rest is the next
 * word). Its length: 0 at the end of the text. OUT may be NULL, as for "%*s". */
size_t scan_word(const char **p, char *out, size_t cap);

/* The start of PATH (a /proc or /sys file, read to its end or until LEN - 1 bytes) into BUF,
 * NUL-terminated: its length, or -1 with errno. */
ssize_t scan_file(const char *path, char *buf, size_t len);

#endif
