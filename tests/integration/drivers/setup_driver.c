/* setup_driver: runs init/linux/setup's three entry points on a config, the way the init does, so that the
 * integration tests can check each one in real namespaces without the keeper.
 *
 *   setup_driver -c FILE [-n NAME] [-s SHELLCMD] -- CMD [ARGS]
 *
 * lx_setup; then SHELLCMD through /bin/sh as root (standing in for exec.start); lx_finish; then CMD in a child
 * after lx_drop. Exits with CMD's status, 71 when a setup step failed, 78 for a config error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "devfs.h"
#include "jailpw.h"
#include "linux/setup.h"
#include "log.h"

static int wait_for(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 71;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_shell(const char *cmd)
{
	pid_t pid = fork();

	if (pid < 0)
		return 71;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return wait_for(pid);
}

int main(int argc, char **argv)
{
	const char *file = NULL, *name = NULL, *shell = NULL;
	struct conf *c = NULL;
	char err[512];
	int opt;

	while ((opt = getopt(argc, argv, "+c:n:s:")) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 's':
			shell = optarg;
			break;
		default:
			return 64;
		}
	}
	if (!file || optind >= argc) {
		fprintf(stderr, "usage: setup_driver -c FILE [-n NAME] [-s SHELLCMD] -- CMD [ARGS]\n");
		return 64;
	}
	devfs_set_host_resolver(jailpw_host_id); /* as init/main.c does */
	if (conf_load(file, &c, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 78;
	}
	const struct jail *j = conf_jail(c, name);
	if (!j) {
		fprintf(stderr, "%s: no such jail\n", file);
		return 78;
	}
	struct jailrun r = {.j = j, .name = j->name, .jid = -1, .sync_fd = -1, .init_fd = -1};
	log_set_name(j->name);
	if (lx_setup(&r) < 0)
		return 71;
	if (shell) {
		int rc = run_shell(shell);
		if (rc != 0)
			return rc;
	}
	if (lx_finish(&r) < 0)
		return 71;
	pid_t pid = fork();
	if (pid < 0)
		return 71;
	if (pid == 0) {
		if (lx_drop(&r) < 0)
			_exit(71);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "setup_driver: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	int rc = wait_for(pid);
	conf_free(c);
	return rc;
}
