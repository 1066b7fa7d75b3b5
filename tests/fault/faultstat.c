/* Prints the fault shim's counters (shim.h) from FILE: one line per kind that was called,
 *   KIND TOTAL FIRST INIT OTHER
 * then "injected N ROLE PID" when a fault was injected. For fault.sh. */
#include "shim.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FAULT_NAME(k) #k,
static const char *const kind_names[FK_COUNT] = {FAULT_KINDS(FAULT_NAME)};
static const char *const role_names[FR_COUNT] = {"first", "init", "other"};

int main(int argc, char **argv)
{
	struct fault_state s;
	memset(&s, 0, sizeof s);
	int fd = argc == 2 ? open(argv[1], O_RDONLY) : -1;
	if (fd < 0 || read(fd, &s, sizeof s) < 0 || (s.magic && s.magic != FAULT_MAGIC)) {
		fprintf(stderr, "usage: faultstat FILE (a WARDER_FAULT_COUNT file)\n");
		return 64;
	}
	for (int k = 0; k < FK_COUNT; k++)
		if (s.total[k])
			printf("%s %u %u %u %u\n", kind_names[k], s.total[k], s.by_role[FR_FIRST][k],
			       s.by_role[FR_INIT][k], s.by_role[FR_OTHER][k]);
	if (s.injected)
		printf("injected %u %s %d\n", s.injected, role_names[s.injected_role < FR_COUNT ? s.injected_role : 2],
		       s.injected_pid);
	return 0;
}
