/* A small unit-test harness: CHECK records, the program ends with "N passed, N failed". */
#ifndef WARDER_T_H
#define WARDER_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;
static const char *t_name = "";

#define TEST(name) static void name(void)
#define RUN(name) (t_name = #name, name())
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			t_pass++;                                                                  \
		} else {                                                                           \
			t_fail++;                                                                  \
			fprintf(stderr, "FAIL %s:%d %s: %s\n", __FILE__, __LINE__, t_name, #cond); \
		}                                                                                  \
	} while (0)
#define CHECK_STR(a, b)                                                                                                \
	do {                                                                                                           \
		const char *t_a = (a), *t_b = (b);                                                                     \
		if (t_a && t_b && strcmp(t_a, t_b) == 0) {                                                             \
			t_pass++;                                                                                      \
		} else {                                                                                               \
			t_fail++;                                                                                      \
			fprintf(stderr, "FAIL %s:%d %s: %s\n   got: %s\n  want: %s\n", __FILE__, __LINE__, t_name, #a, \
				t_a ? t_a : "(null)", t_b ? t_b : "(null)");                                           \
		}                                                                                                      \
	} while (0)
#define CHECK_INT(a, b)                                                                                               \
	do {                                                                                                          \
		long long t_a = (long long)(a), t_b = (long long)(b);                                                 \
		if (t_a == t_b) {                                                                                     \
			t_pass++;                                                                                     \
		} else {                                                                                              \
			t_fail++;                                                                                     \
			fprintf(stderr, "FAIL %s:%d %s: %s = %lld, want %lld\n", __FILE__, __LINE__, t_name, #a, t_a, \
				t_b);                                                                                 \
		}                                                                                                     \
	} while (0)
#define T_DONE() (printf("%s: %d passed, %d failed\n", __FILE__, t_pass, t_fail), t_fail ? 1 : 0)

#endif
