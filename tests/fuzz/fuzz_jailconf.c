/* The jail.conf importer (`warder import-jailconf`): jail.conf syntax, .include from the sandbox's /fuzz tree,
 * the INI writer; and the round trip: whatever INI it writes is read back by the config reader, which must
 * either load it or reject it with a message (never crash). */
#include "conf.h"
#include "jailconf.h"
#include "sandbox.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_sandbox();
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char err[512] = "", *ini = NULL;
	if (jailconf_string_to_ini("/fuzz/etc/jail.conf", text, "/fuzz/etc", NULL, &ini, err, sizeof err) == 0) {
		struct conf *c = NULL;
		char err2[512] = "";
		if (conf_load_string("/fuzz/imported.conf", ini, &c, err2, sizeof err2) == 0)
			conf_free(c);
		else if (!err2[0])
			abort();
		free(ini);
	} else if (!err[0]) {
		abort();
	}
	free(text);
	return 0;
}
