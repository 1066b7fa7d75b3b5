/* sdnotify: one sd_notify(3) datagram, parsed (portable, no system calls). Lines of KEY=VALUE; warder acts on
 * READY=1, RELOADING=1, STOPPING=1, STATUS=, MAINPID=, WATCHDOG=1, WATCHDOG=trigger and EXTEND_TIMEOUT_USEC=;
 * other keys are ignored, as systemd ignores what it does not know. */
#ifndef WARDER_SDNOTIFY_H
#define WARDER_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>

struct sdn_msg {
	bool ready, reloading, stopping;
	bool watchdog;         /* WATCHDOG=1: the service is alive */
	bool watchdog_trigger; /* WATCHDOG=trigger: the service asks to be treated as hung */
	bool has_status;
	char status[256];      /* STATUS=, control characters replaced by '?' */
	long mainpid;          /* MAINPID=, 0 when absent */
	long long extend_usec; /* EXTEND_TIMEOUT_USEC=, -1 when absent */
};

/* Parse LEN bytes of BUF into M. 0, or -1 when it is not a notification (empty, or holds a NUL byte). */
int notifymsg_parse(const char *buf, size_t len, struct sdn_msg *m);

#endif
