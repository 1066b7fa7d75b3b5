/* cmd_import: `warder import-jailconf [-R ROOT] FILE` prints FILE (FreeBSD jail.conf syntax) as warder's INI.
 * conf/jailconf.c does the work; this is the command line around it. */
#include "cmd.h"
#include "jailconf.h"
#include "log.h"

#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -h is a usage error here (EXIT_USAGE on stderr), as it always was. */
static int usage(void)
{
	return cmd_usage("usage: warder import-jailconf [-R ROOT] FILE\n"
			 "  prints FILE, a jail.conf(5), as warder's INI on stdout;\n"
			 "  -R ROOT: read absolute .include paths below ROOT\n",
			 false);
}

int cmd_import_jailconf(int argc, char **argv)
{
	const char *root = NULL;
	int c;
	optind = 1;
	while ((c = getopt(argc, argv, "+R:h")) != -1) {
		if (c == 'R')
			root = optarg;
		else
			return usage();
	}
	if (optind != argc - 1)
		return usage();
	char err[512], *ini;
	if (jailconf_to_ini(argv[optind], root, &ini, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	size_t len = strlen(ini);
	int bad = fwrite(ini, 1, len, stdout) != len || fflush(stdout) != 0;
	free(ini);
	if (bad) {
		log_errno("import-jailconf", "cannot write the output");
		return EXIT_OSERR;
	}
	return 0;
}
