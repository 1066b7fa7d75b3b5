/* fstab: fstab(5) lines for `mount = LINE` and `mount.fstab = FILE`, on both systems.
 *
 * A line is DEVICE MOUNTPOINT FSTYPE OPTIONS [DUMP [PASS]], fields split by blanks, `#` starts a comment,
 * and a field may hold \ooo octal escapes (\040 for a space). The raw fields are kept (FreeBSD hands the
 * options to nmount as text); the options are also sorted into mount flags (warder's own bits, so this
 * header compiles everywhere) and a data string of the rest (size=64M,mode=755), as mount(8) does on Linux.
 * Errors are one line "FILE:LINE: message". */
#ifndef WARDER_FSTAB_H
#define WARDER_FSTAB_H

#include <stdbool.h>
#include <stddef.h>

/* fstab_entry.flags and .clear: what the options set and what they explicitly turn off ("rw", "suid"). */
enum fstab_flag {
	FSTAB_RDONLY = 1u << 0,       /* ro */
	FSTAB_NOSUID = 1u << 1,       /* nosuid */
	FSTAB_NODEV = 1u << 2,        /* nodev */
	FSTAB_NOEXEC = 1u << 3,       /* noexec */
	FSTAB_SYNC = 1u << 4,         /* sync */
	FSTAB_REMOUNT = 1u << 5,      /* remount */
	FSTAB_MANDLOCK = 1u << 6,     /* mand */
	FSTAB_DIRSYNC = 1u << 7,      /* dirsync */
	FSTAB_NOSYMFOLLOW = 1u << 8,  /* nosymfollow */
	FSTAB_NOATIME = 1u << 9,      /* noatime */
	FSTAB_NODIRATIME = 1u << 10,  /* nodiratime */
	FSTAB_BIND = 1u << 11,        /* bind, rbind */
	FSTAB_REC = 1u << 12,         /* rbind, rprivate, rslave, rshared, runbindable */
	FSTAB_SILENT = 1u << 13,      /* silent */
	FSTAB_RELATIME = 1u << 14,    /* relatime */
	FSTAB_STRICTATIME = 1u << 15, /* strictatime */
	FSTAB_LAZYTIME = 1u << 16,    /* lazytime */
	FSTAB_PRIVATE = 1u << 17,     /* private, rprivate */
	FSTAB_SLAVE = 1u << 18,       /* slave, rslave */
	FSTAB_SHARED = 1u << 19,      /* shared, rshared */
	FSTAB_UNBINDABLE = 1u << 20,  /* unbindable, runbindable */
};
#define FSTAB_PROPAGATION (FSTAB_PRIVATE | FSTAB_SLAVE | FSTAB_SHARED | FSTAB_UNBINDABLE)

struct fstab_entry {
	/* The fields, escapes decoded. */
	char *device;     /* "tmpfs", "/zdata/jails/templates/14.2-RELEASE-base" */
	char *mountpoint; /* as written: callers decide what a relative one means */
	char *fstype;     /* "nullfs", "tmpfs", "none" with bind */
	char *options;    /* as written: "ro", "rbind,nosuid" */
	int dump, pass;   /* 0 when absent */
	/* The options one by one, and sorted. */
	char **opts;
	size_t nopts;
	unsigned flags; /* FSTAB_* the options set (later options win; one atime mode at most) */
	unsigned clear; /* FSTAB_* the options turn off: rw, suid, dev, exec, async, atime, diratime ... */
	char *data;     /* the filesystem's own options, comma-joined, "" when none */
	bool noauto;    /* noauto: listed, not mounted (FreeBSD and Linux fstab alike) */
	char *file;     /* a copy of the file name given to the parser */
	int line;
};

/* Parse one line. Returns 1 with *e filled, 0 for a blank or comment line, -1 with "FILE:LINE: ..." in err. */
int fstab_parse_line(const char *file, int line, const char *text, struct fstab_entry *e, char *err, size_t errlen);
/* Every entry of an fstab file: 0 (an empty file gives *n = 0), or -1 with "FILE:LINE: ..." in err. */
int fstab_load(const char *path, struct fstab_entry **out, size_t *n, char *err, size_t errlen);
void fstab_entry_free(struct fstab_entry *e);
void fstab_free(struct fstab_entry *v, size_t n);

/* Decode \ooo escapes of one field into a new string; NULL on a bad escape or no memory. */
char *fstab_unescape(const char *field);

#ifdef __linux__
/* The Linux side: mount(2) MS_* flags, and mount_setattr(2) MOUNT_ATTR_* for the new mount API
 * (rdonly, nosuid, nodev, noexec, nosymfollow, the atime mode, nodiratime). */
unsigned long fstab_ms_flags(const struct fstab_entry *e);
unsigned long fstab_mount_attrs(const struct fstab_entry *e);
#endif

#endif
