/* nosys CALL... -- CMD ARGS: run CMD with a seccomp filter that answers ENOSYS to each CALL (clone3 or a
 * system call number) (as container runtimes' default profiles answer clone3), the way a kernel without them would. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter f[64];
	int n = 0, i = 1;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (; i < argc && strcmp(argv[i], "--") && n < 60; i++) {
		unsigned nr = strcmp(argv[i], "clone3") ? (unsigned)atoi(argv[i]) : SYS_clone3;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: nosys CALL... -- CMD ARGS\n");
		return 2;
	}
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("nosys: seccomp");
		return 1;
	}
	execvp(argv[i + 1], argv + i + 1);
	perror("nosys: exec");
	return 127;
}
