/* vassal: the vassal side of uWSGI's Emperor protocol, for `warder run` started by an emperor (uWSGI's or
 * warder's own). The emperor hands over one end of a socketpair in UWSGI_EMPEROR_FD; both sides send
 * single bytes on it (VASSAL_* below). Without that variable every function here does nothing. */
#ifndef WARDER_VASSAL_H
#define WARDER_VASSAL_H

#include <stdbool.h>

/* Bytes, emperor -> vassal. End-of-file means the emperor is gone. */
#define VASSAL_STOP 0
#define VASSAL_RELOAD 1
#define VASSAL_GRACEFUL_STOP 2
/* Bytes, vassal -> emperor. */
#define VASSAL_SPAWNED 1
#define VASSAL_READY 5      /* "ready to accept requests": the main command runs */
#define VASSAL_LOYAL 17     /* ran long enough not to be throttled */
#define VASSAL_VOLUNTARY 22 /* stops for its own reasons (an emperor respawns it unless it exits 26) */
#define VASSAL_HEARTBEAT 26

struct ev_loop;
struct jail;

/* Take the emperor's fd (close-on-exec), clear the death signal the emperor set, say "spawned", watch the
 * fd on LOOP. 0, also when there is no emperor; -1 after a log line. */
int vassal_start(struct ev_loop *loop, const struct jail *j);
/* In a process forked from the vassal (the jail's init): forget the fd without telling the emperor. */
void vassal_forget(struct ev_loop *loop);
/* The jail is gone with CODE: tell the emperor when it stopped for its own reasons, then close. */
void vassal_end(int code);
bool vassal_active(void);

#endif
