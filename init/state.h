/* state: the state files (STATEDIR/NAME.state) through which `warder list`, `attach`, `ctl` and the vassal
 * side find a jail its keeper runs. */
#ifndef WARDER_STATE_H
#define WARDER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct jail_state {
	char name[128];
	pid_t pid;         /* the init's host pid */
	pid_t keeper;      /* the keeper's pid */
	long long started; /* epoch seconds */
	char path[512];    /* rootfs, "-" when none */
	char socket[512];  /* setns-socket, "" when none */
	char control[512]; /* control socket, "" when none */
};

/* The directory: $WARDER_RUNDIR, else /run/warder for root, else $XDG_RUNTIME_DIR/warder or /tmp/warder-UID. */
const char *state_dir(char *buf, size_t len);
/* STATEDIR/NAME.EXT, the files a keeper keeps for its jail: written whole through a temporary (EMIT writes
 * the content), removed (absent is fine). */
void state_file(const char *name, const char *ext, char *buf, size_t len);
int state_file_write(const char *name, const char *ext, void (*emit)(FILE *f, const void *arg), const void *arg);
int state_file_remove(const char *name, const char *ext);
/* S's lines, then what TAIL writes (the jail's [limits]: see jail_limits.h); readers of S stop at a '['. */
int state_write(const struct jail_state *s, void (*tail)(FILE *f, const void *arg), const void *arg);
int state_read(const char *name, struct jail_state *s); /* 0, -1 when absent or unreadable (errno) */
/* As state_read, and the file's whole text into *TEXT (the caller's to free): one read, so the [limits]
 * section and the pid are of the same build. */
int state_load(const char *name, struct jail_state *s, char **text);
int state_remove(const char *name);
bool state_alive(const struct jail_state *s); /* the recorded keeper is still running */
/* FN for every jail whose state file reads (NAME from the file's name), alive or not, until FN returns
 * nonzero. Returns what FN returned, 0 after the last, or -1 when the directory cannot be opened (errno;
 * ENOENT: no jail has run yet). */
typedef int (*state_fn)(const char *name, const struct jail_state *s, void *arg);
int state_each(state_fn fn, void *arg);

#endif
