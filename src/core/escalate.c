/* escalate: the transitions of the stop state machine (see escalate.h). */
#include "escalate.h"

#include "verdict.h"

static enum esc_reason reason_of(enum esc_event ev)
{
	return ev == ESC_DEADLINE ? ESC_BY_DEADLINE
	       : ev == ESC_STALL  ? ESC_BY_STALL
				  : ESC_BY_SIGNAL;
}

static void set_reason(struct escalation *e, enum esc_reason why, int signum)
{
	if (e->reason == ESC_NONE) {
		e->reason = why;
		e->signum = signum;
	}
}

static unsigned begin(struct escalation *e, enum esc_state to, enum esc_reason why, int signum)
{
	e->state = to;
	set_reason(e, why, signum);
	if (to == ESC_REFUSING)
		return ESC_ACT_REFUSE | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM;
	e->hard = 1;
	return ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE | ESC_ACT_DISARM;
}

static unsigned on_running(struct escalation *e, enum esc_event ev, int signum)
{
	switch (ev) {
	case ESC_SIGNAL:
		if (!e->soft)
			return ESC_ACT_SNAPSHOT | begin(e, ESC_STOPPING, reason_of(ev), signum);
		e->state = ESC_PENDING;
		set_reason(e, ESC_BY_SIGNAL, signum);
		return ESC_ACT_SNAPSHOT;
	case ESC_DEADLINE:
	case ESC_STALL: return ESC_ACT_SNAPSHOT | begin(e, ESC_STOPPING, reason_of(ev), signum);
	case ESC_HOOK: e->state = ESC_DECIDING; return ESC_ACT_WORK;
	default: return 0;
	}
}

/* A stop was asked for: criu is told no at its question, or stopped hard
 * when the user insists or criu no longer moves. */
static unsigned on_pending(struct escalation *e, enum esc_event ev)
{
	switch (ev) {
	case ESC_HOOK: return begin(e, ESC_REFUSING, e->reason, e->signum);
	case ESC_SIGNAL:
	case ESC_DEADLINE:
	case ESC_STALL: return begin(e, ESC_STOPPING, e->reason, e->signum);
	default: return 0;
	}
}

/* criu waits for the answer: the gentlest stop is to say no, so that criu
 * undoes its own work (network lock, repair mode) and resumes the tree. */
static unsigned on_deciding(struct escalation *e, enum esc_event ev, int signum)
{
	switch (ev) {
	case ESC_WORK_OK:
		e->state = ESC_COMMITTED;
		e->committed = 1;
		return ESC_ACT_ALLOW;
	case ESC_WORK_FAILED: return begin(e, ESC_REFUSING, ESC_BY_WORK, 0);
	case ESC_DEADLINE:
	case ESC_STALL:
	case ESC_SIGNAL: return ESC_ACT_SNAPSHOT | begin(e, ESC_REFUSING, reason_of(ev), signum);
	case ESC_HOOK: return ESC_ACT_REFUSE;
	default: return 0;
	}
}

unsigned esc_step(struct escalation *e, enum esc_event ev, int signum)
{
	if (ev == ESC_CHILD_EXIT) {
		/* A stopped criu must not leave helpers behind it. */
		unsigned reap = e->state == ESC_STOPPING || e->state == ESC_KILLED ||
						e->state == ESC_REFUSING
					? ESC_ACT_REAP
					: 0;

		e->state = ESC_EXITED;
		return ESC_ACT_DISARM | reap;
	}
	switch (e->state) {
	case ESC_RUNNING: return on_running(e, ev, signum);
	case ESC_PENDING: return on_pending(e, ev);
	case ESC_DECIDING: return on_deciding(e, ev, signum);
	case ESC_COMMITTED:
		if (ev == ESC_SIGNAL) {
			if (!e->deferred)
				e->deferred = signum;
			return 0;
		}
		if (ev == ESC_DEADLINE || ev == ESC_STALL)
			return ESC_ACT_SNAPSHOT | begin(e, ESC_STOPPING, reason_of(ev), 0);
		return ev == ESC_HOOK ? ESC_ACT_ALLOW : 0;
	case ESC_REFUSING:
		/* criu did not end by itself in time, or the user insists. */
		if (ev == ESC_GRACE_OVER || ev == ESC_SIGNAL)
			return begin(e, ESC_STOPPING, e->reason, e->signum);
		return ev == ESC_HOOK ? ESC_ACT_REFUSE : 0;
	case ESC_STOPPING:
		/* The grace period is over, or the user insists: no more waiting. */
		if (ev == ESC_GRACE_OVER || ev == ESC_SIGNAL) {
			e->state = ESC_KILLED;
			return ESC_ACT_KILL;
		}
		return ev == ESC_HOOK ? ESC_ACT_REFUSE : 0;
	case ESC_KILLED:
	case ESC_EXITED: return ev == ESC_HOOK ? ESC_ACT_REFUSE : 0;
	}
	return 0;
}

const char *esc_reason_id(enum esc_reason r)
{
	switch (r) {
	case ESC_BY_DEADLINE: return "deadline";
	case ESC_BY_STALL: return "stall";
	case ESC_BY_SIGNAL: return "signal";
	case ESC_BY_WORK: return verdict_row(V_COMMIT_FAILED)->id;
	case ESC_NONE: break;
	}
	return "none";
}
