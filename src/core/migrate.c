/*
 * migrate: HOST:PORT, the control channel's messages and the failure plan
 * (see migrate.h).  Pure: only strings.
 */
#include "migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *why, size_t len, const char *s, const char *what)
{
	snprintf(why, len, "'%s' %s (HOST:PORT, [V6ADDR]:PORT)", s, what);
	return -1;
}

/* A decimal number in [lo, hi], nothing else. */
static int parse_num(const char *s, unsigned long long lo, unsigned long long hi,
		     unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || *v < lo || *v > hi ? -1 : 0;
}

int migrate_parse_hostport(const char *s, char *host, size_t host_len, unsigned *port, char *why,
			   size_t why_len)
{
	const char *colon, *h = s;
	size_t n;
	unsigned long long v;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return fail(why, why_len, s, "has no ]:PORT after its address");
		h = s + 1;
		n = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return fail(why, why_len, s, "has no :PORT");
		n = (size_t)(colon - s);
		if (memchr(s, ':', n))
			return fail(why, why_len, s, "is ambiguous: put an IPv6 address in []");
	}
	if (n == 0 || n >= host_len || n >= MIG_HOST_MAX)
		return fail(why, why_len, s, n ? "has too long a host" : "has no host");
	for (size_t i = 0; i < n; i++)
		if (h[i] <= ' ' || h[i] == '/' || h[i] == 0x7f)
			return fail(why, why_len, s, "has a host that is no name or address");
	if (parse_num(colon + 1, 1, 65534, &v) < 0)
		return fail(why, why_len, s,
			    "has no port in 1..65534 (PORT+1 carries the control)");
	snprintf(host, host_len, "%.*s", (int)n, h);
	*port = (unsigned)v;
	return 0;
}

static enum mig_msg_kind bad(struct mig_msg *m)
{
	m->kind = MIG_BAD;
	return MIG_BAD;
}

/* A file name the receiver can write in its images dir: no path. */
static int plain_name(const char *s, size_t n)
{
	if (n == 0 || n >= sizeof(((struct mig_msg *)0)->name) || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* "NAME NUMBER" (FILE) or "ID rest" (FAILED): the first word into m->name. */
static const char *take_word(const char *s, struct mig_msg *m)
{
	const char *sp = strchr(s, ' ');

	if (!sp || !plain_name(s, (size_t)(sp - s)))
		return NULL;
	snprintf(m->name, sizeof(m->name), "%.*s", (int)(sp - s), s);
	return sp + 1;
}

static enum mig_msg_kind parse_failed(const char *s, struct mig_msg *m)
{
	unsigned long long v;
	char num[8];
	const char *sp = strchr(s, ' ');

	if (!sp || sp - s >= (long)sizeof(num))
		return bad(m);
	snprintf(num, sizeof(num), "%.*s", (int)(sp - s), s);
	if (parse_num(num, 1, 255, &v) < 0 || !(s = take_word(sp + 1, m)))
		return bad(m);
	m->exit_code = (int)v;
	m->text = s;
	return m->kind = MIG_FAILED;
}

enum mig_msg_kind migrate_parse_msg(const char *line, struct mig_msg *m)
{
	unsigned long long v;
	const char *rest;

	memset(m, 0, sizeof(*m));
	if (strlen(line) >= MIG_LINE_MAX)
		return bad(m);
	if (strcmp(line, "READY") == 0)
		return m->kind = MIG_READY;
	if (strcmp(line, "RESTORE") == 0)
		return m->kind = MIG_RESTORE;
	if (strcmp(line, "ABORT") == 0)
		return m->kind = MIG_ABORT;
	if (strncmp(line, "RUNNING ", 8) == 0) {
		if (parse_num(line + 8, 1, 4194304, &v) < 0)
			return bad(m);
		m->pid = (int)v;
		return m->kind = MIG_RUNNING;
	}
	if (strncmp(line, "FILE ", 5) == 0) {
		if (!(rest = take_word(line + 5, m)) || parse_num(rest, 0, MIG_FILE_MAX, &v) < 0)
			return bad(m);
		m->size = v;
		return m->kind = MIG_FILE;
	}
	if (strncmp(line, "FAILED ", 7) == 0)
		return parse_failed(line + 7, m);
	return bad(m);
}

static const struct {
	const char *name;
	const char *id;	    /* the error id of a failure */
	const char *remedy; /* of a failure */
} steps[] = {
	[MIG_STEP_CONNECT] =
		{"connect", "receiver-unreachable",
		 "Start 'criuctl receive --listen ADDR:PORT' on the destination first; "
		 "PORT and PORT+1 must be reachable from here."},
	[MIG_STEP_READY] = {"ready", "receiver-not-ready",
			    "See the receiver's output: criu page-server did not start there."},
	[MIG_STEP_DUMP] = {"dump", NULL, NULL},
	[MIG_STEP_SEND] = {"send", "receiver-lost",
			   "The receiver went away while the images were sent; start it again "
			   "and migrate again."},
	[MIG_STEP_RESTORE] = {"restore", "remote-restore-failed",
			      "See the receiver's output and its store's failed/ attempt."},
	[MIG_STEP_END_TREE] = {"end-tree", "source-not-ended",
			       "The destination runs the tree; end the source tree yourself."},
};

const char *migrate_step_name(enum mig_step step)
{
	return steps[step].name;
}

void migrate_plan(enum mig_step step, enum mig_end end, struct mig_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (end == MIG_END_OK) {
		p->end_source = step == MIG_STEP_RESTORE;
		return;
	}
	p->id = steps[step].id;
	p->remedy = steps[step].remedy;
	/* A dump's failure is the dump's verdict, told as it is. */
	p->exit_code = step == MIG_STEP_DUMP ? -1 : 6;
	if (step == MIG_STEP_RESTORE && end == MIG_END_FAILED)
		p->exit_code = 1;
	if (step == MIG_STEP_RESTORE && end == MIG_END_LOST) {
		/* RESTORE was sent: the destination may have restored the tree
		 * and died before saying so.  Never end a tree on a guess. */
		p->id = "receiver-lost-after-restore";
		p->remedy = "The destination's tree may run: look there; the source tree was "
			    "left running, end one of the two yourself.";
	}
}
