/* ctl_out: JSON text being written into memory, for the control socket's answers, `warder list --json` and
 * `warder check --json`. Portable, no system calls. */
#ifndef WARDER_CTL_OUT_H
#define WARDER_CTL_OUT_H

#include <stdbool.h>
#include <stddef.h>

/* An answer being written: it grows as needed; FULL once memory ran out (the answer is then dropped). */
struct ctl_out {
	char *p;
	size_t len, cap;
	bool full;
};
void ctl_put(struct ctl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_put_str(struct ctl_out *o, const char *s); /* as a JSON string; NULL: null */
void ctl_out_free(struct ctl_out *o);

#endif
