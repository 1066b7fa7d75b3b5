/* safepath: paths resolved inside a root directory, so that no symlink and no ".." can lead out of it.
 *
 * Every function takes ROOTFD, an open directory (O_PATH is enough) that is "/" for PATH: an absolute PATH,
 * a relative one, ".." and every symlink met on the way are resolved as if ROOTFD were the root (Linux:
 * openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; FreeBSD: openat O_RESOLVE_BENEATH, which refuses an escape
 * instead of clamping it). With ROOTFD == SAFE_NOROOT the path is resolved as the kernel normally would (the
 * host's view), so callers need no second code path. All functions return -1 with errno set on failure and
 * print nothing: the caller names the step in its message. */
#ifndef WARDER_SAFEPATH_H
#define WARDER_SAFEPATH_H

#include <stddef.h>
#include <sys/types.h>

#define SAFE_NOROOT (-1)

/* Open PATH inside ROOTFD with open(2) FLAGS (O_CLOEXEC is always added) and MODE for O_CREAT. The last
 * component is followed when it is a symlink, but only inside the root. Returns the fd. */
int safe_open(int rootfd, const char *path, int flags, mode_t mode);

/* mkdir -p inside the root; existing directories are fine, an existing non-directory is ENOTDIR. */
int safe_mkdir_p(int rootfd, const char *path, mode_t mode);

/* Create, truncate and write DATA to PATH (created with MODE). */
int safe_write_file(int rootfd, const char *path, const void *data, size_t len, mode_t mode);

/* symlink(TARGET, LINK): TARGET is stored as given (it is resolved later, inside the jail). */
int safe_symlink(int rootfd, const char *target, const char *link);

int safe_unlink(int rootfd, const char *path); /* a file or symlink; never follows the last component */
int safe_chmod(int rootfd, const char *path, mode_t mode);

/* A target for mount(2)/umount2(2) that is PATH inside the root: opens PATH (O_PATH) into *fd and writes
 * the name to pass to the kernel into BUF ("/proc/self/fd/N" on Linux, so the mount lands on the very inode
 * that was resolved). The caller closes *fd after the mount. ROOTFD must have been opened in the caller's
 * mount namespace (after unshare(CLONE_NEWNS)): the kernel refuses a target from another one (EINVAL). With SAFE_NOROOT, BUF is PATH and *fd is -1. */
int safe_mount_target(int rootfd, const char *path, int *fd, char *buf, size_t len);

/* The host's name for PATH resolved inside the root (what the kernel would print for it), for umount(2):
 * an unmount cannot go through an fd, which would itself keep the mount busy. Use it with UMOUNT_NOFOLLOW. */
int safe_resolve(int rootfd, const char *path, char *buf, size_t len);

/* What the symbolic link LINK holds, NUL-terminated in BUF: 0, or -1 with errno (ENAMETOOLONG when it does
 * not fit). */
int safe_readlink(const char *link, char *buf, size_t len);

/* The kernel's name for the file FD is open on (Linux /proc/self/fd, FreeBSD F_KINFO): 0, or -1 with errno. */
int safe_fd_path(int fd, char *buf, size_t len);

#endif
