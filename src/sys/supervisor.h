/*
 * supervisor: the one place that spawns criu and waits for it, on a libuv
 * loop.  It follows criu's -v4 log as criu writes it (a file, so criu never
 * blocks on a slow reader and goes on if criuctl dies), knows the phase
 * from the log, enforces a whole-run deadline and a stall deadline (no new
 * log line), and stops criu step by step (see escalate.h) when one passes
 * or when criuctl receives SIGINT, SIGTERM or SIGHUP (seen through
 * interrupt.h, when the command installed it); the caller's snapshot
 * callback runs before the first signal is sent.
 *
 * criu's point of no return (the end of a dump, after which criu ends the
 * tree; the end of a restore, after which the tree runs) is criuctl's to
 * decide: criu runs criuctl-hook as its action script, the hook asks over
 * the socket hook_fd, the caller's work runs (in a worker thread, the loop
 * going on), and criu is told to go on only when the work succeeded and
 * nothing asked for a stop meanwhile.  A criuctl that is gone answers
 * nothing, and criu then aborts and resumes the tree by itself (a criu
 * that is stuck and never asks is criuctl-guard's: guardian.h).
 *
 * libuv reaps only what it spawned; nothing here calls waitpid(-1).
 */
#ifndef CRIUCTL_SUPERVISOR_H
#define CRIUCTL_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "escalate.h"
#include "phase.h"
#include "strv.h"
#include "verdict.h"

#define SUP_LAST_LINES 20

/* What the supervisor knows while criu runs. */
struct sup_status {
	int pid;
	double elapsed; /* seconds since spawn */
	double idle;	/* seconds since the last new log line */
	enum phase phase;
	uint64_t log_lines;
	const struct strv *last_lines; /* the last SUP_LAST_LINES log lines, oldest first */
	const struct escalation *esc;
	int asking; /* criu waits for criuctl's answer at its point of no return */
};

struct sup_result;

/*
 * A companion: a second process on the same loop, started before the child
 * (criu lazy-pages, which a criu restore --lazy-pages connects to).  The
 * child starts once a line of the companion's log contains ready; the
 * companion may outlive the child (it serves the restored tree's pages)
 * and is then watched alone: its own stall deadline and the run's
 * deadline.  It is SIGKILLed when it is not ready in time, when the child
 * fails, at a deadline, and when criuctl is signalled after the child
 * ended (criuctl ends what it cannot see through).
 */
struct sup_companion {
	char **argv;
	const char *log_name; /* in the spec's log_dirfd */
	const char *ready;    /* the text of the log line that says it is ready */
	double ready_timeout; /* seconds; 0 = 10 */
	double stall_timeout; /* seconds without a new log line once the child
				 ended; 0 = none */
	void (*on_line)(void *arg, const char *line, size_t len);
	/* The child ended well while the companion runs (the tree runs). */
	void (*on_child_done)(void *arg, const struct sup_result *res);
	void *arg; /* of the two callbacks */
};

enum sup_comp_stop {
	SUP_COMP_NONE,	       /* it ended by itself */
	SUP_COMP_NOT_READY,    /* not ready within ready_timeout: the child never ran */
	SUP_COMP_CHILD_FAILED, /* the child did not succeed */
	SUP_COMP_STALL,	       /* no new log line for stall_timeout */
	SUP_COMP_DEADLINE,     /* the run's deadline passed */
	SUP_COMP_SIGNAL,       /* criuctl was signalled */
};

struct sup_companion_result {
	int pid; /* 0: it never ran */
	struct criu_end end;
	int ready;
	enum sup_comp_stop stopped;
	int signal;	      /* SUP_COMP_SIGNAL: which */
	double child_done_at; /* seconds from the companion's start to the child's good end */
	double ended_at;      /* seconds from the companion's start to its end */
	double idle_at_stop;  /* seconds without a log line when it was stopped */
};

struct sup_spec {
	char **argv;	      /* argv[0] is the binary's path */
	char **env;	      /* NULL: criuctl's own environment */
	double timeout;	      /* whole run, seconds; 0 = none */
	double stall_timeout; /* seconds without a new log line; 0 = none */
	double grace;	      /* seconds from SIGTERM to SIGKILL; 0 = 5 */
	double pending_idle;  /* a pending stop turns hard after this long without a
				 log line; 0 = 1 s */
	int new_session;      /* run the child in a session (and process group) of its own */
	int output_fd;	      /* > 2: the child's stdout and stderr; else captured (pipes) */
	int keep_fd;	      /* > 2: handed to the child as fd 3 (keeps a flock alive) */
	int log_dirfd;	      /* with log_name: the log to follow */
	const char *log_name;
	int hook_fd; /* > 2: a listening unix socket for criuctl-hook; closed by the
			supervisor */
	/* Runs in a worker thread when criu asks to pass its point of no
	 * return; 0 lets it go on.  NULL: nothing to do first. */
	int (*hook_work)(void *arg);
	size_t output_max; /* bytes of captured output kept; 0 = 64 KiB */
	/* Called once, before criu gets its first signal; may be NULL. */
	void (*on_snapshot)(void *arg, const struct sup_status *st);
	/* Called once criu (its process group) is stopped by SIGSTOP, after the
	 * snapshot and before its stop signals: criu can neither act nor let go
	 * of the tree it holds.  May be NULL. */
	void (*on_freeze)(void *arg);
	/* Called once criu runs, with its pid (before anything else: criuctl's
	 * guard learns it here, guardian.h); may be NULL. */
	void (*on_spawn)(void *arg, int pid);
	/* Called about every 100 ms while criu runs; may be NULL. */
	void (*on_tick)(void *arg, const struct sup_status *st);
	const struct sup_companion *companion; /* NULL: none */
	void *arg;
};

struct sup_result {
	int pid;
	struct criu_end end;
	struct escalation esc;	/* esc.reason says whether and why criu was stopped */
	enum phase phase;	/* the last phase seen */
	double duration;	/* seconds from spawn to exit */
	double idle_at_stop;	/* seconds without a log line when the stop began */
	double hook_wait;	/* seconds criu waited for criuctl's answer at its hook */
	int hook_refused;	/* criu asked, and was told no */
	struct strv last_lines; /* owned */
	char *output;		/* captured stdout+stderr (no output_fd), NUL-terminated; owned */
	size_t output_len;
	struct sup_companion_result companion; /* with spec->companion */
};

/*
 * Run spec->argv to its end.  Returns 0 once the child ended (however it
 * ended: see res), or -1 with e set (exit 6) when it could not be started.
 * Free res with sup_result_free().
 */
int supervisor_run(const struct sup_spec *spec, struct sup_result *res, struct cc_err *e);

void sup_result_free(struct sup_result *res);

#endif
