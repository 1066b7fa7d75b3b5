/* ns: the namespace table (see ns.h). */
#include "ns.h"

#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sched.h>
#endif

const struct ns_def ns_table[NS_COUNT] = {
	[NS_MOUNT] = {"mount", "mnt", 0x00020000ULL},      [NS_PID] = {"pid", "pid", 0x20000000ULL},
	[NS_UTS] = {"uts", "uts", 0x04000000ULL},          [NS_IPC] = {"ipc", "ipc", 0x08000000ULL},
	[NS_NET] = {"net", "net", 0x40000000ULL},          [NS_USER] = {"user", "user", 0x10000000ULL},
	[NS_CGROUP] = {"cgroup", "cgroup", 0x02000000ULL}, [NS_TIME] = {"time", "time", 0x00000080ULL},
};

#ifdef __linux__
_Static_assert(CLONE_NEWNS == 0x00020000 && CLONE_NEWPID == 0x20000000 && CLONE_NEWUTS == 0x04000000 &&
		       CLONE_NEWIPC == 0x08000000 && CLONE_NEWNET == 0x40000000 && CLONE_NEWUSER == 0x10000000 &&
		       CLONE_NEWCGROUP == 0x02000000 && CLONE_NEWTIME == 0x00000080,
	       "ns_table's clone flags are the kernel's");
#endif

const enum ns_id ns_join_order[NS_COUNT] = {
	NS_USER, NS_CGROUP, NS_IPC, NS_UTS, NS_NET, NS_PID, NS_TIME, NS_MOUNT,
};

int ns_find(const char *word)
{
	if (strcmp(word, "fs") == 0) /* uWSGI's name */
		return NS_MOUNT;
	for (int i = 0; i < NS_COUNT; i++)
		if (strcmp(word, ns_table[i].name) == 0)
			return i;
	return -1;
}

unsigned ns_list(const char *list)
{
	char buf[256], *save = NULL;
	unsigned bits = 0;

	if (!list || snprintf(buf, sizeof buf, "%s", list) >= (int)sizeof buf)
		return 0;
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		int id = ns_find(t);
		if (id >= 0)
			bits |= NS_BIT(id);
	}
	return bits;
}

unsigned long long ns_clone_flags(unsigned bits)
{
	unsigned long long f = 0;
	for (int i = 0; i < NS_COUNT; i++)
		if (bits & NS_BIT(i))
			f |= ns_table[i].clone_flag;
	return f;
}
