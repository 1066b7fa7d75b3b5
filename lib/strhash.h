/* strhash: the one string hash warder's tables use (FNV-1a, 32 bits): the emperor's vassals by file and
 * name, the config loader's sections by name. */
#ifndef WARDER_STRHASH_H
#define WARDER_STRHASH_H

static inline unsigned str_hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#endif
