/* The `listen` value: addresses, options, and the messages for what is refused. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "listen.h"
#include "t.h"

static char why[256];

static int parse(const char *text, struct listen_spec *s)
{
	why[0] = '\0';
	return listen_parse(text, s, why, sizeof why);
}

TEST(tcp_ipv4)
{
	struct listen_spec s;
	CHECK_INT(parse("tcp:127.0.0.1:8080", &s), 0);
	CHECK_INT(s.kind, LK_TCP);
	CHECK_INT(s.family, AF_INET);
	CHECK_INT(s.socktype, SOCK_STREAM);
	const struct sockaddr_in *a = (const void *)&s.sa;
	CHECK_INT(ntohs(a->sin_port), 8080);
	CHECK_INT(ntohl(a->sin_addr.s_addr), 0x7f000001);
	CHECK_STR(s.addr, "tcp:127.0.0.1:8080");
	CHECK_INT(s.backlog, 0);
	CHECK(!s.inside && !s.reuseport && !s.name[0]);
	CHECK_INT(parse("tcp:*:80", &s), 0);
	CHECK_INT(((const struct sockaddr_in *)(const void *)&s.sa)->sin_addr.s_addr, htonl(INADDR_ANY));
}

TEST(tcp_ipv6_and_options)
{
	struct listen_spec s;
	CHECK_INT(parse("tcp:[::1]:8443 name=https backlog=1024 reuseport", &s), 0);
	CHECK_INT(s.family, AF_INET6);
	const struct sockaddr_in6 *a = (const void *)&s.sa;
	CHECK_INT(ntohs(a->sin6_port), 8443);
	CHECK(IN6_IS_ADDR_LOOPBACK(&a->sin6_addr));
	CHECK_STR(s.name, "https");
	CHECK_INT(s.backlog, 1024);
	CHECK(s.reuseport);
	CHECK_INT(parse("udp:[::]:53 inside", &s), 0);
	CHECK_INT(s.socktype, SOCK_DGRAM);
	CHECK(s.inside);
}

TEST(unix_mode_owner_group)
{
	struct listen_spec s;
	CHECK_INT(parse("unix:/run/app.sock:0660:www:www-data", &s), 0);
	CHECK_INT(s.family, AF_UNIX);
	CHECK_STR(s.path, "/run/app.sock");
	CHECK_STR(((const struct sockaddr_un *)(const void *)&s.sa)->sun_path, "/run/app.sock");
	CHECK_INT(s.mode, 0660);
	CHECK_STR(s.owner, "www");
	CHECK_STR(s.group, "www-data");
	CHECK_INT(parse("unix:/run/a.sock", &s), 0);
	CHECK_INT(s.mode, -1);
	CHECK(!s.owner[0] && !s.group[0]);
	CHECK_INT(parse("unix:/run/a.sock::www", &s), 0);
	CHECK_INT(s.mode, -1);
	CHECK_STR(s.owner, "www");
}

TEST(refused)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"", "expected tcp:HOST:PORT"},
		{"http://x", "expected tcp:HOST:PORT"},
		{"tcp:localhost:80", "bad address \"localhost\""},
		{"tcp:127.0.0.1", "expected HOST:PORT after tcp:"},
		{"tcp:127.0.0.1:0", "bad port \"0\""},
		{"tcp:127.0.0.1:70000", "bad port \"70000\""},
		{"tcp:[::g]:80", "bad IPv6 address \"::g\""},
		{"unix:run/a.sock", "must be absolute"},
		{"unix:/run/a.sock:999", "bad mode \"999\""},
		{"unix:/a:0600:u:g:x", "expected unix:/PATH[:MODE[:OWNER[:GROUP]]]"},
		{"tcp:127.0.0.1:80 name=a:b", "bad name \"a:b\""},
		{"tcp:127.0.0.1:80 backlog=0", "bad backlog \"0\""},
		{"tcp:127.0.0.1:80 fast", "unknown option \"fast\""},
		{"udp:127.0.0.1:53 backlog=5", "backlog= is for stream sockets"},
	};
	struct listen_spec s;
	char path[200];
	memset(path, 'a', sizeof path);
	memcpy(path, "unix:/", 6);
	path[sizeof path - 1] = '\0';
	CHECK_INT(parse(path, &s), -1);
	CHECK(strstr(why, "too long") != NULL);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_INT(parse(bad[i].text, &s), -1);
		if (!strstr(why, bad[i].msg))
			fprintf(stderr, "  %s -> %s\n", bad[i].text, why);
		CHECK(strstr(why, bad[i].msg) != NULL);
	}
}

int main(void)
{
	RUN(tcp_ipv4);
	RUN(tcp_ipv6_and_options);
	RUN(unix_mode_owner_group);
	RUN(refused);
	return T_DONE();
}
