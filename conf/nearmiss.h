/* nearmiss: the known name nearest to a mistyped one, for "unknown key ..., did you mean ...?". It knows no
 * names itself: the caller offers each candidate in turn (keymap.c offers every key a section accepts). */
#ifndef WARDER_NEARMISS_H
#define WARDER_NEARMISS_H

#include <stddef.h>

struct nearmiss {
	char best[64]; /* "" while nothing is near */
	size_t dist;   /* best's edit distance to the key; (size_t)-1 when found by a common prefix or not at all */
};

void nearmiss_start(struct nearmiss *s);
/* NAME replaces the best so far when it is within edit distance 2 of KEY and nearer, or, while nothing is near,
 * when one of the two starts with the other and the shorter has 4 characters or more. */
void nearmiss_consider(struct nearmiss *s, const char *key, const char *name);
/* Levenshtein distance; (size_t)-1 for strings of 127 bytes or more. */
size_t nearmiss_distance(const char *a, const char *b);

#endif
