/* sup_restart: the main command's restart policy (restart = no|on-failure|always), the delay that doubles while
 * it keeps failing quickly, and the burst limit that turns a crash loop into a stop. */
#include <ev.h>

#include "log.h"
#include "sup_priv.h"

bool sup_restart_wanted(struct sup *s)
{
	if (s->stopping || s->o->restart == RESTART_NO)
		return false;
	if (s->o->restart == RESTART_ON_FAILURE && s->last_exit == 0)
		return false;
	if (s->o->burst_n > 0 && s->burst) {
		/* The ring holds the last burst_n restart times: a full window that fits in burst_secs is a
		 * crash loop. */
		double oldest = s->burst[s->burst_i];
		if (s->restarts >= s->o->burst_n && ev_now(s->loop) - oldest < s->o->burst_secs) {
			log_err("command", "restarted %d times within %gs: giving up, stopping the jail", s->o->burst_n,
				s->o->burst_secs);
			return false;
		}
	}
	return true;
}

void sup_restart_schedule(struct sup *s)
{
	double now = ev_now(s->loop);
	/* A command that ran for longer than the longest delay was healthy: start the backoff over. */
	if (s->delay <= 0 || now - s->started > s->o->restart_max_delay)
		s->delay = s->o->restart_delay;
	log_info("command", "exited with status %d; restarting in %.2gs", s->last_exit, s->delay);
	ev_timer_set(&s->restart_timer, s->delay, 0.);
	ev_timer_start(s->loop, &s->restart_timer);
	s->delay *= 2;
	if (s->delay > s->o->restart_max_delay)
		s->delay = s->o->restart_max_delay;
}

void sup_restart_count(struct sup *s)
{
	if (s->burst) {
		s->burst[s->burst_i] = ev_now(s->loop);
		s->burst_i = (s->burst_i + 1) % s->o->burst_n;
	}
	s->restarts++;
}
