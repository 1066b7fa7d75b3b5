/* reaper: what the PID-1 loop needs from the system about its children, without reaping them itself. */
#ifndef WARDER_REAPER_H
#define WARDER_REAPER_H

#include <stdbool.h>

/* SIG to every direct child (orphans reparented to us included; FreeBSD: every descendant). Returns how many
 * were signalled, -1 when they cannot be listed (no /proc). */
int reaper_signal_children(int sig);

#endif
