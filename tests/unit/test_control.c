/* The control socket's wire format: the request parser and the JSON answers. */
#include <stdlib.h>

#include "control.h"
#include "t.h"

TEST(parse_requests)
{
	CHECK_INT(control_parse("status", 6), CTL_STATUS);
	CHECK_INT(control_parse("status\n", 7), CTL_STATUS);
	CHECK_INT(control_parse("reload\r\n", 8), CTL_RELOAD);
	CHECK_INT(control_parse("stop\n", 5), CTL_STOP);
	CHECK_INT(control_parse("stop\nstop\n", 10), CTL_BAD);
	CHECK_INT(control_parse("", 0), CTL_BAD);
	CHECK_INT(control_parse("\n", 1), CTL_BAD);
	CHECK_INT(control_parse(" stop", 5), CTL_BAD);
	CHECK_INT(control_parse("STOP", 4), CTL_BAD);
	CHECK_INT(control_parse("stopx", 5), CTL_BAD);
	CHECK_INT(control_parse("sto", 3), CTL_BAD);
	CHECK_INT(control_parse("stop\0\n", 6), CTL_BAD);
	CHECK_INT(control_parse("status", 4), CTL_BAD); /* only the first LEN bytes count */
	CHECK_STR(control_req_name(CTL_RELOAD), "reload");
	CHECK_STR(control_req_name(CTL_BAD), "?");
}

TEST(status_json)
{
	struct control_status st = {
		.name = "web", .state = "running", .pid = 42, .pids = {43}, .npids = 1, .uptime = 7,
		.restarts = 2, .last_exit = 1, .jid = 42, .namespaces = "mount,pid", .config = "/etc/w.conf",
	};
	char buf[512];
	int n = control_status_json(buf, sizeof buf, &st);
	CHECK_STR(buf, "{\"name\":\"web\",\"state\":\"running\",\"pid\":42,\"pids\":[43],\"uptime\":7,\"restarts\":2,"
		       "\"last_exit\":1,\"jid\":42,\"namespaces\":[\"mount\",\"pid\"],\"config\":\"/etc/w.conf\"}\n");
	CHECK_INT(n, (long long)strlen(buf));
	st.npids = 0, st.last_exit = -1, st.config = NULL, st.namespaces[0] = '\0';
	st.name = "a\"b\\c\n";
	control_status_json(buf, sizeof buf, &st);
	CHECK_STR(buf, "{\"name\":\"a\\\"b\\\\c\\u000a\",\"state\":\"running\",\"pid\":42,\"pids\":[],\"uptime\":7,"
		       "\"restarts\":2,\"last_exit\":null,\"jid\":42,\"namespaces\":[],\"config\":null}\n");
	CHECK_INT(control_status_json(buf, 20, &st), -1);
}

TEST(answers)
{
	char buf[64];
	CHECK_INT(control_answer(buf, sizeof buf, NULL), 12);
	CHECK_STR(buf, "{\"ok\":true}\n");
	control_answer(buf, sizeof buf, "refused");
	CHECK_STR(buf, "{\"error\":\"refused\"}\n");
	CHECK_INT(control_answer(buf, 8, "refused"), -1);
}

int main(void)
{
	RUN(parse_requests);
	RUN(status_json);
	RUN(answers);
	return T_DONE();
}
