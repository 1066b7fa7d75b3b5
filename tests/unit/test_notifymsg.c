/* sd_notify datagrams: the keys warder acts on, and what it refuses or ignores. */
#include <string.h>

#include "notifymsg.h"
#include "t.h"

static struct sdn_msg m;

static int parse(const char *s)
{
	return notifymsg_parse(s, strlen(s), &m);
}

TEST(keys)
{
	CHECK_INT(parse("READY=1\nSTATUS=serving 3 clients\nMAINPID=42"), 0);
	CHECK(m.ready && !m.reloading && !m.stopping && !m.watchdog);
	CHECK(m.has_status);
	CHECK_STR(m.status, "serving 3 clients");
	CHECK_INT(m.mainpid, 42);
	CHECK_INT(m.extend_usec, -1);
	CHECK_INT(parse("RELOADING=1\nMONOTONIC_USEC=123\n"), 0);
	CHECK(m.reloading && !m.ready && !m.has_status);
	CHECK_INT(parse("STOPPING=1"), 0);
	CHECK(m.stopping);
	CHECK_INT(parse("WATCHDOG=1"), 0);
	CHECK(m.watchdog && !m.watchdog_trigger);
	CHECK_INT(parse("WATCHDOG=trigger"), 0);
	CHECK(m.watchdog_trigger && !m.watchdog);
	CHECK_INT(parse("EXTEND_TIMEOUT_USEC=5000000"), 0);
	CHECK_INT(m.extend_usec, 5000000);
}

TEST(refused_and_ignored)
{
	CHECK_INT(notifymsg_parse("", 0, &m), -1);
	CHECK_INT(notifymsg_parse("READY=1\0", 8, &m), -1);
	CHECK_INT(parse("READY=0\nREADY=yes\nFOO=1"), 0);
	CHECK(!m.ready);
	CHECK_INT(parse("MAINPID=-1\nEXTEND_TIMEOUT_USEC=x"), 0);
	CHECK_INT(m.mainpid, 0);
	CHECK_INT(m.extend_usec, -1);
	CHECK_INT(parse("STATUS=a\tb\x1b[31m"), 0);
	CHECK_STR(m.status, "a?b?[31m");
	char big[600];
	memset(big, 'x', sizeof big);
	memcpy(big, "STATUS=", 7);
	CHECK_INT(notifymsg_parse(big, sizeof big, &m), 0);
	CHECK_INT(strlen(m.status), sizeof m.status - 1);
}

int main(void)
{
	RUN(keys);
	RUN(refused_and_ignored);
	return T_DONE();
}
