/* setup: everything the Linux init does inside its new namespaces, in DESIGN.md's fixed order.
 *
 * lx_setup runs in the init (PID 1 of the jail), after exec.jailed and before exec.start: private mount tree,
 * the rootfs bound onto itself, mount/mount.fstab/keep_mount entries, /proc, /sys, a fresh /dev from the
 * devfs ruleset, pivot_root, hostname, loopback, rlimits. Every target inside the rootfs is resolved inside it
 * (openat2 RESOLVE_IN_ROOT) and mounted through the resulting fd (the new mount API), so a symlink in the rootfs
 * cannot send a mount to the host. lx_finish runs after exec.start: it detaches a pivot_root old root that the
 * user's hooks left attached. lx_drop runs in the main command's child just before exec: caps bounding set,
 * no_new_privs, groups, gid, uid, with user and groups looked up in the jail's own /etc/passwd and /etc/group.
 * One jail per init process: the state lives in static variables of these files.
 *
 * Every function returns 0, or -1 after logging one line that names the step and what failed. */
#ifndef WARDER_LX_SETUP_H
#define WARDER_LX_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "jail.h"

int lx_setup(struct jailrun *r);
int lx_finish(struct jailrun *r);
int lx_drop_prepare(struct jailrun *r);
int lx_drop(struct jailrun *r);

#endif
