/*
 * run_criu: one criu run for a command, from environment to verdict: the
 * supervisor runs it, its -v4 log is read back, and a failure becomes a
 * verdict (exit 1), a timeout (exit 4) or an interruption (128+N), with
 * report.json written next to the log.
 */
#ifndef CRIUCTL_RUN_CRIU_H
#define CRIUCTL_RUN_CRIU_H

#include <limits.h>

#include "cli.h"
#include "store.h"
#include "supervisor.h"

struct criu_run {
	const char *action;		/* "dump", "restore" */
	char images_dir[PATH_MAX + 16]; /* absolute */
	char log_name[32];		/* "dump.log", relative to the attempt dir */
	char pidfile[PATH_MAX + 16];	/* <attempt>/restore.pid, for restore */
	int failed;			/* criu ran and did not succeed: a verdict exists */
	struct strv argv;		/* filled by the caller (criu_argv_*) */
	struct strv env;
	struct sup_result res;
	char *log; /* the log text after the run; owned */
	size_t log_len;
};

/* Set up r for action in attempt at (images in images_dir, or at/images when
 * NULL).  Returns 0, or an exit code with c->err set. */
int run_criu_prepare(struct cli *c, const struct attempt *at, const char *action,
		     const char *images_dir, struct criu_run *r);

/*
 * Run criu (r->argv) with the deadline.  Returns 0 when criu succeeded;
 * otherwise writes report.json into the attempt, records the verdict in c
 * and returns its exit code (1, 4 or 128+N).
 */
int run_criu(struct cli *c, const struct attempt *at, struct criu_run *r, double timeout,
	     int new_session);

/* After a failure: move the attempt to failed/ (images dropped) and point
 * the error's log path there. */
void run_criu_keep_failed(struct cli *c, struct attempt *at, const struct criu_run *r);

void run_criu_free(struct criu_run *r);

#endif
