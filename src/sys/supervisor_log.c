/*
 * supervisor_log: what the supervisor learns from the -v4 logs it follows
 * while criu writes them (struct sup_log: criu's, and its companion's).
 * Each new line of criu's moves the phase (phase.h) and joins the last
 * lines; each line of the companion's goes to its on_line callback.  An
 * unfinished line waits for the next read (or for the writer's exit: it
 * died mid-line).  The status handed to the tick and snapshot callbacks is
 * made here.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "criu_log.h"
#include "supervisor_int.h"

/* Split new bytes into lines; an unfinished line waits for the next read. */
static void take_bytes(struct sup_log *l, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		size_t room = PARTIAL_MAX - l->partial_len;

		memcpy(l->partial + l->partial_len, p, k < room ? k : room);
		l->partial_len += k < room ? k : room;
		if (!nl)
			return;
		l->lines++;
		l->take(l->ctx, l->partial, l->partial_len);
		l->partial_len = 0;
		p += k + 1;
		n -= k + 1;
	}
}

void sup_log_init(struct sup_log *l, int dirfd, const char *name,
		  void (*take)(void *ctx, const char *line, size_t len), void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->fd = -1;
	l->dirfd = dirfd;
	l->name = name;
	l->take = take;
	l->ctx = ctx;
}

int sup_log_read(struct sup_log *l)
{
	char buf[65536];
	uint64_t before = l->lines;
	ssize_t n;

	if (!l->name)
		return 0;
	if (l->fd < 0)
		l->fd = openat(l->dirfd, l->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (l->fd < 0)
		return 0;
	while ((n = read(l->fd, buf, sizeof(buf))) > 0)
		take_bytes(l, buf, (size_t)n);
	return l->lines != before;
}

void sup_log_end(struct sup_log *l)
{
	sup_log_read(l);
	if (l->partial_len) { /* the writer died mid-line */
		l->lines++;
		l->take(l->ctx, l->partial, l->partial_len);
	}
	l->partial_len = 0;
}

void sup_log_close(struct sup_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* A line of criu's own log. */
void sup_take_criu_line(void *ctx, const char *line, size_t len)
{
	struct sup *s = ctx;
	struct strv *last = &s->res->last_lines;
	struct log_line l;

	criu_log_parse_line(line, len, &l);
	s->res->phase = phase_next(s->res->phase, &l);
	if (last->n == SUP_LAST_LINES) {
		free(last->v[0]);
		memmove(last->v, last->v + 1, (last->n - 1) * sizeof(char *));
		last->v[--last->n] = NULL;
	}
	criu_log_push(last, line, len);
}

int sup_follow_log(struct sup *s)
{
	return sup_log_read(&s->log);
}

void sup_fill_status(struct sup *s, struct sup_status *st)
{
	st->pid = s->proc.pid;
	st->elapsed = sup_since(s->start);
	st->idle = sup_since(s->last_line_at);
	st->phase = s->res->phase;
	st->log_lines = s->log.lines;
	st->last_lines = &s->res->last_lines;
	st->esc = &s->res->esc;
	st->asking = s->hook != NULL;
}
