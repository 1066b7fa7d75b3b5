/* keeper: the host side of a jail (walks hooks/steps.h's create and remove orders). It speaks init/kmsg.h
 * with the jail's init and writes the state files of init/state.h. */
#ifndef WARDER_KEEPER_H
#define WARDER_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "jail.h"

/* Build jail J called NAME, run it until it stops, remove it. Returns the exit status (DESIGN.md). FILE is
 * the config J came from, read again on `reload = jail` (NULL: the built-in demo, rebuilt as it is). */
struct ev_loop;
int keeper_run(struct ev_loop *loop, const struct jail *j, const char *name, const char *file);
/* The keeper running in this process: reload or stop it as SIGHUP or SIGTERM would. 0, or -1 with a
 * reason in ERR (nothing runs, a reload is under way, the new config does not parse). */
int keeper_reload(char *err, size_t errlen);
int keeper_stop(void);

/* --- the init (init/run.c) and the setns socket it serves (init/attach.c) ---------------------------------- */
/* The jail's init, in its new process once the back end made it: waits for "go", runs the in-jail steps,
 * supervises the main command, stops on "stop". Returns its exit status. */
int run_jail_init(struct jailrun *r, struct ev_loop *loop);

/* uWSGI's setns-socket: bind PATH and open the /proc/self/ns entries now (before the root changes); returns the
 * listening fd (close-on-exec) or -1 after a log line. setns_serve answers one client: the payload
 * "uwsgi-setns", an int with the count, and the namespace fds (user excluded) as SCM_RIGHTS. */
int setns_listen(const char *path);
void setns_serve(int lfd);
void setns_close(void);

#endif
