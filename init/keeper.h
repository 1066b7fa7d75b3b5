/* keeper: the host side of a jail (walks hooks/steps.h's create and remove orders). It speaks init/kmsg.h
 * with the jail's init and writes the state files of init/state.h. */
#ifndef WARDER_KEEPER_H
#define WARDER_KEEPER_H

#include "conf.h"

/* Build jail J called NAME, run it until it stops, remove it. Returns the exit status (DESIGN.md). FILE is
 * the config J came from, read again on `reload = jail` (NULL: the built-in demo, rebuilt as it is). */
struct ev_loop;
int keeper_run(struct ev_loop *loop, const struct jail *j, const char *name, const char *file);
/* While it runs, the keeper is what run_reload and run_stop (init/runstate.h) reach: they do what SIGHUP and
 * SIGTERM would. */

#endif
