/* inside: what the Linux init's in-jail steps share (init/linux/{setup,fs,dev,ident,cred}.c): the step name
 * their messages carry and each file's entry points, which setup.c orders. */
#ifndef WARDER_LX_INSIDE_H
#define WARDER_LX_INSIDE_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"
#include "steps.h"

#define LX_STEP step_name(STEP_SETUP)

/* fs.c */
int lxfs_private(void);
/* Decide and bind the rootfs (nodev: a /dev is built from a ruleset, so no other node may work). */
int lxfs_root(const struct jail *j, bool nodev);
int lxfs_open_in_root(const char *path, int flags, mode_t mode, bool mkdirs); /* fd or -1 (errno set) */
int lxfs_mount_line(const struct conf_value *v);                              /* one `mount` line */
int lxfs_mount_fstab(const char *file);                                       /* every line of a mount.fstab */
int lxfs_keep_mount(const struct conf_value *v);                              /* keep_mount SRC[:DST] */
int lxfs_proc(const char *hidepid, bool host_pids);                           /* /proc; HIDEPID NULL: none */
int lxfs_sys(void);                                                           /* /sys, read-only */
int lxfs_tmp(void);                                                           /* a tmpfs on /tmp */
int lxfs_pivot(const struct jail *j); /* pivot_root; detaches the old root unless pivot_root keeps it */
int lxfs_finish(void);
int lxfs_mount_fs(const char *fstype, const char *data, unsigned long attrs, int target_fd, const char *what);
int lxfs_bind_fd(const char *src, int target_fd, bool recursive, unsigned long attrs, const char *what);

/* dev.c */
int lxdev_build(const struct jail *j, bool userns); /* USERNS: host nodes are bound, never made */

/* ident.c */
int lxid_uts(const char *param, const char *value); /* host.hostname or host.domainname */
int lxid_loopback(void);
int lxid_loopback_up(const char **what); /* the same, quiet: *WHAT and errno say what failed */

/* cred.c */
int lxcred_prepare(const struct jail *j); /* in the init, before the start: -1 (quiet) when not */
int lxcred_drop(const struct jail *j);

#endif
