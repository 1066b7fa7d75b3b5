/* ctl_out: a growing text buffer for JSON answers (ctl_out.h). */
#include "ctl_out.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void ctl_put(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;
	while (!o->full) {
		va_start(ap, fmt);
		int n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->full = true;
		} else if (o->p && o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		} else {
			size_t cap = (o->cap + (size_t)n + 1) * 2;
			char *p = realloc(o->p, cap);
			if (p) {
				o->p = p;
				o->cap = cap;
			} else {
				o->full = true;
			}
		}
	}
}

void ctl_put_str(struct ctl_out *o, const char *s)
{
	if (!s) {
		ctl_put(o, "null");
		return;
	}
	ctl_put(o, "\"");
	for (; *s && !o->full; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			ctl_put(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			ctl_put(o, "\\u%04x", c);
		else
			ctl_put(o, "%c", c);
	}
	ctl_put(o, "\"");
}

void ctl_out_free(struct ctl_out *o)
{
	free(o->p);
	*o = (struct ctl_out){0};
}
