/*
 * verdict: what a failed criu run means.
 *
 * A verdict is data, not an error of criuctl's: a stable id, a sentence
 * saying what went wrong, a remedy, and the evidence (the log lines that
 * decided it).  Pure: classifies a log buffer and how criu ended.
 */
#ifndef CRIUCTL_VERDICT_H
#define CRIUCTL_VERDICT_H

#include <stddef.h>

#include "strv.h"

/* How the criu process ended. */
struct criu_end {
	int exited; /* 1: exited with exit_status; 0: killed by term_signal */
	int exit_status;
	int term_signal;
};

struct verdict {
	const char *id;	      /* stable, e.g. "session-leader-outside-pidns" */
	const char *title;    /* one sentence */
	const char *remedy;   /* what to do */
	struct strv evidence; /* decisive log lines; owned, free with verdict_free() */
};

/*
 * Classify a failed run from its log (may be empty) and its end.  Fills v;
 * returns 0, or -1 when out of memory.  Never returns "no verdict": an
 * unknown failure is "criu-failed" with the decisive lines as evidence.
 */
int verdict_classify(const char *log, size_t log_len, const struct criu_end *end,
		     struct verdict *v);

void verdict_free(struct verdict *v);

/* 1 when a signature of the table matches the line l (and l is not a
 * harmless probe): the line may decide a verdict. */
struct log_line;
int verdict_line_matters(const struct log_line *l);

/* The pid a pid-in-use verdict's evidence names ("Can't fork for PID:
 * ..."), so the holder can be looked up; 0 for any other verdict. */
int verdict_pid(const struct verdict *v);

/* The table, for documentation and tests: the i-th id, NULL past the end. */
const char *verdict_id_at(size_t i);

#endif
