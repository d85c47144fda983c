/*
 * log_digest: which lines of a CRIU log stay (see log_digest.h).  A line
 * is judged when it is read (the phase it changes depends on the lines
 * before), and waits in the tail ring: leaving the ring, it goes into the
 * digest when it was judged worth keeping; at the end the whole ring goes
 * in.  So the digest holds the lines that matter and the last lines of the
 * log, each once and in the log's order.
 */
#include "log_digest.h"

#include <stdlib.h>
#include <string.h>

#include "criu_log.h"
#include "verdict.h"

void log_digest_init(struct log_digest *d)
{
	memset(d, 0, sizeof(*d));
	d->phase = PHASE_STARTING;
}

static int append(struct log_digest *d, const char *text, size_t len)
{
	if (d->len + len + 2 > d->cap) {
		size_t cap = d->cap ? d->cap : 65536;
		char *t;

		while (d->len + len + 2 > cap)
			cap *= 2;
		t = realloc(d->text, cap);
		if (!t)
			return -1;
		d->text = t;
		d->cap = cap;
	}
	memcpy(d->text + d->len, text, len);
	d->len += len;
	d->text[d->len++] = '\n';
	d->text[d->len] = '\0';
	return 0;
}

/* A line leaving the tail ring (or the ring at the end, all = 1). */
static int release(struct log_digest *d, struct digest_line *x, int all)
{
	int rc = 0;

	if (x->text && (all || x->keep == 2 || (x->keep == 1 && d->len < LOG_DIGEST_MAX)))
		rc = append(d, x->text, x->len);
	free(x->text);
	x->text = NULL;
	return rc;
}

/* How much the line l (read at d->line_start) is worth keeping; moves the phase. */
static int judge(struct log_digest *d, const struct log_line *l)
{
	enum phase next = phase_next(d->phase, l);
	int keep = d->line_start < LOG_DIGEST_HEAD || next != d->phase || verdict_line_matters(l);

	if (!keep && l->level == LOG_ERROR && !criu_log_harmless(l) &&
	    d->errors < LOG_DIGEST_ERRORS) {
		d->errors++;
		keep = 1;
	}
	if (next != d->phase && (next == PHASE_FINISHED || next == PHASE_FAILED))
		keep = 2;
	d->criu_form |= l->has_ts || l->src[0];
	d->phase = next;
	return keep;
}

static int end_line(struct log_digest *d)
{
	struct digest_line *slot = &d->tail[d->tail_at];
	struct log_line l;
	int keep;

	criu_log_parse_line(d->line, d->line_len, &l);
	keep = judge(d, &l);
	if (release(d, slot, 0) < 0)
		return -1;
	slot->text = malloc(d->line_len ? d->line_len : 1);
	if (!slot->text)
		return -1;
	memcpy(slot->text, d->line, d->line_len);
	slot->len = d->line_len;
	slot->keep = keep;
	d->tail_at = (d->tail_at + 1) % LOG_DIGEST_TAIL;
	d->line_len = 0;
	d->line_start = d->seen;
	return 0;
}

int log_digest_feed(struct log_digest *d, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		size_t take = n < sizeof(d->line) - d->line_len ? n : sizeof(d->line) - d->line_len;

		memcpy(d->line + d->line_len, buf, take);
		d->line_len += take;
		d->seen += n + (nl != NULL);
		if (!nl)
			break;
		if (end_line(d) < 0)
			return -1;
		buf += n + 1;
		len -= n + 1;
	}
	return 0;
}

int log_digest_end(struct log_digest *d)
{
	/* A last line without its '\n' is a line, as text_next_line() reads it. */
	if (d->seen > d->line_start && end_line(d) < 0)
		return -1;
	for (size_t i = 0; i < LOG_DIGEST_TAIL; i++)
		if (release(d, &d->tail[(d->tail_at + i) % LOG_DIGEST_TAIL], 1) < 0)
			return -1;
	if (!d->text && (d->text = calloc(1, 1))) /* an empty log: an empty digest */
		d->cap = 1;
	return d->text ? 0 : -1;
}

void log_digest_free(struct log_digest *d)
{
	for (size_t i = 0; i < LOG_DIGEST_TAIL; i++)
		free(d->tail[i].text);
	free(d->text);
	memset(d, 0, sizeof(*d));
}
