/*
 * err: criuctl's own error object.
 *
 * A failing function fills a struct cc_err once (exit code, stable id,
 * message, optional remedy) and returns -1; callers add context with
 * err_prefix() ("dump pid 42: " + "open images dir: ...") and return -1 in
 * turn; only main() prints it and turns it into the exit code.  A criu
 * failure is not an error of ours: it is a verdict (see verdict.h).
 */
#ifndef CRIUCTL_ERR_H
#define CRIUCTL_ERR_H

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>

/* Exit codes of the user-facing contract. */
enum cc_exit {
	CC_EXIT_OK = 0,
	CC_EXIT_CRIU_FAILED = 1,
	CC_EXIT_USAGE = 2,
	CC_EXIT_REFUSED = 3,
	CC_EXIT_TIMEOUT = 4,
	CC_EXIT_STORE = 5,
	CC_EXIT_ENV = 6,
};

struct cc_err {
	int exit_code; /* one of enum cc_exit; 0 while unset */
	char code[48]; /* stable id, e.g. "name-exists" */
	char msg[1024];
	char remedy[512];
	char log[PATH_MAX + 128]; /* path of the relevant log, or "" */
};

/* Fill e (replacing anything there) and return -1. */
int err_set(struct cc_err *e, int exit_code, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Like err_set() and append ": strerror(errnum)". */
int err_sys(struct cc_err *e, int exit_code, const char *code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Put "<context>: " in front of the message; returns -1. */
int err_prefix(struct cc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the remedy text. */
void err_remedy(struct cc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
