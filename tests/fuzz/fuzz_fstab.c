/* The fstab(5) parser: every line of the input through fstab_parse_line, each entry's Linux flag mapping, and
 * the \ooo unescaper on the raw input. */
#include "fstab.h"
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
	free(fstab_unescape(text));
	int line = 0;
	for (char *s = text, *nl; s; s = nl) {
		nl = strchr(s, '\n');
		if (nl)
			*nl++ = 0;
		struct fstab_entry e;
		memset(&e, 0, sizeof e);
		char err[512] = "";
		int rc = fstab_parse_line("/fuzz/fstab", ++line, s, &e, err, sizeof err);
		if (rc == 1) {
			if (!e.device || !e.mountpoint || !e.fstype || !e.options || !e.data)
				abort(); /* a parsed entry has every field */
			(void)fstab_ms_flags(&e);
			(void)fstab_mount_attrs(&e);
			fstab_entry_free(&e);
		} else if (rc < 0 && !err[0]) {
			abort();
		}
	}
	free(text);
	return 0;
}
