/*
 * log_digest: a CRIU log of any size, kept to what explaining it reads.
 *
 * A log of a big tree at -v4 runs to hundreds of MiB of page lines, and a
 * file given to `criuctl explain` may be anything; it is read in pieces and
 * only these lines stay, in their order, each cut to LOG_DIGEST_LINE_MAX
 * bytes: the head (criu's version, the run id), every line that changes
 * the phase or that a verdict's signature matches, the first
 * LOG_DIGEST_ERRORS error lines that are not harmless probes, and the last
 * LOG_DIGEST_TAIL lines.  Past LOG_DIGEST_MAX bytes of those, only the
 * line criu ends with (finished or FAILED) and the tail are added.  The
 * digest is a log again ('\n'-separated text) that criu_log, phase and
 * verdict read as they read the whole one.  Pure.
 */
#ifndef CRIUCTL_LOG_DIGEST_H
#define CRIUCTL_LOG_DIGEST_H

#include <stddef.h>

#include "phase.h"

#define LOG_DIGEST_HEAD	    4096 /* bytes: head_word() of criu_log looks there */
#define LOG_DIGEST_LINE_MAX 4096
#define LOG_DIGEST_ERRORS   64
#define LOG_DIGEST_TAIL	    16
#define LOG_DIGEST_MAX	    (4u << 20)

struct digest_line {
	char *text; /* owned; NULL while the slot is free */
	size_t len;
	int keep; /* 0: only as a tail line; 1: while under LOG_DIGEST_MAX; 2: always */
};

struct log_digest {
	char *text; /* the digest, NUL-terminated; owned */
	size_t len, cap;
	int criu_form;	   /* a line had criu's timestamp or level tag */
	enum phase phase;  /* after the lines seen */
	size_t errors;	   /* error lines kept */
	size_t seen;	   /* bytes of the log fed */
	size_t line_start; /* where the current line began */
	char line[LOG_DIGEST_LINE_MAX];
	size_t line_len;			  /* its bytes kept (cut at LOG_DIGEST_LINE_MAX) */
	struct digest_line tail[LOG_DIGEST_TAIL]; /* the last lines, oldest at tail_at */
	size_t tail_at;
};

/* An empty digest. */
void log_digest_init(struct log_digest *d);

/* The next len bytes of the log (lines may run across pieces).  Returns 0,
 * or -1 when out of memory. */
int log_digest_feed(struct log_digest *d, const char *buf, size_t len);

/* The end of the log: its last line and the tail go in.  Then d->text and
 * d->len are the digest.  Returns 0, or -1 when out of memory. */
int log_digest_end(struct log_digest *d);

void log_digest_free(struct log_digest *d);

#endif
