/*
 * criu_log: CRIU's log text, line by line.
 *
 * A line at -v4 reads "(SS.UUUUUU) [pid: ]Error (criu/file.c:N): message";
 * the timestamp appears at -v3 and up, the pid prefix on restore, and the
 * level tag only for errors and warnings.  Pure: works on buffers.
 */
#ifndef CRIUCTL_CRIU_LOG_H
#define CRIUCTL_CRIU_LOG_H

#include <stddef.h>

#include "strv.h"

enum log_level { LOG_INFO = 0, LOG_WARN, LOG_ERROR };

struct log_line {
	int has_ts;
	double ts; /* seconds since criu started, when has_ts */
	int pid;   /* the restore pid prefix, or 0 */
	enum log_level level;
	char src[64];	 /* "criu/cr-dump.c:1618", or "" */
	const char *msg; /* points into the parsed line; not NUL-terminated */
	size_t msg_len;
};

/* Parse one line (without its '\n').  Never fails: unknown text is LOG_INFO. */
void criu_log_parse_line(const char *line, size_t len, struct log_line *out);

/* The next line of [*p, end) parsed into l; *p moves past it.  Returns 1,
 * or 0 at the end. */
int criu_log_next(const char **p, const char *end, struct log_line *l);

/*
 * 1 when an Error line is one of CRIU's harmless probes, seen in runs that
 * succeed (tun device, RLIMIT_NOFILE of criu itself, ...).
 */
int criu_log_harmless(const struct log_line *l);

/*
 * The decisive lines of a failed run: every Error line that is not a
 * harmless probe, before "Dumping FAILED."/"Restoring FAILED." (or the
 * end), the message part only, at most max lines (the first ones: later
 * errors are usually consequences).  When no such Error line exists, the
 * last max non-empty lines instead.
 * Returns the number of lines added to out, or -1 when out of memory.
 */
int criu_log_decisive(const char *buf, size_t len, size_t max, struct strv *out);

/* The criu version named in the log's "Version: X" line into dst (""
 * when absent).  Saves running "criu --version" for every dump. */
void criu_log_version(const char *buf, size_t len, char *dst, size_t size);

/* Append text[0..len) to sv with control characters (other than tab)
 * replaced by '?': criu's lines reach terminals and JSON.  0 or -1. */
int criu_log_push(struct strv *sv, const char *text, size_t len);

/* The run's id from its first lines ("CRIU run id = UUID") into dst ("" when
 * absent). */
void criu_log_run_id(const char *buf, size_t len, char *dst, size_t size);

/* 1 when name is the network-lock table of the run run_id: CRIU names it
 * "CRIU-" and the run id cut to what fits ("CRIU-0a7b0276-d46c-4abb-a6"). */
int criu_lock_table_of(const char *name, const char *run_id);

/* 1 when the log says the run finished successfully. */
int criu_log_succeeded(const char *buf, size_t len);

/* 1 when the log says the run failed ("Dumping FAILED.", "Restoring
 * FAILED.", "Pre-dumping FAILED."): criu ended it itself and undid what it
 * could (a dump resumed the tree, a restore killed what it made). */
int criu_log_failed(const char *buf, size_t len);

#endif
