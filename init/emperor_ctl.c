/* emperor_ctl: the emperor's answers on its control socket (`warder ctl emperor status|reload|stop` and
 * `stop|start|reload VASSAL`), in `warder ctl`'s format. */
#include <unistd.h>

#include "control.h"
#include "emperor.h"
#include "log.h"

static const char *const state_names[] = {
	[V_SETTLING] = "settling", [V_BAD] = "bad-config",  [V_WAITING] = "waiting",     [V_THROTTLED] = "throttled",
	[V_STARTING] = "starting", [V_RUNNING] = "running", [V_RELOADING] = "reloading", [V_STOPPING] = "stopping",
	[V_STOPPED] = "stopped",   [V_EXILED] = "exiled",
};

/* --- the control socket ------------------------------------------------------------------------------- */
static void status_json(struct emperor *e, struct ctl_out *o)
{
	ctl_put(o, "{\"name\":\"emperor\",\"pid\":%ld,\"dir\":", (long)getpid());
	ctl_put_str(o, e->dir);
	ctl_put(o, ",\"state\":\"%s\",\"vassals\":[", e->stopping ? "stopping" : "running");
	for (size_t i = 0; i < e->n; i++) {
		const struct vsl *v = e->v[i];
		ctl_put(o, "%s{\"name\":", i ? "," : "");
		ctl_put_str(o, v->name);
		ctl_put(o, ",\"file\":");
		ctl_put_str(o, v->file);
		ctl_put(o, ",\"pid\":%ld,\"state\":\"%s\",\"restarts\":%d,\"last_exit\":", (long)v->pid,
			state_names[v->state], v->restarts);
		/* As a jail's own status: null until it first ended. */
		if (v->last_exit < 0)
			ctl_put(o, "null");
		else
			ctl_put(o, "%d", v->last_exit);
		ctl_put(o, ",\"delay_ms\":%.0f}", v->delay * 1000);
	}
	ctl_put(o, "]}\n");
}

/* `warder ctl emperor stop|start|reload VASSAL`: by its jail's name or its file's name. */
void emperor_ctl_vassal_cb(enum ctl_req req, const char *target, struct ctl_out *out, void *arg)
{
	struct emperor *e = arg;
	struct vsl *v = vsl_find_file(e, target);
	if (!v)
		v = vsl_find_name(e, target);
	if (!v || v->gone) {
		control_answer(out, "no such vassal");
		return;
	}
	if (e->stopping) {
		control_answer(out, "the emperor is stopping");
		return;
	}
	if ((req == CTL_START || req == CTL_RELOAD) && (v->state == V_BAD || v->state == V_SETTLING)) {
		control_answer(out, v->state == V_BAD ? "its file has an error: fix the file" : "its file is settling");
		return;
	}
	switch (req) {
	case CTL_STOP:
		log_info(STEP, "vassal %s: stop requested; it stays down until its file changes or `start`", v->name);
		vassal_stop(v, AFTER_DOWN);
		break;
	case CTL_START:
		if (v->pid > 0) {
			control_answer(out, "it runs");
			return;
		}
		v->delay = 0; /* a start by hand is not a crash loop */
		vassal_reload(v, false);
		break;
	case CTL_RELOAD:
		vassal_reload(v, false);
		break;
	default:
		control_answer(out, "bad request");
		return;
	}
	control_answer(out, NULL);
}

void emperor_ctl_cb(enum ctl_req req, struct ctl_out *out, void *arg)
{
	struct emperor *e = arg;
	switch (req) {
	case CTL_STATUS:
		status_json(e, out);
		break;
	case CTL_RELOAD:
		emperor_reload(e);
		control_answer(out, NULL);
		break;
	case CTL_STOP:
		control_answer(out, NULL);
		emperor_stop(e);
		break;
	default:
		control_answer(out, "bad request");
	}
}
