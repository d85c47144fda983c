/*
 * verdict: the classifier of a failed criu run.  The registry's log rows
 * (verdict_table.c) are tried in rank order: the first row any of whose
 * signatures occurs in a non-harmless log line wins, so specific causes
 * stand before generic ones (an unseizable D-state task before CRIU's own
 * collection timeout, which it causes).  When no line decides, how criu
 * ended does.
 */
#include "verdict.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu_log.h"

#define MAX_EVIDENCE 8

#define LOG_ROWS VERDICT_LOG_ROWS

static int line_matches(const struct log_line *l, const struct verdict_row *row)
{
	for (size_t i = 0; i < 4 && row->log[i]; i++)
		if (memmem(l->msg, l->msg_len, row->log[i], strlen(row->log[i])))
			return 1;
	return 0;
}

int verdict_line_matters(const struct log_line *l)
{
	if (criu_log_harmless(l))
		return 0;
	for (size_t k = 0; k < LOG_ROWS; k++)
		if (line_matches(l, verdict_row(k)))
			return 1;
	return 0;
}

/* The highest row matched by a non-harmless line, its line in *hit; or
 * LOG_ROWS when none is. */
static size_t match_log(const char *log, size_t len, struct log_line *hit)
{
	size_t best = LOG_ROWS;
	const char *p = log;
	struct log_line l;

	while (criu_log_next(&p, log + len, &l)) {
		if (criu_log_harmless(&l))
			continue;
		for (size_t k = 0; k < best; k++) {
			if (line_matches(&l, verdict_row(k))) {
				best = k;
				*hit = l;
				break;
			}
		}
	}
	return best;
}

/* Signals a process gets from its own faults, not from someone else. */
static int crash_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGABRT;
}

/* Append the decisive lines that are not already evidence. */
static int add_decisive(const char *log, size_t len, struct strv *evidence)
{
	struct strv lines = {0};
	int rc = criu_log_decisive(log, len, MAX_EVIDENCE, &lines);

	for (size_t i = 0; rc >= 0 && i < lines.n; i++)
		if (!strv_contains(evidence, lines.v[i]) && strv_push(evidence, lines.v[i]) < 0)
			rc = -1;
	strv_free(&lines);
	return rc < 0 ? -1 : 0;
}

int verdict_classify(const char *log, size_t log_len, const struct criu_end *end, struct verdict *v)
{
	struct log_line hit;
	size_t k = match_log(log, log_len, &hit);

	memset(v, 0, sizeof(*v));
	if (k < LOG_ROWS) {
		verdict_set(v, (enum verdict_kind)k);
		if (criu_log_push(&v->evidence, hit.msg, hit.msg_len) < 0)
			return -1;
	} else if (!end->exited) {
		verdict_set(v, crash_signal(end->term_signal) ? V_CRIU_CRASHED : V_CRIU_KILLED);
		if (strv_pushf(&v->evidence, "criu was killed by signal %d (%s)", end->term_signal,
			       strsignal(end->term_signal)) < 0)
			return -1;
	} else {
		verdict_set(v, V_CRIU_FAILED);
	}
	return add_decisive(log, log_len, &v->evidence);
}

void verdict_free(struct verdict *v)
{
	strv_free(&v->evidence);
}

int verdict_pid(const struct verdict *v)
{
	static const char prefix[] = "Can't fork for ";

	if (!v->id || v->kind != V_PID_IN_USE)
		return 0;
	for (size_t i = 0; i < v->evidence.n; i++) {
		const char *p = strstr(v->evidence.v[i], prefix);
		char *end;
		long pid;

		if (!p)
			continue;
		p += sizeof(prefix) - 1;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		if (errno == 0 && *end == ':' && pid <= INT_MAX)
			return (int)pid;
	}
	return 0;
}

void verdict_words(struct verdict *v, char *title, size_t size)
{
	int pid = verdict_pid(v);

	if (pid <= 0 || !size)
		return;
	snprintf(title, size, "Pid %d, which the checkpoint needs, is already in use.", pid);
	v->title = title;
}
