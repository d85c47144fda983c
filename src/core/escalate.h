/*
 * escalate: how a criu run is stopped, and when it may no longer be, as a
 * state machine.  Pure: the supervisor feeds it events and carries out the
 * actions it returns.
 *
 *   running --deadline/stall--> snapshot, SIGSTOP (the caller tidies the
 *                                       tree), SIGTERM(+SIGCONT), arm grace:
 *                                       the hard stop
 *   running --signal--> a run that asks at its point of no return (soft):
 *                                       snapshot, then criu is let run to its
 *                                       question and told no there (pending);
 *                                       any other run: the hard stop
 *   pending --criu asks--> refusing
 *   pending --a second signal, deadline or stall--> the hard stop
 *   running --criu asks at its point of no return (the hook)--> deciding:
 *                                       the caller's pre-commit work runs
 *   deciding --work done--> committed: criu is told to go on
 *   deciding --work failed, deadline, stall or signal--> refusing: criu is
 *                                       told no, aborts by itself and resumes
 *                                       the tree; the grace period bounds it
 *   refusing --grace over, or a second signal--> the stop of "running"
 *   committed --signal--> nothing: the signal is kept for later (deferred)
 *   committed --deadline/stall--> the stop of "running" (the checkpoint is
 *                                       complete: it is committed all the same)
 *   stopping --grace over, or a second signal--> SIGKILL of the process group
 *   any --child exited--> disarm every timer; after a stop, SIGKILL what
 *                          is left of criu's process group (its helpers)
 *
 * The snapshot (the hang report) is always taken before the first signal,
 * so it shows criu and the tree as they were when the run got stuck.
 *
 * Why a signal waits for criu's question: criu killed while it injects its
 * parasite leaves the task running injected code, and the tree dies (seen
 * with criu 4.2.1); criu's own abort at its question undoes everything.  A
 * second signal is the user insisting.  Once criu has been told to go on, a
 * signal to criuctl never stops it: the tree is ending, and the checkpoint
 * is all that is left of it.
 */
#ifndef CRIUCTL_ESCALATE_H
#define CRIUCTL_ESCALATE_H

/* Seconds from SIGTERM to SIGKILL when the caller names none. */
#define ESC_DEFAULT_GRACE 5.0

enum esc_state {
	ESC_RUNNING,
	ESC_PENDING, /* a stop was asked for: criu runs on to its question */
	ESC_DECIDING,
	ESC_COMMITTED,
	ESC_REFUSING,
	ESC_STOPPING,
	ESC_KILLED,
	ESC_EXITED
};
enum esc_event {
	ESC_DEADLINE,
	ESC_STALL,
	ESC_SIGNAL,
	ESC_GRACE_OVER,
	ESC_CHILD_EXIT,
	ESC_HOOK,	 /* criu asks whether it may pass its point of no return */
	ESC_WORK_OK,	 /* the pre-commit work succeeded */
	ESC_WORK_FAILED, /* ... or failed */
};
enum esc_reason { ESC_NONE, ESC_BY_DEADLINE, ESC_BY_STALL, ESC_BY_SIGNAL, ESC_BY_WORK };

enum esc_action {
	ESC_ACT_SNAPSHOT = 1 << 0,  /* write the hang report now */
	ESC_ACT_TERM = 1 << 1,	    /* SIGTERM (and SIGCONT, in case it is stopped) */
	ESC_ACT_ARM_GRACE = 1 << 2, /* start the grace timer */
	ESC_ACT_KILL = 1 << 3,	    /* SIGKILL to criu's process group */
	ESC_ACT_DISARM = 1 << 4,    /* stop the deadline and stall watch */
	ESC_ACT_FREEZE = 1 << 5,    /* SIGSTOP, then undo what criu did to the tree */
	ESC_ACT_REAP = 1 << 6,	    /* SIGKILL to what is left of criu's process group */
	ESC_ACT_WORK = 1 << 7,	    /* start the pre-commit work */
	ESC_ACT_ALLOW = 1 << 8,	    /* answer the hook: go on */
	ESC_ACT_REFUSE = 1 << 9,    /* answer the hook: no (criu aborts, the tree resumes) */
};

struct escalation {
	int soft; /* set before the run: criu asks at its point of no return (the hook) */
	enum esc_state state;
	enum esc_reason reason; /* why the stop began */
	int signum;		/* the signal criuctl received, for ESC_BY_SIGNAL */
	int committed;		/* criu was told to go on past its point of no return */
	int hard;		/* criu was stopped by signals (SIGSTOP, SIGTERM, ...) */
	int deferred;		/* a signal received once committed (the first), or 0 */
};

/* Feed an event (signum only for ESC_SIGNAL); returns ESC_ACT_* flags. */
unsigned esc_step(struct escalation *e, enum esc_event ev, int signum);

/* deadline, stall, signal, commit-failed (the verdict's id), or none. */
const char *esc_reason_id(enum esc_reason r);

#endif
