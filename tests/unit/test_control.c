/* The control socket's wire format: the request parser and the JSON answers. */
#include <stdlib.h>
#include <string.h>

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
	CHECK_INT(control_parse("start", 5), CTL_BAD);  /* only with a target */
	CHECK_INT(control_parse("stop web", 8), CTL_BAD);
	CHECK_STR(control_req_name(CTL_RELOAD), "reload");
	CHECK_STR(control_req_name(CTL_BAD), "?");
}

TEST(parse_targets)
{
	char t[16];
	CHECK_INT(control_parse_target("stop web\n", 9, t, sizeof t), CTL_STOP);
	CHECK_STR(t, "web");
	CHECK_INT(control_parse_target("start app1.ini", 14, t, sizeof t), CTL_START);
	CHECK_STR(t, "app1.ini");
	CHECK_INT(control_parse_target("reload\n", 7, t, sizeof t), CTL_RELOAD);
	CHECK_STR(t, "");
	CHECK_INT(control_parse_target("start", 5, t, sizeof t), CTL_BAD);
	CHECK_INT(control_parse_target("status web", 10, t, sizeof t), CTL_BAD);
	CHECK_INT(control_parse_target("stop ", 5, t, sizeof t), CTL_BAD);
	CHECK_INT(control_parse_target("stop a b", 8, t, sizeof t), CTL_BAD);
	CHECK_INT(control_parse_target("stop ../x", 9, t, sizeof t), CTL_BAD); /* no slash */
	CHECK_INT(control_parse_target("stop a/b", 8, t, sizeof t), CTL_BAD);
	CHECK_INT(control_parse_target("stop 0123456789abcdef", 21, t, sizeof t), CTL_BAD); /* too long */
	CHECK_INT(control_parse_target("stopx web", 9, t, sizeof t), CTL_BAD);
}

TEST(status_json)
{
	struct control_status st = {
		.name = "web",
		.state = "running",
		.pid = 42,
		.pids = {43},
		.npids = 1,
		.uptime = 7,
		.restarts = 2,
		.last_exit = 1,
		.jid = 42,
		.namespaces = "mount,pid",
		.config = "/etc/w.conf",
		.ready = true,
		.notify_status = "serving 3 clients",
	};
	struct ctl_out o = {0};
	control_status_json(&o, &st);
	CHECK_STR(o.p, "{\"name\":\"web\",\"state\":\"running\",\"pid\":42,\"pids\":[43],\"uptime\":7,\"restarts\":2,"
		       "\"last_exit\":1,\"jid\":42,\"namespaces\":[\"mount\",\"pid\"],\"config\":\"/etc/w.conf\","
		       "\"reload_error\":null,\"ready\":true,\"status\":\"serving 3 clients\"}\n");
	CHECK_INT(o.len, (long long)strlen(o.p));
	ctl_out_free(&o);
	st.npids = 0, st.last_exit = -1, st.config = NULL, st.namespaces[0] = '\0', st.ready = false;
	st.notify_status = "";
	st.name = "a\"b\\c\n";
	st.reload_error = "setup (exit 71)";
	control_status_json(&o, &st);
	CHECK_STR(o.p, "{\"name\":\"a\\\"b\\\\c\\u000a\",\"state\":\"running\",\"pid\":42,\"pids\":[],\"uptime\":7,"
		       "\"restarts\":2,\"last_exit\":null,\"jid\":42,\"namespaces\":[],\"config\":null,"
		       "\"reload_error\":\"setup (exit 71)\",\"ready\":false,\"status\":null}\n");
	ctl_out_free(&o);
	/* An answer grows as long as it needs: a 100 KiB name comes out whole. */
	char *big = malloc(100 * 1024 + 1);
	memset(big, 'x', 100 * 1024);
	big[100 * 1024] = '\0';
	st.name = big;
	control_status_json(&o, &st);
	CHECK(!o.full && o.len > 100 * 1024 && strstr(o.p, big) && o.p[o.len - 1] == '\n');
	ctl_out_free(&o);
	free(big);
}

TEST(answers)
{
	struct ctl_out o = {0};
	control_answer(&o, NULL);
	CHECK_STR(o.p, "{\"ok\":true}\n");
	CHECK_INT(o.len, 12);
	ctl_out_free(&o);
	control_answer(&o, "refused");
	CHECK_STR(o.p, "{\"error\":\"refused\"}\n");
	ctl_out_free(&o);
	ctl_put(&o, "%d", 1);
	ctl_put_str(&o, NULL);
	CHECK_STR(o.p, "1null");
	ctl_out_free(&o);
}

int main(void)
{
	RUN(parse_requests);
	RUN(parse_targets);
	RUN(status_json);
	RUN(answers);
	return T_DONE();
}
