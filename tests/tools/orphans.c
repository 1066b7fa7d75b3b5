/* orphans N [EXIT]: leaves N orphans behind as fast as it can (each child forks a grandchild and exits at
 * once, so the grandchild is reparented to the nearest reaper), waits for its direct children, exits EXIT.
 * Used by the storm test and the reaping benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int code = argc > 2 ? atoi(argv[2]) : 0;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0) {
			if (fork() == 0) {
				usleep(1000);
				_exit(0);
			}
			_exit(0);
		}
		if (waitpid(p, NULL, 0) < 0) {
			perror("waitpid");
			return 1;
		}
	}
	return code;
}
