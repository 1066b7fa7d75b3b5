/* fbsd_describe: the FreeBSD plan as `warder check --os freebsd` prints it (the plan itself: conf/fbsd_plan.h). */
#ifndef WARDER_FBSD_DESCRIBE_H
#define WARDER_FBSD_DESCRIBE_H

#include "conf.h"
#include "steps.h"

/* The text `warder check --os freebsd` shows for a back-end step (STEP_ALIASES, STEP_MOUNTS, STEP_CREATE,
 * STEP_VNET, STEP_SETUP, STEP_REMOVE, STEP_UNMOUNTS, STEP_UNALIAS): one action per line, no trailing newline,
 * as jail(8)'s equivalent commands. NULL when the step does nothing for J. A plan error is described too
 * ("error: ...") so that check shows it; a file read at plan time that is missing here (a FreeBSD path on
 * Linux) is named rather than fatal. Caller frees. */
char *fbsd_describe(const struct jail *j, enum step_id step);

#endif
