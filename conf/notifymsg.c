/* sdnotify: parse one sd_notify datagram (see sdnotify.h). */
#include "notifymsg.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"

static bool is_line(const char *line, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(line, want, len) == 0;
}

/* VALUE of KEY= in LINE, NULL when LINE is another key; *VLEN is its length. */
static const char *value_of(const char *line, size_t len, const char *key, size_t *vlen)
{
	size_t k = strlen(key);
	if (len < k || memcmp(line, key, k) != 0)
		return NULL;
	*vlen = len - k;
	return line + k;
}

static long long number(const char *v, size_t vlen)
{
	char buf[24];
	if (vlen == 0 || vlen >= sizeof buf)
		return -1;
	memcpy(buf, v, vlen);
	buf[vlen] = '\0';
	return conf_all_digits(buf) ? strtoll(buf, NULL, 10) : -1;
}

static void parse_line(const char *line, size_t len, struct sdn_msg *m)
{
	const char *v;
	size_t vlen;
	if (is_line(line, len, "READY=1"))
		m->ready = true;
	else if (is_line(line, len, "RELOADING=1"))
		m->reloading = true;
	else if (is_line(line, len, "STOPPING=1"))
		m->stopping = true;
	else if (is_line(line, len, "WATCHDOG=1"))
		m->watchdog = true;
	else if (is_line(line, len, "WATCHDOG=trigger"))
		m->watchdog_trigger = true;
	else if ((v = value_of(line, len, "STATUS=", &vlen))) {
		if (vlen >= sizeof m->status)
			vlen = sizeof m->status - 1;
		for (size_t i = 0; i < vlen; i++)
			m->status[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
		m->status[vlen] = '\0';
		m->has_status = true;
	} else if ((v = value_of(line, len, "MAINPID=", &vlen))) {
		long long n = number(v, vlen);
		if (n > 0 && n < 0x7fffffff)
			m->mainpid = (long)n;
	} else if ((v = value_of(line, len, "EXTEND_TIMEOUT_USEC=", &vlen))) {
		m->extend_usec = number(v, vlen);
	}
}

int notifymsg_parse(const char *buf, size_t len, struct sdn_msg *m)
{
	memset(m, 0, sizeof *m);
	m->extend_usec = -1;
	if (len == 0 || memchr(buf, '\0', len))
		return -1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (buf + i)) : len - i;
		parse_line(buf + i, l, m);
		i += l + 1;
	}
	return 0;
}
