/*
 * progress: the live line on stderr while criu runs.  On a terminal it is
 * one line redrawn in place ("dump  1.2 s  dumping memory  12.0 MiB of
 * ~40.0 MiB"); with --progress=always and no terminal it is a plain line per
 * phase change, so logs and pipes never get control characters.
 */
#ifndef CRIUCTL_PROGRESS_H
#define CRIUCTL_PROGRESS_H

#include <stdint.h>

#include "supervisor.h"

enum progress_mode { PROGRESS_NEVER, PROGRESS_LINE, PROGRESS_PLAIN };

struct progress {
	enum progress_mode mode;
	const char *action; /* "dump", "restore" */
	int images_fd;	    /* for the bytes written so far, or -1 */
	uint64_t expected;  /* the tree's resident memory, 0 when unknown */
	enum phase shown;
	int drawn;
	double last_draw;
};

/* Resolve --progress=auto|always|never for stderr: auto is a line on a
 * terminal and nothing with --json or --quiet; always is asked for, so it
 * is drawn (plain lines when stderr is no terminal) whatever else. */
enum progress_mode progress_mode_for(const char *setting, int json, int quiet);

/* Called from the supervisor's tick. */
void progress_tick(struct progress *p, const struct sup_status *st);

/* Erase the line (terminal mode); res: criu ended (its last phase is said
 * in plain mode), NULL: only erase, more messages follow. */
void progress_end(struct progress *p, const struct sup_result *res);

#endif
