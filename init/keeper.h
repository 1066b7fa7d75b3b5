/* keeper: the host side of a jail (walks hooks/steps.h's create and remove orders), the socketpair protocol
 * it speaks with the jail's init, and the state files `warder list` and `warder attach` read.
 *
 * Keeper and init exchange fixed-size messages over a SOCK_SEQPACKET socketpair, so every message arrives
 * whole or not at all, and end-of-file means the other side is gone. */
#ifndef WARDER_KEEPER_H
#define WARDER_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "jail.h"

/* --- the protocol ---------------------------------------------------------------------------------------- */
enum kmsg_type {
	KMSG_GO = 1,  /* keeper -> init: the jail is ready, start; arg = the init's host pid */
	KMSG_STARTED, /* init -> keeper: exec.start ran and the main command is running */
	KMSG_FAILED,  /* init -> keeper: in-jail step ARG failed (enum step_id); the init exits after it */
	KMSG_EXITED,  /* init -> keeper: the main command exited with code ARG; the init waits for STOP */
	KMSG_STOP,    /* keeper -> init: stop now; ARG 1: run exec.stop first, 0: only TERM/KILL */
	KMSG_RELOAD,  /* keeper -> init: restart the stack */
	KMSG_STATUS,  /* init -> keeper: final exit code ARG; the init exits right after */
	KMSG_INFO,    /* init -> keeper: the command's pid ARG (inside the jail, 0 none), A2 restarts, A3 last exit */
	KMSG_INTERRUPT, /* keeper -> init, while the in-jail create steps run: a stop was asked for by signal ARG;
			 * the running hook gets it, nothing more starts, the init reports FAILED */
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
/* 1 a message, 0 end-of-file, -1 error (logged). Retries EINTR. */
int kmsg_recv(int fd, struct kmsg *m);

/* --- the keeper --------------------------------------------------------------------------------------------- */
/* Build jail J called NAME, run it until it stops, remove it. Returns the exit status (DESIGN.md). FILE is
 * the config J came from, read again on `reload = jail` (NULL: the built-in demo, rebuilt as it is). */
struct ev_loop;
int keeper_run(struct ev_loop *loop, const struct jail *j, const char *name, const char *file);
/* The keeper running in this process: reload or stop it as SIGHUP or SIGTERM would. 0, or -1 with a
 * reason in ERR (nothing runs, a reload is under way, the new config does not parse). */
int keeper_reload(char *err, size_t errlen);
int keeper_stop(void);

/* --- the init (init/run.c) and the setns socket it serves (init/attach.c) ---------------------------------- */
/* The jail's init, in its new process once the back end made it: waits for "go", runs the in-jail steps,
 * supervises the main command, stops on "stop". Returns its exit status. */
int run_jail_init(struct jailrun *r, struct ev_loop *loop);

/* uWSGI's setns-socket: bind PATH and open the /proc/self/ns entries now (before the root changes); returns the
 * listening fd (close-on-exec) or -1 after a log line. setns_serve answers one client: the payload
 * "uwsgi-setns", an int with the count, and the namespace fds (user excluded) as SCM_RIGHTS. */
int setns_listen(const char *path);
void setns_serve(int lfd);
void setns_close(void);

/* --- state files (/run/warder/NAME.state) --------------------------------------------------------------- */
struct jail_state {
	char name[128];
	pid_t pid;         /* the init's host pid */
	pid_t keeper;      /* the keeper's pid */
	long long started; /* epoch seconds */
	char path[512];    /* rootfs, "-" when none */
	char socket[512];  /* setns-socket, "" when none */
	char control[512]; /* control socket, "" when none */
};

/* The directory: $WARDER_RUNDIR, else /run/warder for root, else $XDG_RUNTIME_DIR/warder or /tmp/warder-UID. */
const char *state_dir(char *buf, size_t len);
int state_write(const struct jail_state *s);
int state_read(const char *name, struct jail_state *s); /* 0, -1 when absent or unreadable (errno) */
int state_remove(const char *name);
bool state_alive(const struct jail_state *s);           /* the recorded keeper is still running */
/* STATEDIR/NAME.limits (init/attach.c): J's user, group(s), caps, no_new_privs and rlimit.*, which `warder
 * attach` applies as the main command gets them. Written before the state file, removed with it. */
int attach_limits_save(const struct jail *j, const char *name);
int attach_limits_remove(const char *name);

#endif
