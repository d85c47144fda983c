/* guard: the transitions of criuctl-guard (see guard.h). */
#include "guard.h"

/* escalate.h's actions the guard carries out (no hang report, no timers). */
#define GUARD_ESC_ACTS                                                                             \
	(ESC_ACT_FREEZE | ESC_ACT_TERM | ESC_ACT_ARM_GRACE | ESC_ACT_KILL | ESC_ACT_REAP)

static unsigned stop(struct guard *g, enum esc_event why)
{
	g->state = GUARD_STOPPING;
	return esc_step(&g->esc, why, 0) & GUARD_ESC_ACTS;
}

static unsigned on_watching(struct guard *g, enum guard_event ev)
{
	switch (ev) {
	case GUARD_CRIU_STARTED: g->criu_known = 1; return 0;
	case GUARD_CRIU_EXIT: g->criu_exited = 1; return 0;
	case GUARD_CTL_DONE: g->state = GUARD_DONE; return GUARD_ACT_EXIT;
	case GUARD_CTL_GONE:
		if (!g->criu_known || g->criu_exited) {
			/* Nothing runs that the guard could stop; an attempt
			 * left in tmp/ is the next criuctl's (recover.h). */
			g->state = GUARD_DONE;
			return GUARD_ACT_EXIT;
		}
		g->state = GUARD_ALONE;
		return 0;
	default: return 0;
	}
}

static unsigned on_alone(struct guard *g, enum guard_event ev, double elapsed, double idle)
{
	switch (ev) {
	case GUARD_TICK:
		if (g->timeout > 0 && elapsed >= g->timeout)
			return stop(g, ESC_DEADLINE);
		if (g->stall_timeout > 0 && idle >= g->stall_timeout)
			return stop(g, ESC_STALL);
		return 0;
	case GUARD_CRIU_EXIT:
		g->criu_exited = 1;
		g->state = GUARD_DONE;
		esc_step(&g->esc, ESC_CHILD_EXIT, 0);
		return GUARD_ACT_RELEASE | GUARD_ACT_EXIT;
	default: return 0;
	}
}

static unsigned on_stopping(struct guard *g, enum guard_event ev)
{
	switch (ev) {
	case GUARD_GRACE_OVER: return esc_step(&g->esc, ESC_GRACE_OVER, 0) & GUARD_ESC_ACTS;
	case GUARD_CRIU_EXIT:
		g->criu_exited = 1;
		g->state = GUARD_DONE;
		return (esc_step(&g->esc, ESC_CHILD_EXIT, 0) & GUARD_ESC_ACTS) | GUARD_ACT_RELEASE |
		       GUARD_ACT_EXIT;
	default: return 0;
	}
}

unsigned guard_step(struct guard *g, enum guard_event ev, double elapsed, double idle)
{
	switch (g->state) {
	case GUARD_WATCHING: return on_watching(g, ev);
	case GUARD_ALONE: return on_alone(g, ev, elapsed, idle);
	case GUARD_STOPPING: return on_stopping(g, ev);
	case GUARD_DONE: break;
	}
	return 0;
}

int guard_must_tidy(const struct guard *g, int log_succeeded)
{
	return g->esc.reason != ESC_NONE || !log_succeeded;
}
