/* kmsg: the protocol the keeper and the jail's init speak. Fixed-size messages over a SOCK_SEQPACKET
 * socketpair, so every message arrives whole or not at all, and end-of-file means the other side is gone. */
#ifndef WARDER_KMSG_H
#define WARDER_KMSG_H

#include <stdint.h>

enum kmsg_type {
	KMSG_GO = 1,    /* keeper -> init: the jail is ready, start; arg = the init's host pid */
	KMSG_STARTED,   /* init -> keeper: exec.start ran and the main command is running */
	KMSG_FAILED,    /* init -> keeper: in-jail step ARG failed (enum step_id); the init exits after it */
	KMSG_EXITED,    /* init -> keeper: the main command exited with code ARG; the init waits for STOP (not
			 * when no exec.prestop runs in between: then STOP is known to be "1") */
	KMSG_STOP,      /* keeper -> init: stop now; ARG 1: run exec.stop first, 0: only TERM/KILL */
	KMSG_RELOAD,    /* keeper -> init: restart the stack */
	KMSG_STATUS,    /* init -> keeper: final exit code ARG; the init exits right after */
	KMSG_INFO,      /* init -> keeper: the command's pid ARG (inside the jail, 0 none), A2 restarts, A3 last exit */
	KMSG_INTERRUPT, /* keeper -> init, while the in-jail create steps run: a stop was asked for by signal ARG;
			 * the running hook gets it, nothing more starts, the init reports FAILED */
	KMSG_NETNS,     /* keeper -> init, first after GO when the plan makes the network namespace on the host
			 * (Linux): the namespace as a passed fd and ARG 0, or no fd and ARG the errno (said by the
			 * keeper) */
};

struct kmsg {
	uint32_t type;
	int32_t arg;
	int32_t a2, a3; /* KMSG_INFO only */
};

const char *kmsg_name(enum kmsg_type t);
/* Both create the socketpair: fds[0] for the keeper, fds[1] for the init (close-on-exec both). */
int kmsg_pair(int fds[2]);
int kmsg_send(int fd, enum kmsg_type t, int arg); /* 0, or -1 after a log line */
int kmsg_send_info(int fd, int pid, int restarts, int last_exit);
int kmsg_send_fd(int fd, enum kmsg_type t, int arg, int pass); /* with fd PASS (none when < 0) */
/* 1 a message, 0 end-of-file, -1 error (logged). Retries EINTR. A passed fd is closed. */
int kmsg_recv(int fd, struct kmsg *m);
/* kmsg_recv keeping a passed fd in *PASSED (close-on-exec; -1 none). */
int kmsg_recv_fd(int fd, struct kmsg *m, int *passed);

#endif
