/* listen: parse one `listen` value (see listen.h). Numeric addresses only: a name would need the resolver
 * before the jail exists, and its answer could change between reloads. */
#include "listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "conf.h"

#define MSG(...) (snprintf(why, whylen, __VA_ARGS__), -1)

static int parse_port(const char *s, in_port_t *port)
{
	long long n;
	if (conf_parse_int(s, 1, 65535, &n) < 0)
		return -1;
	*port = htons((in_port_t)n);
	return 0;
}

/* HOST:PORT for tcp: and udp:. */
static int parse_inet(char *hp, struct listen_spec *o, char *why, size_t whylen)
{
	char *colon = strrchr(hp, ':');
	if (!colon)
		return MSG("expected HOST:PORT after %s:, got \"%s\"", o->kind == LK_TCP ? "tcp" : "udp", hp);
	*colon = '\0';
	const char *host = hp, *port = colon + 1;
	in_port_t p;
	if (parse_port(port, &p) < 0)
		return MSG("bad port \"%s\" (1..65535)", port);
	size_t hl = strlen(host);
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&o->sa;
		char buf[64];
		if (hl - 2 >= sizeof buf)
			return MSG("bad IPv6 address \"%s\"", host);
		memcpy(buf, host + 1, hl - 2);
		buf[hl - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &s6->sin6_addr) != 1)
			return MSG("bad IPv6 address \"%s\"", buf);
		s6->sin6_family = AF_INET6;
		s6->sin6_port = p;
		o->family = AF_INET6;
		o->salen = sizeof *s6;
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&o->sa;
	if (strcmp(host, "*") == 0)
		s4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return MSG("bad address \"%s\" (an IPv4 address, [IPv6] or *; names are not resolved)", host);
	s4->sin_family = AF_INET;
	s4->sin_port = p;
	o->family = AF_INET;
	o->salen = sizeof *s4;
	return 0;
}

/* /PATH[:MODE[:OWNER[:GROUP]]] for unix:. */
static int parse_unix(char *s, struct listen_spec *o, char *why, size_t whylen)
{
	char *f[4] = {s, NULL, NULL, NULL};
	for (int i = 1; i < 4; i++) {
		char *c = f[i - 1] ? strchr(f[i - 1], ':') : NULL;
		if (!c)
			break;
		*c = '\0';
		f[i] = c + 1;
	}
	if (f[3] && strchr(f[3], ':'))
		return MSG("expected unix:/PATH[:MODE[:OWNER[:GROUP]]]");
	if (f[0][0] != '/')
		return MSG("unix socket path must be absolute: \"%s\"", f[0]);
	struct sockaddr_un *su = (struct sockaddr_un *)&o->sa;
	if (strlen(f[0]) >= sizeof su->sun_path || strlen(f[0]) >= sizeof o->path)
		return MSG("unix socket path is too long (%zu bytes at most)", sizeof su->sun_path - 1);
	su->sun_family = AF_UNIX;
	strcpy(su->sun_path, f[0]);
	strcpy(o->path, f[0]);
	o->family = AF_UNIX;
	o->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(f[0]) + 1);
	if (f[1] && *f[1]) {
		char *end;
		long m = strtol(f[1], &end, 8);
		if (*end || m < 0 || m > 07777)
			return MSG("bad mode \"%s\" (octal, e.g. 0660)", f[1]);
		o->mode = (int)m;
	}
	if (f[2] && snprintf(o->owner, sizeof o->owner, "%s", f[2]) >= (int)sizeof o->owner)
		return MSG("owner name too long");
	if (f[3] && snprintf(o->group, sizeof o->group, "%s", f[3]) >= (int)sizeof o->group)
		return MSG("group name too long");
	return 0;
}

/* LISTEN_FDNAMES separates names with ':'; systemd allows these characters. */
static bool good_name(const char *s)
{
	if (!*s || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_.-", *s)))
			return false;
	return true;
}

static int parse_option(const char *w, struct listen_spec *o, char *why, size_t whylen)
{
	long long n;
	if (strcmp(w, "reuseport") == 0)
		o->reuseport = true;
	else if (strcmp(w, "inside") == 0)
		o->inside = true;
	else if (strncmp(w, "name=", 5) == 0) {
		if (!good_name(w + 5))
			return MSG("bad name \"%s\" (letters, digits, _ . -; 63 at most)", w + 5);
		snprintf(o->name, sizeof o->name, "%s", w + 5);
	} else if (strncmp(w, "backlog=", 8) == 0) {
		if (conf_parse_int(w + 8, 1, 65535, &n) < 0)
			return MSG("bad backlog \"%s\" (1..65535)", w + 8);
		o->backlog = (int)n;
	} else {
		return MSG("unknown option \"%s\" (name=NAME, backlog=N, reuseport, inside)", w);
	}
	return 0;
}

int listen_parse(const char *text, struct listen_spec *o, char *why, size_t whylen)
{
	static const struct {
		const char *prefix;
		enum listen_kind kind;
		int type;
	} kinds[] = {
		{"tcp:", LK_TCP, SOCK_STREAM},
		{"udp:", LK_UDP, SOCK_DGRAM},
		{"unix:", LK_UNIX, SOCK_STREAM},
	};
	memset(o, 0, sizeof *o);
	o->mode = -1;
	char buf[512], *save = NULL;
	if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
		return MSG("value too long");
	char *addr = strtok_r(buf, " \t", &save);
	if (!addr)
		return MSG("expected tcp:HOST:PORT, udp:HOST:PORT or unix:/PATH[:MODE[:OWNER[:GROUP]]]");
	if (snprintf(o->addr, sizeof o->addr, "%s", addr) >= (int)sizeof o->addr)
		return MSG("address too long");
	size_t k = 0;
	while (k < sizeof kinds / sizeof kinds[0] && strncmp(addr, kinds[k].prefix, strlen(kinds[k].prefix)) != 0)
		k++;
	if (k == sizeof kinds / sizeof kinds[0])
		return MSG("\"%s\": expected tcp:HOST:PORT, udp:HOST:PORT or unix:/PATH[:MODE[:OWNER[:GROUP]]]", addr);
	o->kind = kinds[k].kind;
	o->socktype = kinds[k].type;
	char *rest = addr + strlen(kinds[k].prefix);
	if ((o->kind == LK_UNIX ? parse_unix(rest, o, why, whylen) : parse_inet(rest, o, why, whylen)) < 0)
		return -1;
	for (char *w = strtok_r(NULL, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (parse_option(w, o, why, whylen) < 0)
			return -1;
	if (o->kind == LK_UDP && o->backlog)
		return MSG("backlog= is for stream sockets, not udp:");
	return 0;
}
