/* reaper: what a PID 1 or a subreaper needs from the system about its children, without reaping them itself. */
#ifndef WARDER_REAPER_H
#define WARDER_REAPER_H

#include <stdbool.h>
#include <sys/types.h>

/* SIG to every direct child (orphans reparented to us included; FreeBSD: every descendant). Returns how many
 * were signalled, -1 when they cannot be listed (no /proc). */
int reaper_signal_children(int sig);

/* Make warder a child subreaper when it is not PID 1 (Linux prctl / FreeBSD procctl). 0 or -1. */
int reaper_become(void);

/* SIG to everything a supervisor leaves: the whole pid namespace when it is its PID 1 (PIDNS), else the
 * command's process group PGRP (0: none) and our direct children (orphans reparented to us). */
void reaper_signal_all(int sig, bool pidns, pid_t pgrp);

#endif
