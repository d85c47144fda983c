/*
 * supervisor_int: what the supervisor's files share (supervisor.c: the
 * loop, the child and its output; supervisor_log.c: criu's log followed;
 * supervisor_stop.c: the timers, signals and stopping criu;
 * supervisor_companion.c: a second process beside criu, e.g. criu
 * lazy-pages beside criu restore --lazy-pages;
 * supervisor_hook.c: criu's question at its point of no return, and the
 * work done before the answer).  Not for other files: supervisor.h is the interface.
 */
#ifndef CRIUCTL_SUPERVISOR_INT_H
#define CRIUCTL_SUPERVISOR_INT_H

#include <stdint.h>
#include <uv.h>

#include "supervisor.h"

#define DEFAULT_OUTPUT_MAX (64 * 1024)
#define TICK_MS		   100
#define DRAIN_MS	   200
#define PARTIAL_MAX	   4096

#define HOOK_REQ_MAX 128
/* After a signal criu is let run to its point of no return only while it
 * moves: this long without a new log line, and it is stopped at once. */
#define PENDING_IDLE 1.0

/* The hook connection that waits for an answer. */
struct hook_conn {
	uv_pipe_t pipe;
	uv_write_t write;
	char req[HOOK_REQ_MAX];
	size_t req_len;
};

/* A -v4 log followed while its writer runs (supervisor_log.c). */
struct sup_log {
	int fd, dirfd;
	const char *name; /* NULL: none to follow */
	void (*take)(void *ctx, const char *line, size_t len);
	void *ctx;
	uint64_t lines;
	char partial[PARTIAL_MAX];
	size_t partial_len;
};

/* The companion's side of the loop (supervisor_companion.c). */
struct sup_comp {
	uv_process_t proc;
	uv_timer_t ready_poll; /* its log looked at often until it is ready */
	struct sup_log log;
	uint64_t start, last_line_at;
	int spawned, exited, ready, child_done;
};

struct sup {
	uv_loop_t loop;
	uv_process_t proc;
	uv_pipe_t out[2];
	uv_timer_t deadline, grace, drain, tick;
	uv_poll_t intr; /* interrupt.h's pipe */
	uv_pipe_t hook_server;
	struct hook_conn *hook; /* the connection waiting for an answer, or NULL */
	uv_work_t work;
	int work_rc;
	uint64_t hook_at; /* when criu asked */
	const struct sup_spec *spec;
	struct sup_result *res;
	int capture;
	int exited, eof[2];
	uint64_t start, last_line_at;
	struct sup_log log; /* criu's */
	int child_spawned;  /* with a companion, the child starts once it is ready */
	int spawn_rc;	    /* a failed deferred spawn (uv error) */
	struct sup_comp comp;
	char buf[2][16384];
};

/* Milliseconds of seconds; seconds since t (uv_hrtime()). */
uint64_t sup_ms(double seconds);
double sup_since(uint64_t t);

/* Carry out what the escalation machine decided (escalate.h). */
void sup_act(struct sup *s, unsigned actions);

/* Feed the signals criuctl received (interrupt.h) to the machine. */
void sup_take_signals(struct sup *s);

/* supervisor_stop.c: the callbacks of the deadline and tick timers and of
 * interrupt.h's pipe; each feeds the machine and acts (sup_act()). */
void sup_on_deadline(uv_timer_t *t);
void sup_on_tick(uv_timer_t *t);
void sup_on_interrupt(uv_poll_t *h, int status, int events);

/* supervisor_log.c.  sup_log_read() reads what the writer appended since
 * the last call (1 when a line came); sup_log_end() reads the rest after it
 * exited and takes an unfinished last line.  sup_follow_log() is that for
 * criu's log, whose lines sup_take_criu_line() takes; sup_fill_status()
 * describes the run for the tick and snapshot callbacks. */
void sup_log_init(struct sup_log *l, int dirfd, const char *name,
		  void (*take)(void *ctx, const char *line, size_t len), void *ctx);
int sup_log_read(struct sup_log *l);
void sup_log_end(struct sup_log *l);
void sup_log_close(struct sup_log *l);
void sup_take_criu_line(void *ctx, const char *line, size_t len);
int sup_follow_log(struct sup *s);
void sup_fill_status(struct sup *s, struct sup_status *st);

/* supervisor.c: spawn the child and start watching it (the deadline, the
 * tick, its output); with a companion, called once the companion is
 * ready.  Returns 0, or a uv error. */
int sup_start_child(struct sup *s);
/* Close every handle once everything supervised has ended. */
void sup_maybe_finish(struct sup *s);

/* supervisor_companion.c.  sup_comp_spawn() starts it (0, or a uv error);
 * sup_comp_tick() follows its log, starts the child once it is ready and
 * stops it at its deadlines; sup_comp_child_ended() decides what the
 * child's end means for it; sup_comp_stop() ends it (why: enum
 * sup_comp_stop) unless it has ended. */
int sup_comp_spawn(struct sup *s);
void sup_comp_tick(struct sup *s);
void sup_comp_child_ended(struct sup *s);
void sup_comp_stop(struct sup *s, int why, int sig);
int sup_comp_running(const struct sup *s);

/* supervisor_hook.c.  A connection's memory is freed by its closing. */
void sup_close_hook(uv_handle_t *h);
void sup_answer_hook(struct sup *s, const char *answer);
void sup_start_work(struct sup *s);
void sup_on_hook_connect(uv_stream_t *server, int status);

#endif
