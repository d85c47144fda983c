/*
 * proc: reading /proc under an injectable root ($CRIUCTL_PROC_ROOT, default
 * "/proc"), so tests can point it at fixture trees.
 */
#ifndef CRIUCTL_PROC_H
#define CRIUCTL_PROC_H

#include <stddef.h>

#include "err.h"
#include "hang.h"
#include "manifest.h"
#include "proc_parse.h"

/* The /proc root in use. */
const char *proc_root(void);

/* Read and parse /proc/PID/stat.  Returns 0, or -1 with errno set. */
int proc_stat(int pid, struct proc_stat *out);

/* /proc/PID/cmdline as one line into dst ("" when unreadable): arguments
 * joined by spaces, any other byte as it is (escape it to print it). */
void proc_cmdline(int pid, char *dst, size_t size);

/* /proc/PID/cmdline byte for byte into dst (cut to size); returns the
 * length, 0 when unreadable. */
size_t proc_argv(int pid, char *dst, size_t size);

/* Who holds pid, in words on one line ("'sleep' (sleep 1000, state S)", "a zombie
 * 'x' (x, state Z)") into dst, its stat in *st.  Returns 0, or -1 with
 * errno set when no process has that pid. */
int proc_holder(int pid, struct proc_stat *st, char *dst, size_t size);

/* The target of /proc/PID/ns/NS (criuctl's own for pid <= 0), such as
 * "net:[4026531840]", into dst ("" when unreadable). */
void proc_ns_link(int pid, const char *ns, char *dst, size_t size);

/* 1 when pid's namespace ns ("net", "mnt", "pid") is not criuctl's; 0 when
 * the same or unknown. */
int proc_ns_differs(int pid, const char *ns);

/*
 * The process tree rooted at pid (pid first, then its descendants in pid
 * order), as manifest entries in a new array *out (caller frees).
 * Returns 0, or -1 with e set (exit 2 when pid does not exist).
 */
int proc_tree(int pid, struct manifest_proc **out, size_t *n, struct cc_err *e);

/* The pids of pid's descendants (not pid), in a new array *out (caller
 * frees).  Returns 0, or -1 with errno set. */
int proc_descendants(int pid, int **out, size_t *n);

/* The tasks of pids[0..n) that still exist, each as its pid and start time
 * (so that a later signal reaches the same task only: tidy.h), in a new
 * array *out (caller frees).  Returns 0, or -1 when out of memory (*out
 * NULL, *n_out 0). */
int proc_identities(const int *pids, size_t n, struct manifest_proc **out, size_t *n_out);

/* Snapshot one task for the hang report.  Returns 0, or -1 when the task
 * is gone (t->state is then '?'). */
int proc_hang_task(int pid, enum hang_role role, struct hang_task *t);

/* 1 when pid still is the task that started at starttime (0: any), with
 * its stat in *st; 0 when it is gone or the pid was reused. */
int proc_same_task(int pid, unsigned long long starttime, struct proc_stat *st);

/* Now, in the unit of a task's starttime (clock ticks since boot): a task
 * whose starttime is at least this was created after the call. */
unsigned long long proc_boot_ticks(void);

/* Sum of the resident memory of the tree, in bytes. */
unsigned long long proc_tree_rss(const struct manifest_proc *procs, size_t n);

#endif
