/*
 * supervisor: libuv loop around one child.
 *
 * Timers only record and stop (conmon's rule): the deadline sends SIGTERM
 * and arms the grace timer, which sends SIGKILL.  After the child exits its
 * pipes are drained for a short while (a grandchild may still hold them),
 * then every handle is closed and the loop must close cleanly.
 */
#include "supervisor.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DEFAULT_OUTPUT_MAX (64 * 1024)
#define DEFAULT_GRACE	   5.0
#define DRAIN_MS	   200

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP};
#define N_SIGNALS (sizeof(forwarded) / sizeof(forwarded[0]))

struct sup {
	uv_loop_t loop;
	uv_process_t proc;
	uv_pipe_t out[2];
	uv_timer_t deadline, grace, drain;
	uv_signal_t sig[N_SIGNALS];
	const struct sup_spec *spec;
	struct sup_result *res;
	size_t output_max;
	int exited, eof[2], stopping;
	uint64_t start;
	char buf[2][16384];
};

static uint64_t ms(double seconds)
{
	return (uint64_t)(seconds * 1000.0 + 0.5);
}

static void close_one(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void finish(struct sup *s)
{
	uv_walk(&s->loop, close_one, NULL);
}

static void kill_child(struct sup *s, int sig)
{
	if (s->exited)
		return;
	/* With a session of its own, criu's helpers share its process group. */
	if (s->spec->new_session && sig == SIGKILL)
		uv_kill(-s->proc.pid, sig);
	uv_process_kill(&s->proc, sig);
}

static void on_grace(uv_timer_t *t)
{
	kill_child(t->data, SIGKILL);
}

/* First step of a careful stop: SIGTERM now, SIGKILL after the grace period. */
static void stop_child(struct sup *s)
{
	double grace = s->spec->grace > 0 ? s->spec->grace : DEFAULT_GRACE;

	if (s->stopping++) {
		kill_child(s, SIGKILL);
		return;
	}
	kill_child(s, SIGTERM);
	uv_timer_start(&s->grace, on_grace, ms(grace), 0);
}

static void on_deadline(uv_timer_t *t)
{
	struct sup *s = t->data;

	s->res->timed_out = 1;
	stop_child(s);
}

static void on_signal(uv_signal_t *h, int signum)
{
	struct sup *s = h->data;

	if (!s->res->got_signal)
		s->res->got_signal = signum;
	stop_child(s);
}

static void on_drain(uv_timer_t *t)
{
	finish(t->data);
}

static void maybe_finish(struct sup *s)
{
	if (!s->exited)
		return;
	if (s->eof[0] && s->eof[1])
		finish(s);
	else if (!uv_is_active((uv_handle_t *)&s->drain))
		uv_timer_start(&s->drain, on_drain, DRAIN_MS, 0);
}

static void on_child_exit(uv_process_t *p, int64_t status, int term_signal)
{
	struct sup *s = p->data;

	s->exited = 1;
	s->res->duration = (double)(uv_hrtime() - s->start) / 1e9;
	s->res->end.exited = term_signal == 0;
	s->res->end.exit_status = (int)status;
	s->res->end.term_signal = term_signal;
	uv_timer_stop(&s->deadline);
	uv_timer_stop(&s->grace);
	maybe_finish(s);
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
	char *grown;

	if (r->output_len + n > s->output_max)
		n = s->output_max - r->output_len;
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
		maybe_finish(s);
	}
}

static int init_handles(struct sup *s)
{
	if (uv_loop_init(&s->loop) < 0)
		return -1;
	uv_pipe_init(&s->loop, &s->out[0], 0);
	uv_pipe_init(&s->loop, &s->out[1], 0);
	uv_timer_init(&s->loop, &s->deadline);
	uv_timer_init(&s->loop, &s->grace);
	uv_timer_init(&s->loop, &s->drain);
	s->proc.data = s->out[0].data = s->out[1].data = s;
	s->deadline.data = s->grace.data = s->drain.data = s;
	for (size_t i = 0; i < N_SIGNALS; i++) {
		uv_signal_init(&s->loop, &s->sig[i]);
		s->sig[i].data = s;
		uv_signal_start(&s->sig[i], on_signal, forwarded[i]);
	}
	return 0;
}

static int spawn(struct sup *s)
{
	uv_process_options_t o;
	uv_stdio_container_t stdio[3];

	memset(&o, 0, sizeof(o));
	stdio[0].flags = UV_IGNORE;
	for (int i = 0; i < 2; i++) {
		stdio[i + 1].flags = UV_CREATE_PIPE | UV_WRITABLE_PIPE;
		stdio[i + 1].data.stream = (uv_stream_t *)&s->out[i];
	}
	o.file = s->spec->argv[0];
	o.args = s->spec->argv;
	o.env = s->spec->env;
	o.stdio = stdio;
	o.stdio_count = 3;
	o.exit_cb = on_child_exit;
	o.flags = s->spec->new_session ? UV_PROCESS_DETACHED : 0;
	s->start = uv_hrtime();
	return uv_spawn(&s->loop, &s->proc, &o);
}

/* Close everything and check the loop is really empty. */
static void shutdown_loop(struct sup *s)
{
	finish(s);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&s->loop) != 0)
		abort(); /* a handle leaked: a bug, never a user error */
}

int supervisor_run(const struct sup_spec *spec, struct sup_result *res, struct cc_err *e)
{
	struct sup *s = calloc(1, sizeof(*s));
	int rc;

	memset(res, 0, sizeof(*res));
	if (!s || init_handles(s) < 0) {
		free(s);
		return err_set(e, CC_EXIT_ENV, "out-of-memory", "cannot start the event loop");
	}
	s->spec = spec;
	s->res = res;
	s->output_max = spec->output_max ? spec->output_max : DEFAULT_OUTPUT_MAX;
	rc = spawn(s);
	if (rc < 0) {
		shutdown_loop(s);
		free(s);
		return err_set(e, CC_EXIT_ENV, "criu-not-executable", "cannot execute %s: %s",
			       spec->argv[0], uv_strerror(rc));
	}
	res->pid = s->proc.pid;
	uv_read_start((uv_stream_t *)&s->out[0], on_alloc, on_read);
	uv_read_start((uv_stream_t *)&s->out[1], on_alloc, on_read);
	if (spec->timeout > 0)
		uv_timer_start(&s->deadline, on_deadline, ms(spec->timeout), 0);
	uv_run(&s->loop, UV_RUN_DEFAULT);
	shutdown_loop(s);
	free(s);
	return 0;
}

void sup_result_free(struct sup_result *res)
{
	free(res->output);
	res->output = NULL;
	res->output_len = 0;
}
