/*
 * supervisor_hook: criu's question at its point of no return.  One
 * connection at a time carries one request line (criu's action) and gets
 * one answer line, "ok" or "no REASON": what the escalation machine decided
 * (ESC_ACT_ALLOW / ESC_ACT_REFUSE), after the work the run asked to be done
 * first (sup_spec.hook_work, on libuv's thread pool).
 */
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "supervisor_int.h"

void sup_close_hook(uv_handle_t *h)
{
	free(h->data);
}

static void on_answered(uv_write_t *w, int status)
{
	(void)status;
	uv_close((uv_handle_t *)w->handle, sup_close_hook);
}

/* Answer the waiting connection, if any, and let it go. */
void sup_answer_hook(struct sup *s, const char *answer)
{
	struct hook_conn *h = s->hook;
	uv_buf_t b = uv_buf_init((char *)answer, (unsigned)strlen(answer));

	if (!h)
		return;
	s->hook = NULL;
	s->res->hook_wait = sup_since(s->hook_at);
	s->res->hook_refused = answer[0] == 'n';
	/* criu waited for us, it did not stall: the idle clock starts again. */
	s->last_line_at = uv_hrtime();
	if (uv_write(&h->write, (uv_stream_t *)&h->pipe, &b, 1, on_answered) < 0)
		uv_close((uv_handle_t *)&h->pipe, sup_close_hook);
	else if (answer[0] == 'o')
		fault_point("decided"); /* the answer is in the socket */
}

static void work_thread(uv_work_t *w)
{
	struct sup *s = w->data;

	s->work_rc = s->spec->hook_work(s->spec->arg);
}

static void work_done(uv_work_t *w, int status)
{
	struct sup *s = w->data;

	/* A signal that came while the work ran is heard before its result. */
	sup_take_signals(s);
	sup_act(s, esc_step(&s->res->esc,
			    status == 0 && s->work_rc == 0 ? ESC_WORK_OK : ESC_WORK_FAILED, 0));
}

void sup_start_work(struct sup *s)
{
	s->work.data = s;
	if (!s->spec->hook_work) {
		/* Nothing to do first; a signal that came meanwhile is heard
		 * before the answer all the same. */
		sup_take_signals(s);
		sup_act(s, esc_step(&s->res->esc, ESC_WORK_OK, 0));
		return;
	}
	if (uv_queue_work(&s->loop, &s->work, work_thread, work_done) < 0)
		sup_act(s, esc_step(&s->res->esc, ESC_WORK_FAILED, 0));
}

static void on_hook_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct hook_conn *h = st->data;
	struct sup *s = st->loop->data;
	const char *nl;

	(void)buf;
	if (n < 0) { /* the hook went away before its answer */
		if (s->hook == h)
			s->hook = NULL;
		uv_close((uv_handle_t *)st, sup_close_hook);
		return;
	}
	h->req_len += (size_t)n;
	nl = memchr(h->req, '\n', h->req_len);
	if (!nl && h->req_len < sizeof(h->req))
		return;
	uv_read_stop(st);
	s->hook = h;
	s->hook_at = uv_hrtime();
	fault_point("deciding");
	sup_act(s, esc_step(&s->res->esc, ESC_HOOK, 0));
}

static void on_hook_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
	struct hook_conn *h = hd->data;

	(void)suggested;
	*buf = uv_buf_init(h->req + h->req_len, (unsigned)(sizeof(h->req) - h->req_len));
}

void sup_on_hook_connect(uv_stream_t *server, int status)
{
	struct sup *s = server->data;
	struct hook_conn *h = calloc(1, sizeof(*h));

	if (status < 0 || !h) {
		free(h);
		return;
	}
	uv_pipe_init(&s->loop, &h->pipe, 0);
	h->pipe.data = h;
	if (uv_accept(server, (uv_stream_t *)&h->pipe) < 0 || s->hook) {
		/* Only one question at a time; closing says no. */
		uv_close((uv_handle_t *)&h->pipe, sup_close_hook);
		return;
	}
	uv_read_start((uv_stream_t *)&h->pipe, on_hook_alloc, on_hook_read);
}
