/*
 * supervisor: libuv loop around one child.
 *
 * One 100 ms tick reads what criu appended to its log (lines, phase, last
 * lines), checks the stall deadline and calls the tick callback; a timer
 * carries the whole-run deadline.  Timers only record and feed the
 * escalation machine; its actions are carried out in one place (sup_act()).
 * This file owns the loop, the child and its output pipes; following the
 * log is supervisor_log.c, the timers and stopping criu supervisor_stop.c.
 * After the child exits, the log is read to its end and captured pipes are
 * drained for a short while (a grandchild may still hold them); then every
 * handle is closed and the loop must close cleanly.
 *
 * criu's question at its point of no return is supervisor_hook.c's.
 */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "fault.h"
#include "interrupt.h"
#include "proc.h"
#include "supervisor_int.h"

uint64_t sup_ms(double seconds)
{
	return (uint64_t)(seconds * 1000.0 + 0.5);
}

double sup_since(uint64_t t)
{
	return (double)(uv_hrtime() - t) / 1e9;
}

static void close_one(uv_handle_t *h, void *arg)
{
	struct sup *s = arg;

	if (uv_is_closing(h))
		return;
	/* A hook connection owns its memory; a waiting one is answered by
	 * its closing: no. */
	if (h->type == UV_NAMED_PIPE && h != (uv_handle_t *)&s->out[0] &&
	    h != (uv_handle_t *)&s->out[1] && h != (uv_handle_t *)&s->hook_server) {
		if (s->hook && h == (uv_handle_t *)&s->hook->pipe)
			s->hook = NULL;
		uv_close(h, sup_close_hook);
		return;
	}
	uv_close(h, NULL);
}

static void finish(struct sup *s)
{
	uv_walk(&s->loop, close_one, s);
}

/* ---- the child ---- */

static void on_drain(uv_timer_t *t)
{
	finish(t->data);
}

void sup_maybe_finish(struct sup *s)
{
	if (sup_comp_running(s))
		return;
	if (!s->child_spawned) { /* the companion ended before the child could start */
		finish(s);
		return;
	}
	if (!s->exited)
		return;
	if (!s->capture || (s->eof[0] && s->eof[1]))
		finish(s);
	else if (!uv_is_active((uv_handle_t *)&s->drain))
		uv_timer_start(&s->drain, on_drain, DRAIN_MS, 0);
}

static void on_child_exit(uv_process_t *p, int64_t status, int term_signal)
{
	struct sup *s = p->data;

	s->exited = 1;
	s->res->duration = sup_since(s->start);
	s->res->end.exited = term_signal == 0;
	s->res->end.exit_status = (int)status;
	s->res->end.term_signal = term_signal;
	sup_act(s, esc_step(&s->res->esc, ESC_CHILD_EXIT, 0));
	uv_timer_stop(&s->grace);
	sup_log_end(&s->log);
	if (s->spec->companion)
		sup_comp_child_ended(s);
	if (!sup_comp_running(s))
		uv_timer_stop(&s->tick);
	sup_maybe_finish(s);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct sup *s = h->data;
	int i = h == (uv_handle_t *)&s->out[0] ? 0 : 1;

	(void)suggested;
	*buf = uv_buf_init(s->buf[i], sizeof(s->buf[i]));
}

static void append_output(struct sup *s, const char *data, size_t n)
{
	struct sup_result *r = s->res;
	size_t max = s->spec->output_max ? s->spec->output_max : DEFAULT_OUTPUT_MAX;
	char *grown;

	if (r->output_len + n > max)
		n = max - r->output_len;
	if (n == 0)
		return;
	grown = realloc(r->output, r->output_len + n + 1);
	if (!grown)
		return;
	memcpy(grown + r->output_len, data, n);
	r->output = grown;
	r->output_len += n;
	r->output[r->output_len] = '\0';
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct sup *s = st->data;

	if (n > 0) {
		append_output(s, buf->base, (size_t)n);
		return;
	}
	if (n < 0) {
		s->eof[st == (uv_stream_t *)&s->out[0] ? 0 : 1] = 1;
		uv_read_stop(st);
		sup_maybe_finish(s);
	}
}

static int init_handles(struct sup *s)
{
	uv_timer_t *timers[] = {&s->deadline, &s->grace, &s->drain, &s->tick};

	if (uv_loop_init(&s->loop) < 0)
		return -1;
	s->loop.data = s;
	uv_pipe_init(&s->loop, &s->out[0], 0);
	uv_pipe_init(&s->loop, &s->out[1], 0);
	s->proc.data = s->out[0].data = s->out[1].data = s;
	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++) {
		uv_timer_init(&s->loop, timers[i]);
		timers[i]->data = s;
	}
	if (intr_fd() >= 0 && uv_poll_init(&s->loop, &s->intr, intr_fd()) == 0) {
		s->intr.data = s;
		uv_poll_start(&s->intr, UV_READABLE, sup_on_interrupt);
	}
	if (s->spec->hook_fd > 2) {
		uv_pipe_init(&s->loop, &s->hook_server, 0);
		s->hook_server.data = s;
		/* Should this fail, criu's question finds nobody: criu aborts. */
		if (uv_pipe_open(&s->hook_server, s->spec->hook_fd) < 0)
			close(s->spec->hook_fd);
		else
			uv_listen((uv_stream_t *)&s->hook_server, 4, sup_on_hook_connect);
	}
	return 0;
}

static int spawn(struct sup *s)
{
	const struct sup_spec *sp = s->spec;
	uv_process_options_t o;
	uv_stdio_container_t stdio[4];

	memset(&o, 0, sizeof(o));
	memset(stdio, 0, sizeof(stdio));
	stdio[0].flags = UV_IGNORE;
	for (int i = 1; i <= 2; i++) {
		if (s->capture) {
			stdio[i].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
			stdio[i].data.stream = (uv_stream_t *)&s->out[i - 1];
		} else {
			stdio[i].flags = UV_INHERIT_FD;
			stdio[i].data.fd = sp->output_fd;
		}
	}
	stdio[3].flags = sp->keep_fd > 2 ? UV_INHERIT_FD : UV_IGNORE;
	stdio[3].data.fd = sp->keep_fd;
	o.file = sp->argv[0];
	o.args = sp->argv;
	o.env = sp->env;
	o.stdio = stdio;
	o.stdio_count = sp->keep_fd > 2 ? 4 : 3;
	o.exit_cb = on_child_exit;
	o.flags = sp->new_session ? UV_PROCESS_DETACHED : 0;
	s->start = s->last_line_at = uv_hrtime();
	return uv_spawn(&s->loop, &s->proc, &o);
}

/* Close everything and check the loop is really empty. */
static void shutdown_loop(struct sup *s)
{
	finish(s);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&s->loop) != 0)
		abort(); /* a handle leaked: a bug, never a user error */
	sup_log_close(&s->log);
	sup_log_close(&s->comp.log);
}

static void start_watching(struct sup *s)
{
	if (s->capture) {
		uv_read_start((uv_stream_t *)&s->out[0], on_alloc, on_read);
		uv_read_start((uv_stream_t *)&s->out[1], on_alloc, on_read);
	} else {
		uv_close((uv_handle_t *)&s->out[0], NULL);
		uv_close((uv_handle_t *)&s->out[1], NULL);
	}
	if (s->spec->timeout > 0)
		uv_timer_start(&s->deadline, sup_on_deadline, sup_ms(s->spec->timeout), 0);
	if (!uv_is_active((uv_handle_t *)&s->tick))
		uv_timer_start(&s->tick, sup_on_tick, TICK_MS, TICK_MS);
}

int sup_start_child(struct sup *s)
{
	const struct sup_spec *spec = s->spec;
	int rc = spawn(s);

	if (rc < 0)
		return s->spawn_rc = rc;
	s->child_spawned = 1;
	s->res->pid = s->proc.pid;
	if (spec->on_spawn)
		spec->on_spawn(spec->arg, s->res->pid);
	/* A run that asks at its point of no return is stopped there, softly. */
	s->res->esc.soft = spec->hook_fd > 2;
	start_watching(s);
	return 0;
}

int supervisor_run(const struct sup_spec *spec, struct sup_result *res, struct cc_err *e)
{
	struct sup *s = calloc(1, sizeof(*s));
	const char *what = spec->argv[0];
	int rc;

	memset(res, 0, sizeof(*res));
	if (s)
		s->spec = spec;
	if (!s || init_handles(s) < 0) {
		free(s);
		return err_set(e, CC_EXIT_ENV, "out-of-memory", "cannot start the event loop");
	}
	s->res = res;
	sup_log_init(&s->log, spec->log_dirfd, spec->log_name, sup_take_criu_line, s);
	sup_log_init(&s->comp.log, -1, NULL, NULL, NULL); /* sup_comp_spawn() sets it */
	s->capture = spec->output_fd <= 2;
	if (spec->companion) {
		what = spec->companion->argv[0];
		rc = sup_comp_spawn(s);
	} else {
		rc = sup_start_child(s);
	}
	if (rc == 0)
		uv_run(&s->loop, UV_RUN_DEFAULT);
	/* A child whose spawn was deferred (the companion ready) and failed. */
	if (rc == 0 && s->spawn_rc < 0) {
		rc = s->spawn_rc;
		what = spec->argv[0];
	}
	shutdown_loop(s);
	free(s);
	if (rc < 0)
		return err_set(e, CC_EXIT_ENV, "criu-not-executable", "cannot execute %s: %s", what,
			       uv_strerror(rc));
	return 0;
}

void sup_result_free(struct sup_result *res)
{
	free(res->output);
	res->output = NULL;
	res->output_len = 0;
	strv_free(&res->last_lines);
}
