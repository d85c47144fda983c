/*
 * criu_log: parsing CRIU's log lines and picking the ones that explain a
 * failure.  CRIU prints "Error" for probes that fail on purpose in every
 * run, so "the lines that matter" are the non-harmless errors before the
 * final "... FAILED." line, never every line containing "Error".
 */
#include "criu_log.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* "(SS.UUUUUU) " */
static const char *parse_ts(const char *p, const char *end, struct log_line *out)
{
	const char *q;
	char num[32];
	size_t n = 0;

	if (p >= end || *p != '(')
		return p;
	q = p + 1; /* only now: for an empty line p is end, and end + 1 no pointer */
	while (q < end && ((*q >= '0' && *q <= '9') || *q == '.') && n < sizeof(num) - 1)
		num[n++] = *q++;
	if (q >= end || *q != ')' || n == 0)
		return p;
	num[n] = '\0';
	out->has_ts = 1;
	out->ts = strtod(num, NULL);
	return skip_spaces(q + 1, end);
}

/* "   123: " on restore; longer digit runs are text (and would overflow pid). */
static const char *parse_pid(const char *p, const char *end, struct log_line *out)
{
	const char *q = p;
	int pid = 0;

	while (q < end && *q >= '0' && *q <= '9' && q - p < 9)
		pid = pid * 10 + (*q++ - '0');
	if (q == p || end - q < 2 || q[0] != ':' || q[1] != ' ')
		return p;
	out->pid = pid;
	return q + 2;
}

/* "Error (criu/x.c:12): " or "Warn  (criu/x.c:12): " */
static const char *parse_level(const char *p, const char *end, struct log_line *out)
{
	enum log_level level;
	const char *q, *close;
	size_t n;

	if ((size_t)(end - p) > 6 && memcmp(p, "Error ", 6) == 0) {
		level = LOG_ERROR;
		q = p + 6;
	} else if ((size_t)(end - p) > 5 && memcmp(p, "Warn ", 5) == 0) {
		level = LOG_WARN;
		q = p + 5;
	} else {
		return p;
	}
	q = skip_spaces(q, end);
	if (q >= end || *q != '(')
		return p;
	close = memchr(q, ')', (size_t)(end - q));
	if (!close || close + 1 >= end || close[1] != ':')
		return p;
	n = (size_t)(close - q - 1);
	if (n >= sizeof(out->src))
		n = sizeof(out->src) - 1;
	memcpy(out->src, q + 1, n);
	out->src[n] = '\0';
	out->level = level;
	return skip_spaces(close + 2, end);
}

void criu_log_parse_line(const char *line, size_t len, struct log_line *out)
{
	const char *end = line + len;
	const char *p;

	memset(out, 0, sizeof(*out));
	p = parse_ts(line, end, out);
	p = parse_pid(skip_spaces(p, end), end, out);
	p = parse_level(p, end, out);
	out->msg = p;
	out->msg_len = (size_t)(end - p);
}

int criu_log_next(const char **p, const char *end, struct log_line *l)
{
	const char *line;
	size_t n;

	if (!text_next_line(p, end, &line, &n))
		return 0;
	criu_log_parse_line(line, n, l);
	return 1;
}

static int msg_has(const struct log_line *l, const char *needle)
{
	size_t n = strlen(needle);

	if (n > l->msg_len)
		return 0;
	for (size_t i = 0; i + n <= l->msg_len; i++)
		if (memcmp(l->msg + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Error lines that successful runs on these machines contain. */
static const char *const harmless[] = {
	"tun: Unable to create tun",
	"Can't setup RLIMIT_NOFILE for self",
	NULL,
};

int criu_log_harmless(const struct log_line *l)
{
	for (const char *const *h = harmless; *h; h++)
		if (msg_has(l, *h))
			return 1;
	return 0;
}

static int is_final_failure(const struct log_line *l)
{
	return msg_has(l, "Dumping FAILED.") || msg_has(l, "Restoring FAILED.") ||
	       msg_has(l, "Pre-dumping FAILED.");
}

/* Keep only the last max entries of sv. */
static void keep_last(struct strv *sv, size_t from, size_t max)
{
	size_t have = sv->n - from;

	if (have <= max)
		return;
	for (size_t i = from; i < from + (have - max); i++)
		free(sv->v[i]);
	memmove(sv->v + from, sv->v + from + (have - max), (max + 1) * sizeof(char *));
	sv->n = from + max;
}

int criu_log_push(struct strv *sv, const char *text, size_t len)
{
	if (strv_pushf(sv, "%.*s", (int)len, text) < 0)
		return -1;
	for (char *p = sv->v[sv->n - 1]; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			*p = '?';
	return 0;
}

static int push_msg(struct strv *out, const struct log_line *l)
{
	return criu_log_push(out, l->msg, l->msg_len);
}

/* The fallback: the last non-empty lines of the log. */
static int tail_lines(const char *buf, size_t len, size_t max, struct strv *out)
{
	size_t from = out->n;
	const char *p = buf;
	struct log_line l;

	while (criu_log_next(&p, buf + len, &l))
		if (l.msg_len && push_msg(out, &l) < 0)
			return -1;
	keep_last(out, from, max);
	return (int)(out->n - from);
}

int criu_log_decisive(const char *buf, size_t len, size_t max, struct strv *out)
{
	size_t from = out->n;
	const char *p = buf;
	struct log_line l;

	while (criu_log_next(&p, buf + len, &l)) {
		if (l.level != LOG_ERROR || criu_log_harmless(&l))
			continue;
		if (is_final_failure(&l))
			break;
		/* The first errors are the causes; later ones are consequences. */
		if (out->n - from < max && push_msg(out, &l) < 0)
			return -1;
	}
	if (out->n == from)
		return tail_lines(buf, len, max, out);
	return (int)(out->n - from);
}

static int has_any(const char *buf, size_t len, const char *const *words)
{
	for (; buf && *words; words++)
		if (memmem(buf, len, *words, strlen(*words)))
			return 1;
	return 0;
}

int criu_log_succeeded(const char *buf, size_t len)
{
	static const char *const ok[] = {"Dumping finished successfully",
					 "Restore finished successfully",
					 "Pre-dumping finished successfully", NULL};

	return has_any(buf, len, ok);
}

int criu_log_failed(const char *buf, size_t len)
{
	static const char *const failed[] = {"Dumping FAILED.", "Restoring FAILED.",
					     "Pre-dumping FAILED.", NULL};

	return has_any(buf, len, failed);
}

/* The word after marker within the first 4 KiB of buf, into dst. */
static void head_word(const char *buf, size_t len, const char *marker, char *dst, size_t size)
{
	size_t head = len < 4096 ? len : 4096, m = strlen(marker);
	const char *v = buf ? memmem(buf, head, marker, m) : NULL;
	size_t n = 0;

	dst[0] = '\0';
	if (!v)
		return;
	v += m;
	while (v + n < buf + head && v[n] != ' ' && v[n] != '\n' && n + 1 < size)
		n++;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

void criu_log_run_id(const char *buf, size_t len, char *dst, size_t size)
{
	head_word(buf, len, ") CRIU run id = ", dst, size);
}

int criu_lock_table_of(const char *name, const char *run_id)
{
	size_t n = strlen(name);

	/* At least "CRIU-" and 8 characters of the id; never longer than it. */
	return strncmp(name, "CRIU-", 5) == 0 && n >= 13 && n - 5 <= strlen(run_id) &&
	       strncmp(name + 5, run_id, n - 5) == 0;
}

void criu_log_version(const char *buf, size_t len, char *dst, size_t size)
{
	/* Within the first lines: CRIU logs its version right after the run id. */
	head_word(buf, len, ") Version: ", dst, size);
}
