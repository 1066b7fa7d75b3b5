/* jailconf: FreeBSD's jail.conf(5) read (jailconf.c) and written out as warder's INI (jailconf_ini.c), for
 * `warder import-jailconf`.
 *
 * Syntax read: `name { param = value; ... }` blocks, parameters outside blocks (the global scope, which jail(8)
 * keeps as a "*" pseudo-jail, in file order), `*` blocks, `param;` (true), `noparam;` / `foo.noparam;` (false),
 * `param += value;`, comma lists, `$var = value;`, unquoted tokens, "..." (C escapes, variables expand) and
 * '...' (literal), comments # // and C style, and FreeBSD 14's `.include "glob";` (relative to the including
 * file's directory; sorted matches; a glob matching nothing is an error).
 *
 * Written: `[*]` for the global scope and `*` blocks, `[NAME]` per block, in file order, so warder merges them
 * as jail(8) does; `key = value` / `key += value` (a list key gets one line per value), `$var = value`, and
 * `jail2 = name=value` for kernel parameters warder does not know. Includes are inlined (the included files are
 * jail.conf syntax, not INI), each marked with a "; from FILE" comment. An assignment that a later `=` in the
 * same block replaces is dropped, as jail(8) drops it. Values are written so warder's INI reader (lines of
 * any length up to CONF_LINE_MAX, " ;" starts a comment, a value starting with a quote is unquoted, '...' literal)
 * reads back the same text; what it cannot carry is an error. Errors: "FILE:LINE: message". */
#ifndef WARDER_JAILCONF_H
#define WARDER_JAILCONF_H

#include <stddef.h>

/* Convert the jail.conf at PATH. ROOT, when not NULL, is prefixed to absolute .include paths (a FreeBSD
 * tree copied elsewhere). Returns 0 with a malloc'd INI text in *out, or -1 with one line in err. */
int jailconf_to_ini(const char *path, const char *root, char **out, char *err, size_t errlen);
/* The same from memory; NAME is used in messages, relative includes are relative to DIR (NULL: "."). */
int jailconf_string_to_ini(const char *name, const char *text, const char *dir, const char *root, char **out, char *err,
			   size_t errlen);

#endif
