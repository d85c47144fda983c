/*
 * supervisor: the one place that spawns criu and waits for it, on a libuv
 * loop: criu's stdout/stderr captured through pipes, a whole-run deadline,
 * and SIGINT/SIGTERM/SIGHUP to criuctl turned into a careful stop of criu
 * (SIGTERM, a grace period, then SIGKILL of its process group).
 *
 * libuv reaps only what it spawned; nothing here calls waitpid(-1).
 */
#ifndef CRIUCTL_SUPERVISOR_H
#define CRIUCTL_SUPERVISOR_H

#include <stddef.h>

#include "err.h"
#include "verdict.h"

struct sup_spec {
	char **argv;	   /* argv[0] is the binary's path */
	char **env;	   /* NULL: criuctl's own environment */
	double timeout;	   /* seconds; 0 = none */
	double grace;	   /* seconds from SIGTERM to SIGKILL; 0 = 5 */
	int new_session;   /* run the child in a session (and process group) of its own */
	size_t output_max; /* bytes of stdout+stderr kept; 0 = 64 KiB */
};

struct sup_result {
	int pid;
	struct criu_end end;
	int timed_out;	 /* the deadline passed and the child was stopped */
	int got_signal;	 /* criuctl received this signal and stopped the child; 0 none */
	double duration; /* seconds from spawn to exit */
	char *output;	 /* captured stdout+stderr, NUL-terminated; owned */
	size_t output_len;
};

/*
 * Run spec->argv to its end.  Returns 0 once the child ended (however it
 * ended: see res), or -1 with e set (exit 6) when it could not be started.
 * Free res with sup_result_free().
 */
int supervisor_run(const struct sup_spec *spec, struct sup_result *res, struct cc_err *e);

void sup_result_free(struct sup_result *res);

#endif
