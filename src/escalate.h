/*
 * escalate: how a criu run is stopped, as a state machine.  Pure: the
 * supervisor feeds it events and carries out the actions it returns.
 *
 *   running --deadline/stall/signal--> snapshot, SIGSTOP (the caller tidies
 *                                       the tree), SIGTERM(+SIGCONT), arm grace
 *   stopping --grace over, or a second signal--> SIGKILL of the process group
 *   any --child exited--> disarm every timer; after a stop, SIGKILL what
 *                          is left of criu's process group (its helpers)
 *
 * The snapshot (the hang report) is always taken before the first signal,
 * so it shows criu and the tree as they were when the run got stuck.
 */
#ifndef CRIUCTL_ESCALATE_H
#define CRIUCTL_ESCALATE_H

enum esc_state { ESC_RUNNING, ESC_STOPPING, ESC_KILLED, ESC_EXITED };
enum esc_event { ESC_DEADLINE, ESC_STALL, ESC_SIGNAL, ESC_GRACE_OVER, ESC_CHILD_EXIT };
enum esc_reason { ESC_NONE, ESC_BY_DEADLINE, ESC_BY_STALL, ESC_BY_SIGNAL };

enum esc_action {
	ESC_ACT_SNAPSHOT = 1 << 0,  /* write the hang report now */
	ESC_ACT_TERM = 1 << 1,	    /* SIGTERM (and SIGCONT, in case it is stopped) */
	ESC_ACT_ARM_GRACE = 1 << 2, /* start the grace timer */
	ESC_ACT_KILL = 1 << 3,	    /* SIGKILL to criu's process group */
	ESC_ACT_DISARM = 1 << 4,    /* stop the deadline and stall watch */
	ESC_ACT_FREEZE = 1 << 5,    /* SIGSTOP, then undo what criu did to the tree */
	ESC_ACT_REAP = 1 << 6,	    /* SIGKILL to what is left of criu's process group */
};

struct escalation {
	enum esc_state state;
	enum esc_reason reason; /* why the stop began */
	int signum;		/* the signal criuctl received, for ESC_BY_SIGNAL */
};

/* Feed an event (signum only for ESC_SIGNAL); returns ESC_ACT_* flags. */
unsigned esc_step(struct escalation *e, enum esc_event ev, int signum);

/* "deadline", "stall", "signal", or "none". */
const char *esc_reason_id(enum esc_reason r);

#endif
