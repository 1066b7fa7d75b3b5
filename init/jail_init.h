/* jail_init: the jail's init, as the keeper (init/keeper.c) forks it. */
#ifndef WARDER_JAIL_INIT_H
#define WARDER_JAIL_INIT_H

#include "jail.h"

struct ev_loop;

/* In its new process once the back end made it: waits for "go", runs the in-jail steps, supervises the main
 * command, stops on "stop". Returns its exit status. */
int run_jail_init(struct jailrun *r, struct ev_loop *loop);

#endif
