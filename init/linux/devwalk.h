/* devwalk: the host's /dev as devfs nodes (init/linux/dev.c builds a jail's /dev from them). */
#ifndef WARDER_LINUX_DEVWALK_H
#define WARDER_LINUX_DEVWALK_H

#include <stddef.h>
#include <sys/types.h>

#include "devfs.h"

/* The type a host node has for `type` conditions, from lstat (Linux majors: block = disk, char 1 = mem,
 * 4, 5, 136-143 = tty, 9 and 37 = tape). */
enum devfs_ntype lxdev_type_of(mode_t st_mode, dev_t rdev);

/* Every entry below DIR (recursive, symlinks not followed, other filesystems listed but not entered), sorted by
 * path, with type, alias, owner and mode filled. 0, or -1 with a message in err. */
int lxdev_walk(const char *dir, struct devfs_node **out, size_t *n, char *err, size_t errlen);
/* The entries below DIR that SET (includes followed DEPTH levels) leaves visible, parents before children; a
 * directory the ruleset hides is not entered, since nothing below it can show. Free with devfs_nodes_free. */
int lxdev_visible(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, const char *dir,
		  struct devfs_node **out, size_t *n, char *err, size_t errlen);

#endif
