/*
 * run_criu_int: what run_criu.c (spawning and supervising criu),
 * run_tidy.c (what criu left on the tree, undone), run_judge.c (after criu
 * ended: the report, the outcome, the verdict) and restore_lazy.c (which
 * judges the run's companion) share.  Not for the commands: run_criu.h is
 * their interface.
 */
#ifndef CRIUCTL_RUN_CRIU_INT_H
#define CRIUCTL_RUN_CRIU_INT_H

#include "run_criu.h"

/* After a failed run, a crash too (criu killed by someone else, or by its
 * own fault): undo what was not undone at the stop, or could not be. */
void run_tidy_after(struct criu_run *r);

/* Undo what criu left on the dumped tree: its sockets in repair mode, its
 * network lock (said, and recorded in r->tidy). */
void run_tidy_dumped(struct criu_run *r);

/* The supervisor's on_freeze (arg: the criu_run): criu is stopped and
 * still holds the tree; tidy before it ends. */
void run_on_freeze(void *arg);

/* The target tree now: alive, not left stopped (continued if it was). */
json_t *run_check_target(struct criu_run *r);

/* report.json of the attempt: the run, the hang report, the verdict v (or
 * none yet: NULL). */
void run_write_report(const struct criu_run *r, const struct verdict *v);

/* What the run came to, from criu's end and its log. */
enum outcome run_outcome(const struct criu_run *r);

/* The verdict of a run that did not succeed, said and recorded; returns
 * the exit code it means. */
int run_judge(struct cli *c, struct criu_run *r);

#endif
