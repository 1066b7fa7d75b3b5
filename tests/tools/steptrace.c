/* steptrace DIR BINARY -- CMD ARGS: run CMD under ptrace, single-stepping every process of its tree while it
 * runs BINARY (the keeper, the init, their forks; a process that executes anything else is let go), and
 * write DIR/PID, one file per process, in the form of valgrind lackey's log: "==PID== Parent PID: PPID",
 * then "I  ADDRESS,1" for each 16-byte line of BINARY's code it ran, first run first. Unlike valgrind it
 * runs what the kernel and the CPU really offer: the vDSO, this CPU's string functions, clone3 and the
 * new mount API. tests/tools/layout.sh reads the files. */
#if !defined(__x86_64__)
#error "steptrace reads the x86-64 instruction pointer"
#endif
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXP 4096

struct proc {
	pid_t pid;
	FILE *out;
	uintptr_t lo, hi; /* BINARY's executable mapping, 0 when it runs something else */
	uint8_t *seen;    /* one bit per 16 bytes of it */
	int waiting;      /* a new child stopped before its parent's fork event: held until it comes */
};

static struct proc procs[MAXP];
static const char *dir, *binary;
static char binary_real[4096];

static struct proc *find(pid_t pid)
{
	for (int i = 0; i < MAXP; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

/* P runs BINARY's code at [LO, HI) (LO 0: it runs something else). */
static void code_range(struct proc *p, uintptr_t lo, uintptr_t hi)
{
	free(p->seen);
	p->lo = lo;
	p->hi = hi;
	p->seen = lo ? calloc((hi - lo) / 128 + 1, 1) : NULL;
}

/* Where BINARY's code is mapped in PID, from /proc/PID/maps; 0 when it is not. */
static void map_of(struct proc *p)
{
	char path[64], line[4608];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)p->pid);
	FILE *f = fopen(path, "r");
	uintptr_t code_lo = 0, code_hi = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perm[8], file[4096] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &lo, &hi, perm, file) >= 3 && perm[2] == 'x' &&
		    !strcmp(file, binary_real)) {
			code_lo = lo;
			code_hi = hi;
		}
	}
	if (f)
		fclose(f);
	code_range(p, code_lo, code_hi);
}

static struct proc *add(pid_t pid, pid_t parent, const struct proc *from)
{
	struct proc *p = find(0);
	if (!p)
		return NULL;
	static int n;
	char path[4096];
	snprintf(path, sizeof path, "%s/%d.%d", dir, (int)pid, ++n);
	p->pid = pid;
	p->out = fopen(path, "w");
	if (!p->out) {
		perror(path);
		exit(1);
	}
	fprintf(p->out, "==%d== Parent PID: %d\n", (int)pid, (int)parent);
	p->seen = NULL;
	code_range(p, from ? from->lo : 0, from ? from->hi : 0); /* a fork runs on its parent's mappings */
	return p;
}

static void drop(struct proc *p)
{
	if (p->out)
		fclose(p->out);
	free(p->seen);
	memset(p, 0, sizeof *p);
}

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: steptrace DIR BINARY -- CMD ARGS\n");
		return 2;
	}
	dir = argv[1];
	binary = argv[2];
	if (!realpath(binary, binary_real)) {
		perror(binary);
		return 2;
	}
	pid_t child = fork();
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		execvp(argv[4], argv + 4);
		perror(argv[4]);
		_exit(127);
	}
	int st, rc = 0;
	waitpid(child, &st, 0);
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
			      PTRACE_O_EXITKILL));
	add(child, getpid(), NULL);
	ptrace(PTRACE_CONT, child, NULL, NULL);
	for (;;) {
		pid_t pid = waitpid(-1, &st, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct proc *p = find(pid);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == child)
				rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			if (p)
				drop(p);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!p) { /* a new child may stop before its parent's fork event is seen: hold it */
			p = add(pid, 0, NULL);
			p->waiting = 1;
			continue;
		}
		int sig = WSTOPSIG(st), ev = st >> 16, deliver = 0;
		if (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK || ev == PTRACE_EVENT_CLONE) {
			unsigned long np;
			ptrace(PTRACE_GETEVENTMSG, pid, NULL, &np);
			struct proc *q = find((pid_t)np);
			if (!q) {
				add((pid_t)np, pid, p); /* its own first stop resumes it */
			} else if (q->waiting) {
				fprintf(q->out, "==%d== Parent PID: %d\n", (int)np, (int)pid);
				code_range(q, p->lo, p->hi);
				q->waiting = 0;
				ptrace(q->lo ? PTRACE_SINGLESTEP : PTRACE_CONT, q->pid, NULL, NULL);
			}
		} else if (ev == PTRACE_EVENT_EXEC) {
			map_of(p);
			if (!p->lo) { /* something else: let it run untraced */
				ptrace(PTRACE_DETACH, pid, NULL, NULL);
				drop(p);
				continue;
			}
		} else if (sig == SIGTRAP && p->lo) {
			struct user_regs_struct r;
			if (ptrace(PTRACE_GETREGS, pid, NULL, &r) == 0 && r.rip >= p->lo && r.rip < p->hi) {
				uintptr_t o = (r.rip - p->lo) >> 4;
				if (!(p->seen[o >> 3] & (1 << (o & 7)))) {
					p->seen[o >> 3] |= (uint8_t)(1 << (o & 7));
					fprintf(p->out, "I  %lx,1\n", (unsigned long)r.rip);
				}
			}
		} else if (sig != SIGTRAP && sig != SIGSTOP) {
			deliver = sig;
		}
		ptrace(p->lo ? PTRACE_SINGLESTEP : PTRACE_CONT, pid, NULL, (void *)(long)deliver);
	}
	return rc;
}
