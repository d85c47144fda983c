/*
 * lazy: what criu's lazy-pages daemon says in its -v4 log, for a restore
 * whose tree runs before its memory is in (restore --lazy).  The daemon
 * listens ("uffd: Waiting for incoming connections"), learns each restored
 * task ("Found N pages to be handled by UFFD"), copies pages in as the
 * tasks fault on them or in the background ("uffd_copy: ADDR/BYTES"), says
 * "UFFD transferred pages: (N/N)" once a task has all of them, and exits 0
 * when every task has.  Facts from real logs: tests/fixtures/criu-4.2.1/
 * lazy-pages-ok.log and lazy-pages-killed.log.  Pure.
 */
#ifndef CRIUCTL_LAZY_H
#define CRIUCTL_LAZY_H

#include <stddef.h>
#include <stdint.h>

#include "verdict.h"

#define LAZY_PAGE 4096

struct lazy_progress {
	int listening;	       /* the daemon takes restores now */
	unsigned tasks;	       /* tasks handed to it */
	unsigned tasks_done;   /* tasks that have every page */
	uint64_t pages_total;  /* pages of those tasks */
	uint64_t pages_copied; /* pages copied in so far */
};

/* Take one log line (without its newline); 1 when it changed p. */
int lazy_take_line(struct lazy_progress *p, const char *line, size_t len);

/* 1 when every page of every task handed to the daemon is in (and it was
 * handed at least one). */
int lazy_complete(const struct lazy_progress *p);

/* Why criuctl ended the daemon, if it did. */
enum lazy_stop {
	LAZY_STOP_NONE,	    /* it ended by itself */
	LAZY_STOP_STALL,    /* no new log line for the stall limit */
	LAZY_STOP_DEADLINE, /* the run's deadline */
	LAZY_STOP_SIGNAL,   /* criuctl was signalled */
};

/* How the daemon ended, once the restored tree ran. */
struct lazy_end {
	int complete;  /* lazy_complete() of its log */
	int exited_ok; /* it exited 0 */
	enum lazy_stop stopped;
	int signal; /* LAZY_STOP_SIGNAL: which */
};

struct lazy_judgement {
	int ok;			/* every page is in: the restore is done */
	enum verdict_kind kind; /* otherwise: the verdict */
	int exit_code;
	int kill_tree; /* the tree cannot run on without its pages: end it */
};

/* What the end of the daemon means for the restore (one table row per
 * case in tests/unit/test_lazy.c). */
void lazy_judge(const struct lazy_end *e, struct lazy_judgement *j);

#endif
