/*
 * supervisor_log: what the supervisor learns from criu's -v4 log, which it
 * follows while criu writes it: each new line moves the phase (phase.h)
 * and joins the last lines; an unfinished line waits for the next read
 * (or for criu's exit: criu died mid-line).  The status handed to the
 * tick and snapshot callbacks is made here.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "criu_log.h"
#include "supervisor_int.h"

static void take_line(struct sup *s, const char *line, size_t len)
{
	struct strv *last = &s->res->last_lines;
	struct log_line l;

	criu_log_parse_line(line, len, &l);
	s->res->phase = phase_next(s->res->phase, &l);
	s->lines++;
	if (last->n == SUP_LAST_LINES) {
		free(last->v[0]);
		memmove(last->v, last->v + 1, (last->n - 1) * sizeof(char *));
		last->v[--last->n] = NULL;
	}
	criu_log_push(last, line, len);
}

/* Split new bytes into lines; an unfinished line waits for the next read. */
static void take_bytes(struct sup *s, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		size_t room = PARTIAL_MAX - s->partial_len;

		memcpy(s->partial + s->partial_len, p, k < room ? k : room);
		s->partial_len += k < room ? k : room;
		if (!nl)
			return;
		take_line(s, s->partial, s->partial_len);
		s->partial_len = 0;
		p += k + 1;
		n -= k + 1;
	}
}

/* Read what criu appended since the last call; 1 when there was something. */
int sup_follow_log(struct sup *s)
{
	char buf[65536];
	int grew = 0;
	ssize_t n;

	if (!s->spec->log_name)
		return 0;
	if (s->log_fd < 0)
		s->log_fd = openat(s->spec->log_dirfd, s->spec->log_name,
				   O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (s->log_fd < 0)
		return 0;
	while ((n = read(s->log_fd, buf, sizeof(buf))) > 0) {
		uint64_t before = s->lines;

		take_bytes(s, buf, (size_t)n);
		grew |= s->lines != before;
	}
	return grew;
}

void sup_fill_status(struct sup *s, struct sup_status *st)
{
	st->pid = s->proc.pid;
	st->elapsed = sup_since(s->start);
	st->idle = sup_since(s->last_line_at);
	st->phase = s->res->phase;
	st->log_lines = s->lines;
	st->last_lines = &s->res->last_lines;
	st->esc = &s->res->esc;
	st->asking = s->hook != NULL;
}

void sup_log_end(struct sup *s)
{
	sup_follow_log(s);
	if (s->partial_len) /* criu died mid-line */
		take_line(s, s->partial, s->partial_len);
	s->partial_len = 0;
}
