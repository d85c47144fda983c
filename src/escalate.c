/* escalate: the transitions of the stop state machine (see escalate.h). */
#include "escalate.h"

static unsigned begin_stop(struct escalation *e, enum esc_reason why, int signum)
{
	e->state = ESC_STOPPING;
	e->reason = why;
	e->signum = signum;
	return ESC_ACT_SNAPSHOT | ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE |
	       ESC_ACT_DISARM;
}

unsigned esc_step(struct escalation *e, enum esc_event ev, int signum)
{
	if (ev == ESC_CHILD_EXIT) {
		/* A stopped criu must not leave helpers behind it. */
		unsigned reap =
			e->state == ESC_STOPPING || e->state == ESC_KILLED ? ESC_ACT_REAP : 0;

		e->state = ESC_EXITED;
		return ESC_ACT_DISARM | reap;
	}
	switch (e->state) {
	case ESC_RUNNING:
		if (ev == ESC_DEADLINE)
			return begin_stop(e, ESC_BY_DEADLINE, 0);
		if (ev == ESC_STALL)
			return begin_stop(e, ESC_BY_STALL, 0);
		if (ev == ESC_SIGNAL)
			return begin_stop(e, ESC_BY_SIGNAL, signum);
		return 0;
	case ESC_STOPPING:
		/* The grace period is over, or the user insists: no more waiting. */
		if (ev == ESC_GRACE_OVER || ev == ESC_SIGNAL) {
			e->state = ESC_KILLED;
			return ESC_ACT_KILL;
		}
		return 0;
	case ESC_KILLED:
	case ESC_EXITED: return 0;
	}
	return 0;
}

const char *esc_reason_id(enum esc_reason r)
{
	switch (r) {
	case ESC_BY_DEADLINE: return "deadline";
	case ESC_BY_STALL: return "stall";
	case ESC_BY_SIGNAL: return "signal";
	case ESC_NONE: break;
	}
	return "none";
}
