/*
 * outcome: what a criu run came to, from what is known of it.  Pure.
 *
 * A dump's images are complete when criu asks at its point of no return
 * (post-dump: every image is written and flushed before the question).  So
 * once criuctl said "go on", the checkpoint exists whatever happens to criu
 * afterwards, unless criu's log says it aborted (it then resumed the tree:
 * criuctl's "ok" never reached it).  The same rules decide a run criuctl
 * watched to its end and an attempt found in tmp/ after criuctl was killed
 * (where the written pre-commit manifest is the proof that criuctl decided).
 */
#ifndef CRIUCTL_OUTCOME_H
#define CRIUCTL_OUTCOME_H

struct run_facts {
	int exited_ok;	     /* criu exited with status 0 */
	int stopped;	     /* criuctl stopped criu (deadline, stall, signal) */
	int committed;	     /* criuctl told criu to go on past its point of no return */
	int complete_at_ask; /* the run's result is complete when criu asks (a dump) */
	int log_succeeded;   /* "... finished successfully" */
	int log_failed;	     /* "... FAILED." */
};

enum outcome {
	OUTCOME_FAILED,	    /* nothing to keep but the logs */
	OUTCOME_DONE,	    /* criu finished what it was asked */
	OUTCOME_UNFINISHED, /* criu ended after the point of no return without finishing:
			       its result is complete all the same */
};

enum outcome outcome_of(const struct run_facts *f);

/* "failed", "done", "unfinished". */
const char *outcome_id(enum outcome o);

#endif
