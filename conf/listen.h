/* listen: the `listen` parameter's value, parsed without touching the system (portable, unit-tested).
 *
 *   listen = ADDRESS [name=NAME] [backlog=N] [reuseport] [inside]
 *   ADDRESS: tcp:HOST:PORT | udp:HOST:PORT | unix:/PATH[:MODE[:OWNER[:GROUP]]]
 *   HOST: an IPv4 address, [IPv6 address], or * (every IPv4 address)
 *
 * `inside` binds in the jail's own network stack and filesystem (after exec.start) instead of on the host
 * before the jail exists. NAME goes to LISTEN_FDNAMES (default: the jail's name). */
#ifndef WARDER_LISTEN_SPEC_H
#define WARDER_LISTEN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

enum listen_kind { LK_TCP, LK_UDP, LK_UNIX };

struct listen_spec {
	enum listen_kind kind;
	int family;                 /* AF_INET, AF_INET6, AF_UNIX */
	int socktype;               /* SOCK_STREAM, SOCK_DGRAM */
	struct sockaddr_storage sa; /* the address to bind */
	socklen_t salen;
	char path[108];            /* LK_UNIX */
	int mode;                  /* LK_UNIX: permission bits, -1 unset */
	char owner[64], group[64]; /* LK_UNIX: "" unset */
	int backlog;               /* 0: SOMAXCONN */
	bool reuseport;
	bool inside;
	char name[64];  /* "" : the jail's name */
	char addr[160]; /* the address as written: the identity of the socket and its messages */
};

/* 0, or -1 with a message (no FILE:LINE) in WHY. */
int listen_parse(const char *text, struct listen_spec *out, char *why, size_t whylen);

#endif
