/*
 * guardian: criuctl-guard, the process that stands in for a criuctl that
 * died while its criu runs (the policy, and why, is in core/guard.h).
 *
 * Both ends are declared here, so the protocol is in one place
 * (guardian_start.c: starting the guard and its argv; guardian.c: its loop).  criuctl starts the
 * guard (guard_start()) before criu, in a session of its own and orphaned
 * at once (nobody has to reap it; a terminal's signals do not reach it),
 * with the attempt directory as fd 3 (so it shares the attempt's flock: the
 * next criuctl leaves the attempt alone while the guard works on it) and
 * the read end of a pipe as fd 4.  Over the pipe criuctl says, one line
 * each, "criu PID" once criu runs, and "done" once criu has ended under
 * its eyes.  The pipe closing without "done" is criuctl's death.
 *
 * What the guard did is written into the attempt directory as guard.json
 * (GUARD_NOTE), for the next criuctl (recover.h): the reason ("stall",
 * "deadline", or "none" when criu ended by itself), how criu ended, what
 * was undone of criu's work on the tree, which tasks were continued.
 */
#ifndef CRIUCTL_GUARDIAN_H
#define CRIUCTL_GUARDIAN_H

#include <stddef.h>

#include "err.h"
#include "manifest.h"

#define GUARD_NOTE "guard.json"

struct guard_spec {
	const char *action;   /* "dump", "pre-dump" or "restore" */
	const char *log_name; /* criu's log, in the attempt directory */
	double timeout;	      /* the run's limits, as criuctl enforces them; 0 = none */
	double stall_timeout;
	double grace;			  /* seconds from SIGTERM to SIGKILL */
	const struct manifest_proc *tree; /* the tree a dump holds (pid, starttime) */
	size_t tree_n;
	int iptables; /* the run locks the network with iptables (netlock.h) */
};

/*
 * criuctl's side.  Start the guard binary path for the attempt dirfd.
 * Returns the pipe's write end (close-on-exec, so criu never holds it), or
 * -1 with e set (exit 6).
 */
int guard_start(const char *path, int dirfd, const struct guard_spec *spec, struct cc_err *e);

/* Tell the guard criu's pid (right after criu was started). */
void guard_tell_criu(int fd, int pid);

/* criu has ended and criuctl knows it: the guard goes away.  Closes fd. */
void guard_done(int fd);

/*
 * The guard's side (criuctl-guard's main): parse argv as guard_start()
 * made it into spec (its strings point into argv).  Returns 0, or -1 when
 * argv is not the guard's.
 */
int guard_parse_argv(int argc, char **argv, struct guard_spec *spec, struct manifest_proc **tree);

/* Guard the run: dirfd is the attempt, ctlfd criuctl's pipe.  Returns
 * when there is nothing more to guard; 0, or 1 when it stopped criu. */
int guard_run(const struct guard_spec *spec, int dirfd, int ctlfd);

#endif
