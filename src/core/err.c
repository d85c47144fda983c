/*
 * err: filling and prefixing struct cc_err.  Truncation is acceptable here:
 * messages are bounded so that an error path never allocates.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

/* fmt comes from callers whose formats are checked: the attributes say
 * so, which clang's -Wformat-nonliteral (in -Wformat=2) asks for. */
__attribute__((format(printf, 3, 0))) static void vformat(char *dst, size_t size, const char *fmt,
							  va_list ap)
{
	vsnprintf(dst, size, fmt, ap);
}

__attribute__((format(printf, 4, 0))) static void
vset(struct cc_err *e, int exit_code, const char *code, const char *fmt, va_list ap)
{
	memset(e, 0, sizeof(*e));
	e->exit_code = exit_code;
	snprintf(e->code, sizeof(e->code), "%s", code);
	vformat(e->msg, sizeof(e->msg), fmt, ap);
}

int err_set(struct cc_err *e, int exit_code, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(e, exit_code, code, fmt, ap);
	va_end(ap);
	return -1;
}

int err_sys(struct cc_err *e, int exit_code, const char *code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vset(e, exit_code, code, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	return -1;
}

int err_prefix(struct cc_err *e, const char *fmt, ...)
{
	char prefix[512];
	size_t plen, n;
	va_list ap;

	va_start(ap, fmt);
	vformat(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	/* Shift the old message right, dropping its tail if it no longer fits. */
	n = strnlen(e->msg, sizeof(e->msg) - 1 - plen);
	memmove(e->msg + plen, e->msg, n);
	e->msg[plen + n] = '\0';
	memcpy(e->msg, prefix, plen);
	return -1;
}

void err_remedy(struct cc_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(e->remedy, sizeof(e->remedy), fmt, ap);
	va_end(ap);
}
