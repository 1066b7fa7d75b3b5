/* Unit tests of conf/fstab: the seeds' nullfs lines, tmpfs with size=, bind/rbind, escapes, the Linux flag
 * mapping, files, and every error with FILE:LINE. */
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fstab.h"
#include "t.h"

static char err[512];

static int parse(const char *text, struct fstab_entry *e)
{
	err[0] = '\0';
	return fstab_parse_line("jail.conf", 7, text, e, err, sizeof err);
}

/* Seed 003's thin-jail fstab, as its script writes it. */
TEST(seed_nullfs_lines)
{
	struct fstab_entry e;
	CHECK_INT(parse("/zdata/jails/templates/14.2-RELEASE-base /zdata/jails/dev-nullfs-base/ nullfs ro 0 0", &e), 1);
	CHECK_STR(e.device, "/zdata/jails/templates/14.2-RELEASE-base");
	CHECK_STR(e.mountpoint, "/zdata/jails/dev-nullfs-base/");
	CHECK_STR(e.fstype, "nullfs");
	CHECK_STR(e.options, "ro");
	CHECK_INT(e.nopts, 1);
	CHECK_STR(e.opts[0], "ro");
	CHECK_INT(e.flags, FSTAB_RDONLY);
	CHECK_INT(e.clear, 0);
	CHECK_STR(e.data, "");
	CHECK_INT(e.dump, 0);
	CHECK_INT(e.pass, 0);
	CHECK(!e.noauto);
	CHECK_STR(e.file, "jail.conf");
	CHECK_INT(e.line, 7);
	fstab_entry_free(&e);

	CHECK_INT(parse("/zdata/jails/containers/dev\t/zdata/jails/dev-nullfs-base/skeleton  nullfs\trw  0 0\n", &e), 1);
	CHECK_STR(e.mountpoint, "/zdata/jails/dev-nullfs-base/skeleton");
	CHECK_INT(e.flags, 0);
	CHECK_INT(e.clear, FSTAB_RDONLY);
	fstab_entry_free(&e);
}

TEST(tmpfs_with_data)
{
	struct fstab_entry e;
	CHECK_INT(parse("tmpfs /tmp tmpfs rw,nosuid,nodev,size=64M,mode=1777,noexec 0", &e), 1);
	CHECK_INT(e.flags, FSTAB_NOSUID | FSTAB_NODEV | FSTAB_NOEXEC);
	CHECK_INT(e.clear, FSTAB_RDONLY);
	CHECK_STR(e.data, "size=64M,mode=1777");
	CHECK_INT(e.nopts, 6);
	CHECK_STR(e.opts[3], "size=64M");
	CHECK_INT(e.dump, 0);
	fstab_entry_free(&e);

	CHECK_INT(parse("proc /proc proc nosuid,nodev,noexec,hidepid=2 1 2", &e), 1);
	CHECK_STR(e.data, "hidepid=2");
	CHECK_INT(e.dump, 1);
	CHECK_INT(e.pass, 2);
	fstab_entry_free(&e);

	/* mount(8)-only options never reach the filesystem. */
	CHECK_INT(parse("tmpfs /run tmpfs defaults,noauto,nofail,x-systemd.automount,comment=x,_netdev,size=1M 0 0", &e),
		  1);
	CHECK(e.noauto);
	CHECK_STR(e.data, "size=1M");
	CHECK_INT(e.flags, 0);
	fstab_entry_free(&e);
}

TEST(bind_and_rbind)
{
	struct fstab_entry e;
	CHECK_INT(parse("/srv/data /srv/jails/web/data none bind,ro", &e), 1);
	CHECK_INT(e.flags, FSTAB_BIND | FSTAB_RDONLY);
	CHECK_STR(e.fstype, "none");
	fstab_entry_free(&e);
	CHECK_INT(parse("/dev /srv/jails/web/dev none rbind,rslave", &e), 1);
	CHECK_INT(e.flags, FSTAB_BIND | FSTAB_REC | FSTAB_SLAVE);
	fstab_entry_free(&e);
	CHECK_INT(parse("none / none rprivate", &e), 1);
	CHECK_INT(e.flags, FSTAB_PRIVATE | FSTAB_REC);
	fstab_entry_free(&e);
	/* Later options win. */
	CHECK_INT(parse("/a /b none bind,ro,rw,nosuid,suid,noatime,strictatime,relatime", &e), 1);
	CHECK_INT(e.flags, FSTAB_BIND | FSTAB_RELATIME);
	CHECK_INT(e.clear, FSTAB_RDONLY | FSTAB_NOSUID);
	fstab_entry_free(&e);
	CHECK_INT(parse("/a /b none remount,bind,ro,nodiratime,lazytime,sync,dirsync", &e), 1);
	CHECK_INT(e.flags, FSTAB_REMOUNT | FSTAB_BIND | FSTAB_RDONLY | FSTAB_NODIRATIME | FSTAB_LAZYTIME | FSTAB_SYNC |
				   FSTAB_DIRSYNC);
	fstab_entry_free(&e);
}

TEST(escapes)
{
	struct fstab_entry e;
	CHECK_INT(parse("/srv/My\\040Files /mnt/my\\040files\\011tab nullfs ro,comment=a\\134b 0 0", &e), 1);
	CHECK_STR(e.device, "/srv/My Files");
	CHECK_STR(e.mountpoint, "/mnt/my files\ttab");
	CHECK_STR(e.options, "ro,comment=a\\b");
	fstab_entry_free(&e);
	CHECK_INT(parse("/a\\\\b /c nullfs ro", &e), 1);
	CHECK_STR(e.device, "/a\\b");
	fstab_entry_free(&e);
	char *s = fstab_unescape("x\\040y");
	CHECK_STR(s, "x y");
	free(s);
	CHECK(fstab_unescape("x\\04") == NULL);
	CHECK(fstab_unescape("x\\000") == NULL);
	CHECK(fstab_unescape("x\\q") == NULL);
}

TEST(comments_and_blanks)
{
	struct fstab_entry e;
	CHECK_INT(parse("", &e), 0);
	CHECK_INT(parse("   \t \n", &e), 0);
	CHECK_INT(parse("# /dev/ada0p2 none swap sw 0 0", &e), 0);
	CHECK_INT(parse("   #indented", &e), 0);
	CHECK_INT(parse("tmpfs /tmp tmpfs size=1M 0 0 # trailing comment", &e), 1);
	CHECK_STR(e.data, "size=1M");
	fstab_entry_free(&e);
	/* A '#' inside a field is text. */
	CHECK_INT(parse("/a#b /c nullfs ro", &e), 1);
	CHECK_STR(e.device, "/a#b");
	fstab_entry_free(&e);
}

#ifdef __linux__
TEST(linux_flags)
{
	struct fstab_entry e;
	CHECK_INT(parse("/a /b none rbind,ro,nosuid,nodev,noexec,rslave", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SLAVE);
	CHECK_INT(fstab_mount_attrs(&e), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	fstab_entry_free(&e);
	CHECK_INT(parse("tmpfs /b tmpfs noatime,nodiratime,nosymfollow,size=2M", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_NOATIME | MS_NODIRATIME | MS_NOSYMFOLLOW);
	CHECK_INT(fstab_mount_attrs(&e), MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW);
	fstab_entry_free(&e);
	CHECK_INT(parse("tmpfs /b tmpfs noatime,strictatime", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_STRICTATIME);
	CHECK_INT(fstab_mount_attrs(&e), MOUNT_ATTR_STRICTATIME);
	fstab_entry_free(&e);
	CHECK_INT(parse("none /b none remount,ro,bind,private,silent,sync,mand,dirsync,lazytime,relatime", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_REMOUNT | MS_RDONLY | MS_BIND | MS_PRIVATE | MS_SILENT | MS_SYNCHRONOUS |
					      MS_MANDLOCK | MS_DIRSYNC | MS_LAZYTIME | MS_RELATIME);
	CHECK_INT(fstab_mount_attrs(&e), MOUNT_ATTR_RDONLY);
	fstab_entry_free(&e);
	CHECK_INT(parse("none /b none shared", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_SHARED);
	fstab_entry_free(&e);
	CHECK_INT(parse("none /b none runbindable", &e), 1);
	CHECK_INT(fstab_ms_flags(&e), MS_UNBINDABLE | MS_REC);
	fstab_entry_free(&e);
}
#endif

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{"/a", "jail.conf:7: missing mount point: expected DEVICE MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]"},
	{"/a /b", "jail.conf:7: missing type: expected DEVICE MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]"},
	{"/a /b nullfs", "jail.conf:7: missing options: expected DEVICE MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]"},
	{"/a /b nullfs ro 0 0 0", "jail.conf:7: too many fields: expected DEVICE MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]"},
	{"/a /b nullfs ro x", "jail.conf:7: bad dump field 'x' (a number)"},
	{"/a /b nullfs ro 0 -1", "jail.conf:7: bad pass field '-1' (a number)"},
	{"/a /b nullfs ro,,nosuid", "jail.conf:7: empty option in 'ro,,nosuid'"},
	{"/a /b nullfs ro,", "jail.conf:7: empty option in 'ro,'"},
	{"/a /b none bind,private,shared",
	 "jail.conf:7: more than one propagation (private, slave, shared, unbindable) in 'bind,private,shared'"},
	{"/my\\04 /b nullfs ro",
	 "jail.conf:7: bad escape in device '/my\\04' (\\ooo, three octal digits, as \\040 for a space)"},
	{"/a /b\\x nullfs ro",
	 "jail.conf:7: bad escape in mount point '/b\\x' (\\ooo, three octal digits, as \\040 for a space)"},
};

#define RU \
	"Этот комментарий по-русски длиннее буфера строки libinih в Debian и всё равно читается целиком без ошибки конфигурации Этот комментарий по-русски длиннее......"

TEST(errors)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fstab_entry e;
		CHECK_INT(parse(bad[i].text, &e), -1);
		CHECK_STR(err, bad[i].want);
		CHECK(e.device == NULL && e.opts == NULL && e.file == NULL);
	}
}

/* No line limit (it was 4095 bytes): a long path, and a long comment in Russian. */
TEST(long_lines)
{
	static char longline[9000];
	struct fstab_entry e;
	snprintf(longline, sizeof longline, "/%05000d /mnt nullfs ro 0 0 # %s %s", 0, RU, RU);
	CHECK_INT(parse(longline, &e), 1);
	CHECK(e.device && strlen(e.device) == 5001);
	CHECK_STR(e.mountpoint, "/mnt");
	fstab_entry_free(&e);
	snprintf(longline, sizeof longline, "# %s %s %s", RU, RU, RU);
	CHECK_INT(parse(longline, &e), 0);
}

static char *write_temp(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/warder-fstab-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return NULL;
	}
	if (close(fd) < 0)
		return NULL;
	return path;
}

TEST(files)
{
	struct fstab_entry *v;
	size_t n;
	const char *path =
		write_temp("# the thin jail\n"
			   "/zdata/jails/templates/14.2-RELEASE-base /zdata/jails/dev-nullfs-base/ nullfs ro 0 0\n"
			   "\n"
			   "/zdata/jails/containers/dev /zdata/jails/dev-nullfs-base/skeleton nullfs rw 0 0");
	CHECK(path != NULL);
	if (!path)
		return;
	CHECK_INT(fstab_load(path, &v, &n, err, sizeof err), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(v[0].fstype, "nullfs");
		CHECK_INT(v[0].line, 2);
		CHECK_INT(v[1].line, 4);
		CHECK_STR(v[1].file, path);
		CHECK_STR(v[1].options, "rw");
	}
	fstab_free(v, n);
	unlink(path);

	path = write_temp("tmpfs /tmp tmpfs size=1M 0 0\n\n# x\n/a /b nullfs\n");
	CHECK(path != NULL);
	if (!path)
		return;
	CHECK_INT(fstab_load(path, &v, &n, err, sizeof err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s:4: missing options: expected DEVICE MOUNTPOINT TYPE OPTIONS [DUMP [PASS]]", path);
	CHECK_STR(err, want);
	CHECK(v == NULL && n == 0);
	unlink(path);

	path = write_temp("");
	CHECK(path != NULL);
	if (!path)
		return;
	CHECK_INT(fstab_load(path, &v, &n, err, sizeof err), 0);
	CHECK(n == 0 && v == NULL);
	unlink(path);

	CHECK_INT(fstab_load("/nonexistent/fstab", &v, &n, err, sizeof err), -1);
	CHECK_STR(err, "/nonexistent/fstab: No such file or directory");
}

int main(void)
{
	RUN(seed_nullfs_lines);
	RUN(tmpfs_with_data);
	RUN(bind_and_rbind);
	RUN(escapes);
	RUN(comments_and_blanks);
#ifdef __linux__
	RUN(linux_flags);
#endif
	RUN(errors);
	RUN(long_lines);
	RUN(files);
	return T_DONE();
}
