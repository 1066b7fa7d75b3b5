/* nearmiss: edit distance and the choice of the nearest candidate (see nearmiss.h). */
#include "nearmiss.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

size_t nearmiss_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[128], prev;
	if (la >= 127 || lb >= 127)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

void nearmiss_start(struct nearmiss *s)
{
	*s = (struct nearmiss){.dist = (size_t)-1};
}

void nearmiss_consider(struct nearmiss *s, const char *key, const char *name)
{
	size_t d = nearmiss_distance(key, name), lk = strlen(key), ln = strlen(name);
	bool pre = (lk >= 4 && strncmp(name, key, lk) == 0) || (ln >= 4 && strncmp(key, name, ln) == 0);
	if (d < s->dist && d <= 2) {
		snprintf(s->best, sizeof s->best, "%s", name);
		s->dist = d;
	} else if (pre && !s->best[0]) {
		snprintf(s->best, sizeof s->best, "%s", name);
	}
}
