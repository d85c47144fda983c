/*
 * run_criu: one criu run for a command, from environment to verdict.  The
 * supervisor runs criu (stdout/stderr to <attempt>/criu.out, the -v4 log
 * followed live); when a deadline passes or criuctl is signalled, the hang
 * report is built from /proc before criu gets any signal; afterwards the
 * target tree is checked (alive, not left stopped or traced) and a failure
 * becomes a verdict (exit 1), a timeout or stall (exit 4) or an
 * interruption (128+N), with report.json written next to the log.
 */
#ifndef CRIUCTL_RUN_CRIU_H
#define CRIUCTL_RUN_CRIU_H

#include <limits.h>

#include "cli.h"
#include "hang.h"
#include "manifest.h"
#include "outcome.h"
#include "progress.h"
#include "store.h"
#include "supervisor.h"

struct criu_run {
	/* Set by run_criu_prepare() and the caller before run_criu(). */
	const char *action;		/* "dump", "restore" */
	char images_dir[PATH_MAX + 16]; /* absolute */
	char log_name[32];		/* "dump.log", relative to the attempt dir */
	char pidfile[PATH_MAX + 16];	/* <attempt>/restore.pid, for restore */
	struct strv argv;		/* filled by the caller (criu_argv_*) */
	struct strv env;
	double timeout, stall_timeout;
	const struct manifest_proc *tree; /* the target tree (dump), checked after a stop */
	size_t tree_n;
	uint64_t expected_bytes; /* for the progress line */
	int own_pidns;		 /* restore into a new pid namespace: its pids are not ours */
	/* restore: the checkpoint's tasks, whose pids were free when criu
	 * started (or held by older tasks, with --force) */
	const struct manifest_proc *needs;
	size_t needs_n;
	/* criu's point of no return, asked through criuctl-hook (run_criu_ask). */
	const char *hook_ask;	     /* "post-dump", "post-restore", or NULL */
	char hook_path[PATH_MAX];    /* the hook binary, for --action-script */
	int (*precommit)(void *arg); /* runs while criu waits there (worker thread) */
	void *precommit_arg;
	struct cc_err precommit_err; /* set by precommit when it fails */
	int guard_fd;		     /* the pipe to criuctl-guard (guardian.h), or -1 */
	/* Results. */
	int failed; /* criu ran and did not succeed: a verdict exists */
	enum outcome outcome;
	struct sup_result res;
	char *log; /* the log text after the run; owned */
	size_t log_len;
	json_t *hang; /* the hang report, when criu was stopped */
	struct hang_diag diag;
	json_t *target;		       /* the tree after a failed run */
	json_t *tidy;		       /* what criuctl undid of criu's work on the tree (tidy.h) */
	int criu_pid;		       /* seen at the snapshot */
	unsigned long long started;    /* proc_boot_ticks() before criu started */
	struct manifest_proc *spawned; /* restore: criu's descendants while it was held */
	size_t spawned_n;
	/* Internal. */
	struct cli *cli;
	const struct attempt *at;
	struct progress progress;
};

/* Set up r for action in attempt at (images in images_dir, or at/images when
 * NULL).  Returns 0, or an exit code with c->err set. */
int run_criu_prepare(struct cli *c, const struct attempt *at, const char *action,
		     const char *images_dir, struct criu_run *r);

/*
 * Make criu ask criuctl at its step action before it passes its point of no
 * return (see supervisor.h); work(arg), if not NULL, runs first and must
 * succeed for criu to go on.  Resolves r->hook_path (the caller passes it
 * to criu as --action-script).  Returns 0, or an exit code with c->err set
 * (criuctl-hook missing: exit 6).
 */
int run_criu_ask(struct cli *c, struct criu_run *r, const char *action, int (*work)(void *arg),
		 void *arg);

/*
 * Run criu (r->argv).  Returns 0 when criu succeeded, or ended after
 * criuctl let it pass its point of no return with its result complete
 * (r->outcome says which); otherwise writes report.json into the attempt,
 * records the verdict in c and returns its exit code (1, 4, 5 when the
 * pre-commit work failed, or 128+N), or 6 when criu could not be started.
 * A signal received before criu would start: 128+N, criu never runs.
 */
int run_criu(struct cli *c, const struct attempt *at, struct criu_run *r, int new_session);

/* After a failure: move the attempt to failed/ (images dropped) and point
 * the error's log path there. */
void run_criu_keep_failed(struct cli *c, struct attempt *at, const struct criu_run *r);

void run_criu_free(struct criu_run *r);

#endif
