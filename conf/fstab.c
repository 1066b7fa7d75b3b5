/* fstab: the fstab(5) line parser behind `mount = LINE` and `mount.fstab = FILE`. Portable: the options are
 * sorted into warder's own FSTAB_* bits; only fstab_ms_flags and fstab_mount_attrs, at the end, speak Linux. */
#include "fstab.h"
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mount.h>
#endif

#define MAX_FIELDS 6
#define ATIME_MODES (FSTAB_NOATIME | FSTAB_RELATIME | FSTAB_STRICTATIME)

enum opt_kind {
	OK_FLAG,      /* a mount flag: sets `set`, clears `clr` */
	OK_USERSPACE, /* for mount(8) and rc scripts, never for the kernel: dropped from the data string */
	OK_NOAUTO,
};

static const struct opt {
	const char *name;
	enum opt_kind kind;
	unsigned set, clr;
} opt_table[] = {
	{"ro", OK_FLAG, FSTAB_RDONLY, 0},
	{"rw", OK_FLAG, 0, FSTAB_RDONLY},
	{"nosuid", OK_FLAG, FSTAB_NOSUID, 0},
	{"suid", OK_FLAG, 0, FSTAB_NOSUID},
	{"nodev", OK_FLAG, FSTAB_NODEV, 0},
	{"dev", OK_FLAG, 0, FSTAB_NODEV},
	{"noexec", OK_FLAG, FSTAB_NOEXEC, 0},
	{"exec", OK_FLAG, 0, FSTAB_NOEXEC},
	{"sync", OK_FLAG, FSTAB_SYNC, 0},
	{"async", OK_FLAG, 0, FSTAB_SYNC},
	{"remount", OK_FLAG, FSTAB_REMOUNT, 0},
	{"mand", OK_FLAG, FSTAB_MANDLOCK, 0},
	{"nomand", OK_FLAG, 0, FSTAB_MANDLOCK},
	{"dirsync", OK_FLAG, FSTAB_DIRSYNC, 0},
	{"nosymfollow", OK_FLAG, FSTAB_NOSYMFOLLOW, 0},
	{"symfollow", OK_FLAG, 0, FSTAB_NOSYMFOLLOW},
	{"noatime", OK_FLAG, FSTAB_NOATIME, 0},
	{"atime", OK_FLAG, 0, FSTAB_NOATIME},
	{"nodiratime", OK_FLAG, FSTAB_NODIRATIME, 0},
	{"diratime", OK_FLAG, 0, FSTAB_NODIRATIME},
	{"relatime", OK_FLAG, FSTAB_RELATIME, 0},
	{"norelatime", OK_FLAG, 0, FSTAB_RELATIME},
	{"strictatime", OK_FLAG, FSTAB_STRICTATIME, 0},
	{"nostrictatime", OK_FLAG, 0, FSTAB_STRICTATIME},
	{"lazytime", OK_FLAG, FSTAB_LAZYTIME, 0},
	{"nolazytime", OK_FLAG, 0, FSTAB_LAZYTIME},
	{"silent", OK_FLAG, FSTAB_SILENT, 0},
	{"loud", OK_FLAG, 0, FSTAB_SILENT},
	{"bind", OK_FLAG, FSTAB_BIND, 0},
	{"rbind", OK_FLAG, FSTAB_BIND | FSTAB_REC, 0},
	{"private", OK_FLAG, FSTAB_PRIVATE, 0},
	{"rprivate", OK_FLAG, FSTAB_PRIVATE | FSTAB_REC, 0},
	{"slave", OK_FLAG, FSTAB_SLAVE, 0},
	{"rslave", OK_FLAG, FSTAB_SLAVE | FSTAB_REC, 0},
	{"shared", OK_FLAG, FSTAB_SHARED, 0},
	{"rshared", OK_FLAG, FSTAB_SHARED | FSTAB_REC, 0},
	{"unbindable", OK_FLAG, FSTAB_UNBINDABLE, 0},
	{"runbindable", OK_FLAG, FSTAB_UNBINDABLE | FSTAB_REC, 0},
	{"defaults", OK_USERSPACE, 0, 0},
	{"auto", OK_USERSPACE, 0, 0},
	{"noauto", OK_NOAUTO, 0, 0},
	{"nofail", OK_USERSPACE, 0, 0},
	{"failok", OK_USERSPACE, 0, 0}, /* FreeBSD: mount(8) may fail */
	{"late", OK_USERSPACE, 0, 0},   /* FreeBSD: mounted by rc.d/mountlate */
	{"user", OK_USERSPACE, 0, 0},
	{"users", OK_USERSPACE, 0, 0},
	{"nouser", OK_USERSPACE, 0, 0},
	{"owner", OK_USERSPACE, 0, 0},
	{"group", OK_USERSPACE, 0, 0},
	{"_netdev", OK_USERSPACE, 0, 0},
};

static int perr(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int perr(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	int k = snprintf(err, errlen, "%s:%d: ", file, line);
	if (k >= 0 && (size_t)k < errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

char *fstab_unescape(const char *field)
{
	char *out = malloc(strlen(field) + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *s = field; *s; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		if (s[1] == '\\') {
			*o++ = '\\';
			s++;
			continue;
		}
		/* \ooo: three octal digits, as getmntent(3) and FreeBSD's fstab(5) write a blank (\040). */
		int v = 0, i;
		for (i = 1; i <= 3 && s[i] >= '0' && s[i] <= '7'; i++)
			v = v * 8 + (s[i] - '0');
		if (i != 4 || v == 0 || v > 255) {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		*o++ = (char)v;
		s += 3;
	}
	*o = '\0';
	return out;
}

static const struct opt *opt_find(const char *name)
{
	for (size_t i = 0; i < sizeof opt_table / sizeof opt_table[0]; i++)
		if (strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

/* Mount-helper options (x-systemd.*, comment=...) are for mount(8) only. */
static bool userspace_only(const char *o)
{
	return strncmp(o, "x-", 2) == 0 || strncmp(o, "comment=", 8) == 0;
}

static int append_data(struct fstab_entry *e, const char *o)
{
	size_t have = strlen(e->data), add = strlen(o);
	char *d = realloc(e->data, have + add + 2);
	if (!d)
		return -1;
	if (have)
		d[have++] = ',';
	memcpy(d + have, o, add + 1);
	e->data = d;
	return 0;
}

/* Split e->options at commas into e->opts and sort each into flags, noauto or the data string. */
static int sort_options(struct fstab_entry *e, char *err, size_t errlen)
{
	const char *s = e->options;
	if (!(e->data = strdup("")))
		return perr(err, errlen, e->file, e->line, "out of memory");
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == 0)
			return perr(err, errlen, e->file, e->line, "empty option in '%s'", e->options);
		char **v = realloc(e->opts, (e->nopts + 1) * sizeof *v);
		if (!v)
			return perr(err, errlen, e->file, e->line, "out of memory");
		e->opts = v;
		if (!(v[e->nopts] = strndup(s, len)))
			return perr(err, errlen, e->file, e->line, "out of memory");
		const char *o = v[e->nopts++];
		const struct opt *d = opt_find(o);
		if (d && d->kind == OK_FLAG) {
			/* noatime, relatime and strictatime are one setting: the last one counts. */
			if (d->set & ATIME_MODES)
				e->flags &= ~ATIME_MODES;
			e->flags = (e->flags & ~d->clr) | d->set;
			e->clear = (e->clear & ~d->set) | d->clr;
		} else if (d && d->kind == OK_NOAUTO) {
			e->noauto = true;
		} else if (!d && !userspace_only(o) && append_data(e, o) < 0) {
			return perr(err, errlen, e->file, e->line, "out of memory");
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	unsigned prop = e->flags & FSTAB_PROPAGATION;
	if (prop & (prop - 1))
		return perr(err, errlen, e->file, e->line,
			    "more than one propagation (private, slave, shared, "
			    "unbindable) in '%s'",
			    e->options);
	return 0;
}

static int number_field(const char *s, int *out)
{
	if (!conf_all_digits(s) || strlen(s) > 4)
		return -1;
	*out = atoi(s);
	return 0;
}

/* Cut BUF (a copy of the line) into blank-separated fields; a field starting with '#' starts a comment. */
static int split_fields(char *buf, char *f[], int max)
{
	int n = 0;
	for (char *s = buf; *s;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			*s++ = '\0';
		if (!*s || *s == '#')
			break;
		if (n == max)
			return max + 1;
		f[n++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			s++;
	}
	return n;
}

static const char *const field_names[] = {"device", "mount point", "type", "options"};

static int parse_fields(const char *file, int line, char *buf, struct fstab_entry *e, char *err, size_t errlen);

int fstab_parse_line(const char *file, int line, const char *text, struct fstab_entry *e, char *err, size_t errlen)
{
	char *buf = strdup(text);
	memset(e, 0, sizeof *e);
	if (!buf)
		return perr(err, errlen, file, line, "out of memory");
	int rc = parse_fields(file, line, buf, e, err, errlen);
	free(buf);
	return rc;
}

static int parse_fields(const char *file, int line, char *buf, struct fstab_entry *e, char *err, size_t errlen)
{
	char *f[MAX_FIELDS];
	int n = split_fields(buf, f, MAX_FIELDS);
	if (n == 0)
		return 0;
	if (n > MAX_FIELDS)
		return perr(err, errlen, file, line,
			    "too many fields: expected DEVICE MOUNTPOINT TYPE OPTIONS "
			    "[DUMP [PASS]]");
	if (n < 4)
		return perr(err, errlen, file, line,
			    "missing %s: expected DEVICE MOUNTPOINT TYPE OPTIONS "
			    "[DUMP [PASS]]",
			    field_names[n]);
	if (!(e->file = strdup(file)))
		return perr(err, errlen, file, line, "out of memory");
	e->line = line;
	char **dst[] = {&e->device, &e->mountpoint, &e->fstype, &e->options};
	for (int i = 0; i < 4; i++) {
		if (!(*dst[i] = fstab_unescape(f[i]))) {
			perr(err, errlen, file, line,
			     errno == EINVAL ? "bad escape in %s '%s' (\\ooo, three octal "
					       "digits, as \\040 for a space)"
					     : "out of memory in %s '%s'",
			     field_names[i], f[i]);
			fstab_entry_free(e);
			return -1;
		}
	}
	for (int i = 4; i < n; i++) {
		if (number_field(f[i], i == 4 ? &e->dump : &e->pass) < 0) {
			perr(err, errlen, file, line, "bad %s field '%s' (a number)", i == 4 ? "dump" : "pass", f[i]);
			fstab_entry_free(e);
			return -1;
		}
	}
	if (sort_options(e, err, errlen) < 0) {
		fstab_entry_free(e);
		return -1;
	}
	return 1;
}

void fstab_entry_free(struct fstab_entry *e)
{
	free(e->device);
	free(e->mountpoint);
	free(e->fstype);
	free(e->options);
	for (size_t i = 0; i < e->nopts; i++)
		free(e->opts[i]);
	free(e->opts);
	free(e->data);
	free(e->file);
	memset(e, 0, sizeof *e);
}

void fstab_free(struct fstab_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fstab_entry_free(&v[i]);
	free(v);
}

int fstab_load(const char *path, struct fstab_entry **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	struct fstab_entry *v = NULL;
	size_t nv = 0;
	while (getline(&line, &cap, f) >= 0) {
		struct fstab_entry e;
		int k = fstab_parse_line(path, ++lineno, line, &e, err, errlen);
		if (k < 0) {
			rc = -1;
			break;
		}
		if (k == 0)
			continue;
		struct fstab_entry *nvv = realloc(v, (nv + 1) * sizeof *v);
		if (!nvv) {
			fstab_entry_free(&e);
			rc = perr(err, errlen, path, lineno, "out of memory");
			break;
		}
		v = nvv;
		v[nv++] = e;
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f); /* read-only: nothing to lose on close */
	if (rc < 0) {
		fstab_free(v, nv);
		return -1;
	}
	*out = v;
	*n = nv;
	return 0;
}

#ifdef __linux__
static const struct {
	unsigned flag;
	unsigned long ms;
} ms_map[] = {
	{FSTAB_RDONLY, MS_RDONLY},
	{FSTAB_NOSUID, MS_NOSUID},
	{FSTAB_NODEV, MS_NODEV},
	{FSTAB_NOEXEC, MS_NOEXEC},
	{FSTAB_SYNC, MS_SYNCHRONOUS},
	{FSTAB_REMOUNT, MS_REMOUNT},
	{FSTAB_MANDLOCK, MS_MANDLOCK},
	{FSTAB_DIRSYNC, MS_DIRSYNC},
	{FSTAB_NOSYMFOLLOW, MS_NOSYMFOLLOW},
	{FSTAB_NOATIME, MS_NOATIME},
	{FSTAB_NODIRATIME, MS_NODIRATIME},
	{FSTAB_BIND, MS_BIND},
	{FSTAB_REC, MS_REC},
	{FSTAB_SILENT, MS_SILENT},
	{FSTAB_RELATIME, MS_RELATIME},
	{FSTAB_STRICTATIME, MS_STRICTATIME},
	{FSTAB_LAZYTIME, MS_LAZYTIME},
	{FSTAB_PRIVATE, MS_PRIVATE},
	{FSTAB_SLAVE, MS_SLAVE},
	{FSTAB_SHARED, MS_SHARED},
	{FSTAB_UNBINDABLE, MS_UNBINDABLE},
};

unsigned long fstab_ms_flags(const struct fstab_entry *e)
{
	unsigned long ms = 0;
	for (size_t i = 0; i < sizeof ms_map / sizeof ms_map[0]; i++)
		if (e->flags & ms_map[i].flag)
			ms |= ms_map[i].ms;
	return ms;
}

static const struct {
	unsigned flag;
	unsigned long attr;
} attr_map[] = {
	{FSTAB_RDONLY, MOUNT_ATTR_RDONLY},
	{FSTAB_NOSUID, MOUNT_ATTR_NOSUID},
	{FSTAB_NODEV, MOUNT_ATTR_NODEV},
	{FSTAB_NOEXEC, MOUNT_ATTR_NOEXEC},
	{FSTAB_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
	{FSTAB_NODIRATIME, MOUNT_ATTR_NODIRATIME},
	/* The parser keeps one atime mode; relatime is MOUNT_ATTR_RELATIME = 0, the kernel's default. */
	{FSTAB_NOATIME, MOUNT_ATTR_NOATIME},
	{FSTAB_STRICTATIME, MOUNT_ATTR_STRICTATIME},
};

unsigned long fstab_mount_attrs(const struct fstab_entry *e)
{
	unsigned long attrs = 0;
	for (size_t i = 0; i < sizeof attr_map / sizeof attr_map[0]; i++)
		if (e->flags & attr_map[i].flag)
			attrs |= attr_map[i].attr;
	return attrs;
}
#endif
