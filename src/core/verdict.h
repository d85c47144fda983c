/*
 * verdict: what a failed criu run means.
 *
 * A verdict is data, not an error of criuctl's: a stable id, a sentence
 * saying what went wrong, a remedy, and the evidence (the lines that decided
 * it).  Every verdict criuctl can give is one row of the registry
 * (verdict_table.c), named here by its enum; nothing else spells an id.
 * Pure: classifies a log buffer and how criu ended.
 */
#ifndef CRIUCTL_VERDICT_H
#define CRIUCTL_VERDICT_H

#include <stddef.h>

#include "strv.h"

/* The registry's rows.  The first group is decided by a line of criu's log
 * and is in rank order: the highest row any line matches wins, so a
 * specific cause stands before the generic one it brings about (a D-state
 * task, or a BUG, before the collection timeout they cause; the missing
 * dirty-memory tracker before the BUG it ends in; a task that is gone
 * before the failed seize its line also reports). */
enum verdict_kind {
	V_SESSION_LEADER_OUTSIDE_PIDNS,
	V_CRIU_TOO_OLD_FOR_KERNEL,
	V_TASK_EXITED,
	V_TASK_TRACED,
	V_PTRACE_NOT_PERMITTED,
	V_TASK_UNINTERRUPTIBLE,
	V_MEM_TRACKING_UNSUPPORTED,
	V_CRIU_BUG,
	V_COLLECT_TIMEOUT,
	V_TCP_ESTABLISHED_NEEDED,
	V_TCP_LOCK_FAILED,
	V_EXTERNAL_MOUNT_UNMAPPED,
	V_PID_IN_USE,
	V_EXTERNAL_FD,
	V_EXTERNAL_MOUNT,
	V_EXT_UNIX_SK_NEEDED,
	V_FILE_LOCKS_NEEDED,
	V_SHELL_JOB_NEEDED,
	V_RLIMIT_NOT_PERMITTED,
	V_NO_SPACE,
	/* No line decided it: how criu ended does. */
	V_CRIU_KILLED,
	V_CRIU_CRASHED,
	V_CRIU_FAILED,
	V_LOG_INCOMPLETE,
	/* The hang report of a run the watchdog stopped (with the task-
	 * rows above, which a /proc snapshot can also show). */
	V_CRIU_STOPPED,
	V_CRIU_BLOCKED,
	V_TASK_STOPPED,
	V_STALLED,
	V_TIMEOUT,
	/* criuctl's own supervision. */
	V_INTERRUPTED,
	V_COMMIT_FAILED,
	V_ABANDONED,
	V_LAZY_PAGES_LOST,
	/* The target preflight, before anything is frozen. */
	V_KATA_AGENT_SESSION,
	V_COUNT
};

/* The rows decided by a line of the log: the first group above. */
#define VERDICT_LOG_ROWS (V_NO_SPACE + 1)

/* Who can decide a verdict (a row may have several). */
enum {
	VFROM_LOG = 1 << 0,   /* a line of criu's log: the row's signatures */
	VFROM_END = 1 << 1,   /* how criu ended, or how far its log got */
	VFROM_HANG = 1 << 2,  /* the hang report: a /proc snapshot (hang.c) */
	VFROM_RUN = 1 << 3,   /* criuctl's supervision (signals, deadlines, commit) */
	VFROM_STORE = 1 << 4, /* the store's recovery of an attempt left in tmp/ */
	VFROM_PRE = 1 << 5,   /* the target preflight, before criu runs */
};

/* The exit status of a verdict that the signal which stopped criuctl
 * decides: 128 + N. */
#define VERDICT_EXIT_SIGNAL (-1)
/* A verdict only ever written to a report, never an exit status. */
#define VERDICT_EXIT_NONE (-2)

struct verdict_row {
	const char *id;	      /* stable, lowercase words joined by dashes */
	int exit_code;	      /* when criu failed by itself; a run the watchdog stopped
				 exits 4 (timeout) whatever its verdict */
	unsigned from;	      /* VFROM_* */
	const char *title;    /* one sentence */
	const char *remedy;   /* what to do */
	const char *log[4];   /* substrings of lines criu really prints; NULL-ended */
	const char *fixture;  /* real material under tests/fixtures that shows it */
	const char *shown_by; /* the test file that shows it with a real run */
};

/* The row of k; NULL past the end.  Rows are indexed by enum verdict_kind. */
const struct verdict_row *verdict_row(size_t k);

/* The kind whose id is id, or V_COUNT. */
enum verdict_kind verdict_find(const char *id);

/* How the criu process ended. */
struct criu_end {
	int exited; /* 1: exited with exit_status; 0: killed by term_signal */
	int exit_status;
	int term_signal;
};

struct verdict {
	enum verdict_kind kind;
	const char *id;	      /* the row's */
	const char *title;    /* the row's, or a sentence made for this run */
	const char *remedy;   /* the row's */
	struct strv evidence; /* decisive lines; owned, free with verdict_free() */
};

/* v becomes a verdict of kind k with the row's words and no evidence (what
 * evidence v had is kept: the caller frees it). */
void verdict_set(struct verdict *v, enum verdict_kind k);

/*
 * Classify a failed run from its log (may be empty) and its end.  Fills v;
 * returns 0, or -1 when out of memory.  Never returns "no verdict": an
 * unknown failure is V_CRIU_FAILED with the decisive lines as evidence.
 */
int verdict_classify(const char *log, size_t log_len, const struct criu_end *end,
		     struct verdict *v);

void verdict_free(struct verdict *v);

/* 1 when a signature of the registry matches the line l (and l is not a
 * harmless probe): the line may decide a verdict. */
struct log_line;
int verdict_line_matters(const struct log_line *l);

/* The pid a pid-in-use verdict's evidence names ("Can't fork for PID:
 * ..."), so the holder can be looked up; 0 for any other verdict. */
int verdict_pid(const struct verdict *v);

/* The words of this run's verdict, made from its evidence: a pid-in-use
 * verdict whose evidence names the pid says which ("Pid 14, which the
 * checkpoint needs, is already in use.").  Writes them into title (size
 * bytes, the caller's) and points v->title there; any other verdict keeps
 * the row's words and title is left alone. */
void verdict_words(struct verdict *v, char *title, size_t size);

#endif
