/* The control socket's request parser on any bytes a client may send, and the JSON writer on what it could
 * echo back (names and paths are the config's, so any bytes). */
#include <stdlib.h>
#include <string.h>

#include "control.h"
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
	/* The server hands the parser at most one line of CTL_LINE_MAX bytes, cut at the first newline. */
	size_t n = size < CTL_LINE_MAX ? size : CTL_LINE_MAX;
	const char *nl = memchr(data, '\n', n);
	if (nl)
		n = (size_t)(nl - (const char *)data) + 1;
	enum ctl_req r = control_parse((const char *)data, n);
	if (r != CTL_BAD && strncmp((const char *)data, control_req_name(r), strlen(control_req_name(r))) != 0)
		abort(); /* a request is its own name */
	char *text = fuzz_cstr(data, size);
	struct control_status st = {.name = text, .state = "running", .config = text, .last_exit = -1};
	struct ctl_out o = {0};
	control_status_json(&o, &st);
	if (!o.full && (o.len == 0 || o.p[o.len - 1] != '\n' || memchr(o.p, '\n', o.len - 1)))
		abort(); /* one line, whatever the name holds */
	ctl_out_free(&o);
	control_answer(&o, text);
	if (!o.full && memchr(o.p, '\n', o.len - 1))
		abort();
	ctl_out_free(&o);
	free(text);
	return 0;
}
