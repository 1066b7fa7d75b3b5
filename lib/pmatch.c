/* pmatch: see pmatch.h. One saved '*' is enough to backtrack: a later '*' can match whatever an earlier one
 * would have, and with PM_PATHNAME no '*' reaches past a '/', so passing one drops the saved '*'. */
#include "pmatch.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static const struct {
	const char *name;
	int (*is)(int);
} classes[] = {
	{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank}, {"cntrl", iscntrl},
	{"digit", isdigit}, {"graph", isgraph}, {"lower", islower}, {"print", isprint},
	{"punct", ispunct}, {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
};

/* "[:name:]" at P: its length, with *IN set to whether C is of the class; 0 when P holds no class. */
static size_t class_at(const char *p, unsigned char c, bool *in)
{
	if (p[0] != '[' || p[1] != ':')
		return 0; /* checked first: P may end right here */
	const char *end = strstr(p + 2, ":]");
	if (!end)
		return 0;
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strlen(classes[i].name) == (size_t)(end - p - 2) && memcmp(classes[i].name, p + 2, end - p - 2) == 0) {
			*in = classes[i].is(c) != 0;
			return (size_t)(end - p) + 2;
		}
	return 0;
}

/* The bracket expression at P (just after its '['): the pattern after its ']', *OK set to whether C is in
 * it; NULL when it has no ']' (the '[' is then an ordinary byte). */
static const char *bracket(const char *p, unsigned char c, int flags, bool *ok)
{
	bool neg = *p == '!' || *p == '^', in = false;
	if (neg)
		p++;
	for (bool first = true; first || *p != ']'; first = false) {
		size_t n;
		bool is;
		if ((flags & PM_CLASSES) && (n = class_at(p, c, &is)) > 0) {
			in |= is;
			p += n;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		if (!*p)
			return NULL;
		unsigned char lo = (unsigned char)*p++, hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		in |= lo <= c && c <= hi;
	}
	*ok = in != neg;
	return p + 1;
}

bool pmatch(const char *pat, const char *s, int flags)
{
	const char *p = pat, *str = s, *star_p = NULL, *star_s = NULL;
	bool path = flags & PM_PATHNAME;
	for (;;) {
		bool lead = *s == '.' && (flags & PM_PERIOD) && (s == str || (path && s[-1] == '/'));
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (lead)
				return false; /* nothing before can take it: it is the start, or just after a '/' */
			star_p = p, star_s = s;
			continue;
		}
		if (!*p) {
			if (!*s)
				return true;
			goto retry;
		}
		if (!*s)
			return false; /* a longer match of the saved '*' leaves even less */
		const char *next = p + 1;
		bool ok;
		if (*p == '?')
			ok = !(path && *s == '/') && !lead;
		else if (*p == '[' && (next = bracket(p + 1, (unsigned char)*s, flags, &ok)) != NULL)
			ok = ok && !(path && *s == '/') && !lead;
		else {
			const char *lit = p;
			if (*lit == '\\' && lit[1])
				lit++;
			next = lit + 1;
			ok = *lit == *s;
		}
		if (ok) {
			if (path && *s == '/')
				star_p = NULL;
			p = next, s++;
			continue;
		}
retry:
		if (!star_p || !*star_s || (path && *star_s == '/'))
			return false;
		p = star_p, s = ++star_s;
	}
}
