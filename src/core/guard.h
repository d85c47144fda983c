/*
 * guard: what criuctl-guard decides, as a state machine.  Pure: the guard's
 * loop (src/sys/guard.c) feeds it events and carries out the actions.
 *
 * criuctl's watchdog lives in criuctl: a criuctl killed with SIGKILL takes
 * it along.  criu then goes on alone; most of the time it reaches its point
 * of no return, finds criuctl gone there and resumes the tree by itself.
 * But a criu that is stuck (stopped, blocked, seizing a task that never
 * stops) would hold the tree, frozen and traced, for ever.  So every criu
 * run has a guard, a small process of its own that criuctl starts before
 * criu and holds a pipe to.  While criuctl lives, the guard only watches.
 * When the pipe closes without criuctl's "done", the guard takes over the
 * run's two limits, counted as criuctl counted them: the deadline from
 * criu's start and the stall limit from criu's last log line.  When one
 * passes, criu is stopped exactly as criuctl stops it (escalate.h: SIGSTOP,
 * undo what criu did to the tree while criu still holds it, SIGTERM,
 * grace, SIGKILL); once criu has ended, the guard releases the tree (what
 * criu left undone is undone, a task left stopped is continued) and writes
 * a note for the next criuctl, which keeps the attempt under failed/ as
 * abandoned, with the guard's reason.
 *
 *   watching --criu started--> watching (criu known)
 *   watching --criuctl done, or gone before criu started--> done
 *   watching --criu exited--> watching (criuctl sees it too; should it die
 *                               now, the next criuctl resolves the attempt)
 *   watching --criuctl gone, criu running--> alone
 *   alone --tick past the deadline or the stall limit--> stopping: the stop
 *                               of escalate.h
 *   stopping --grace over--> SIGKILL (escalate.h)
 *   alone or stopping --criu exited--> done: release the tree, note
 *
 * Why not PR_SET_PDEATHSIG on criu: it would kill criu the moment criuctl
 * dies, wherever criu is.  criu killed while it injects its parasite
 * leaves the task running injected code and the tree dies (escalate.h);
 * and a criu told to go on at its point of no return must finish, or the
 * tree is gone and the checkpoint too.  The guard stops criu only where
 * criuctl itself would have.
 */
#ifndef CRIUCTL_GUARD_H
#define CRIUCTL_GUARD_H

#include "escalate.h"

enum guard_state { GUARD_WATCHING, GUARD_ALONE, GUARD_STOPPING, GUARD_DONE };

enum guard_event {
	GUARD_CRIU_STARTED, /* criuctl named criu's pid */
	GUARD_CTL_DONE,	    /* criuctl saw criu's end and says so */
	GUARD_CTL_GONE,	    /* criuctl's pipe closed without "done" */
	GUARD_TICK,	    /* about every 100 ms, with elapsed and idle */
	GUARD_GRACE_OVER,
	GUARD_CRIU_EXIT,
};

/* The guard's own actions, beside escalate.h's ESC_ACT_* (freeze, term,
 * arm grace, kill, reap). */
enum guard_action {
	GUARD_ACT_RELEASE = 1 << 16, /* criu has ended: release the tree, write the note */
	GUARD_ACT_EXIT = 1 << 17,    /* nothing more to guard */
};

struct guard {
	enum guard_state state;
	double timeout;	      /* whole run, seconds, from criu's start; 0 = none */
	double stall_timeout; /* seconds without a new log line; 0 = none */
	int criu_known;	      /* criuctl named criu's pid */
	int criu_exited;
	struct escalation esc; /* the stop; esc.reason says whether and why */
};

/*
 * Feed an event; elapsed (seconds since criu started) and idle (since its
 * last log line) count for GUARD_TICK only.  Returns ESC_ACT_* and
 * GUARD_ACT_* flags (ESC_ACT_SNAPSHOT, ESC_ACT_DISARM never: the guard
 * keeps no hang report and has no timer to disarm).
 */
unsigned guard_step(struct guard *g, enum guard_event ev, double elapsed, double idle);

/*
 * After criu ended alone: whether what criu does to the tree (TCP repair
 * mode, its network lock) must be undone.  Always when the guard stopped
 * criu (as criuctl does); otherwise unless criu's log says it finished,
 * since a criu that ended without its last line (killed, crashed) undid
 * nothing, and a dump that finished keeps its network lock on purpose
 * until the restore.
 */
int guard_must_tidy(const struct guard *g, int log_succeeded);

#endif
