/*
 * hang: why a criu run is stuck, from a snapshot of /proc taken before
 * anything was signalled.  Pure: proc.c reads, this decides.
 */
#ifndef CRIUCTL_HANG_H
#define CRIUCTL_HANG_H

#include <stddef.h>

#include "phase.h"
#include "verdict.h"

enum hang_role { HANG_CRIU, HANG_CRIU_CHILD, HANG_TARGET };

struct hang_task {
	enum hang_role role;
	int pid;
	int ppid;
	char comm[32];
	char state;	 /* from /proc/PID/stat; '?' when the task was gone */
	char wchan[64];	 /* "" when unknown or not sleeping */
	long syscall;	 /* number; -1 not in a syscall, -2 running or unknown */
	int tracer_pid;	 /* from /proc/PID/status */
	char stack[512]; /* /proc/PID/stack, frames joined by "|"; may be "" */
};

struct hang_input {
	const struct hang_task *tasks;
	size_t n;
	enum phase phase;
	double idle;	/* seconds since criu's last log line */
	double elapsed; /* seconds since criu started */
};

struct hang_diag {
	enum verdict_kind kind; /* a row of the registry that VFROM_HANG */
	char summary[512];	/* one sentence naming the culprit */
	int culprit;		/* pid, or 0 */
};

void hang_diagnose(const struct hang_input *in, struct hang_diag *out);

/* An x86_64 syscall's name, or NULL when not in the table. */
const char *hang_syscall_name(long nr);

#endif
