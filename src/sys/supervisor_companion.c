/*
 * supervisor_companion: a second process on the supervisor's loop, beside
 * criu (supervisor.h, struct sup_companion): criu lazy-pages, which criu
 * restore --lazy-pages connects to and which then serves the restored
 * tree's memory after the restore itself has ended.
 *
 * It starts first; its log is followed on the tick; the child starts once
 * the log says it is ready.  Whatever ends the run early (not ready in
 * time, the child failed, a stall or the deadline once it is alone,
 * criuctl signalled) ends it with SIGKILL: it holds no state of its own
 * that a softer stop would save, and the caller decides about the tree.
 */
#include <signal.h>
#include <string.h>
#include <uv.h>

#include "supervisor_int.h"

#define DEFAULT_READY_TIMEOUT 10.0
/* Until it is ready its log is read this often: the tick's 100 ms would
 * add to the time until the tree runs. */
#define READY_POLL_MS 2

int sup_comp_running(const struct sup *s)
{
	return s->comp.spawned && !s->comp.exited;
}

static void take_line(void *ctx, const char *line, size_t len)
{
	struct sup *s = ctx;
	const struct sup_companion *c = s->spec->companion;
	size_t n = strlen(c->ready);

	for (size_t i = 0; !s->comp.ready && i + n <= len; i++)
		if (memcmp(line + i, c->ready, n) == 0)
			s->comp.ready = s->res->companion.ready = 1;
	if (c->on_line)
		c->on_line(c->arg, line, len);
}

void sup_comp_stop(struct sup *s, int why, int sig)
{
	struct sup_companion_result *r = &s->res->companion;

	if (!sup_comp_running(s))
		return;
	if (r->stopped == SUP_COMP_NONE) {
		r->stopped = why;
		r->signal = sig;
		r->idle_at_stop = sup_since(s->comp.last_line_at);
	}
	uv_process_kill(&s->comp.proc, SIGKILL);
}

static void on_exit(uv_process_t *p, int64_t status, int term_signal)
{
	struct sup *s = p->data;
	struct sup_companion_result *r = &s->res->companion;

	s->comp.exited = 1;
	r->ended_at = sup_since(s->comp.start);
	r->end.exited = term_signal == 0;
	r->end.exit_status = (int)status;
	r->end.term_signal = term_signal;
	sup_log_end(&s->comp.log);
	/* A child still running is judged by its own deadlines. */
	uv_timer_stop(&s->comp.ready_poll);
	if (!s->child_spawned || s->exited)
		uv_timer_stop(&s->tick);
	sup_maybe_finish(s);
}

static void on_ready_poll(uv_timer_t *t)
{
	struct sup *s = t->data;

	sup_comp_tick(s);
	if (s->child_spawned || !sup_comp_running(s))
		uv_timer_stop(t);
}

int sup_comp_spawn(struct sup *s)
{
	const struct sup_companion *c = s->spec->companion;
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];
	int rc;

	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	for (int i = 1; i <= 2; i++) {
		stdio[i].flags = s->spec->output_fd > 2 ? UV_INHERIT_FD : UV_IGNORE;
		stdio[i].data.fd = s->spec->output_fd;
	}
	o.file = c->argv[0];
	o.args = c->argv;
	o.env = s->spec->env;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = on_exit;
	/* A session of its own: a Ctrl-C at the terminal is criuctl's to judge. */
	o.flags = UV_PROCESS_DETACHED;
	sup_log_init(&s->comp.log, s->spec->log_dirfd, c->log_name, take_line, s);
	s->comp.proc.data = s;
	s->comp.start = s->comp.last_line_at = uv_hrtime();
	rc = uv_spawn(&s->loop, &s->comp.proc, &o);
	if (rc < 0)
		return rc;
	s->comp.spawned = 1;
	s->res->companion.pid = s->comp.proc.pid;
	uv_timer_init(&s->loop, &s->comp.ready_poll);
	s->comp.ready_poll.data = s;
	uv_timer_start(&s->comp.ready_poll, on_ready_poll, READY_POLL_MS, READY_POLL_MS);
	uv_timer_start(&s->tick, sup_on_tick, TICK_MS, TICK_MS);
	return 0;
}

void sup_comp_child_ended(struct sup *s)
{
	const struct sup_result *res = s->res;

	if (!sup_comp_running(s))
		return;
	if (!res->end.exited || res->end.exit_status != 0 || res->esc.reason != ESC_NONE) {
		sup_comp_stop(s, SUP_COMP_CHILD_FAILED, 0);
		return;
	}
	s->comp.child_done = 1;
	s->comp.last_line_at = uv_hrtime(); /* alone from now on: its stall clock starts */
	s->res->companion.child_done_at = sup_since(s->comp.start);
	if (s->spec->companion->on_child_done)
		s->spec->companion->on_child_done(s->spec->companion->arg, res);
}

void sup_comp_tick(struct sup *s)
{
	const struct sup_companion *c = s->spec->companion;
	double ready_timeout = c->ready_timeout > 0 ? c->ready_timeout : DEFAULT_READY_TIMEOUT;

	if (!sup_comp_running(s))
		return;
	if (sup_log_read(&s->comp.log))
		s->comp.last_line_at = uv_hrtime();
	if (!s->child_spawned) {
		if (s->comp.ready) {
			if (sup_start_child(s) < 0)
				sup_comp_stop(s, SUP_COMP_CHILD_FAILED, 0);
		} else if (sup_since(s->comp.start) >= ready_timeout) {
			sup_comp_stop(s, SUP_COMP_NOT_READY, 0);
		}
		return;
	}
	if (!s->comp.child_done)
		return;
	/* Alone: the run's deadline and its own stall deadline. */
	if (s->spec->timeout > 0 && sup_since(s->start) >= s->spec->timeout)
		sup_comp_stop(s, SUP_COMP_DEADLINE, 0);
	else if (c->stall_timeout > 0 && sup_since(s->comp.last_line_at) >= c->stall_timeout)
		sup_comp_stop(s, SUP_COMP_STALL, 0);
}
