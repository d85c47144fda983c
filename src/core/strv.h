/*
 * strv: a growable, NULL-terminated vector of owned strings (argv lists,
 * repeatable options, log line sets).
 */
#ifndef CRIUCTL_STRV_H
#define CRIUCTL_STRV_H

#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated once anything was added; may be NULL when empty */
	size_t n;
	size_t cap;
};

/* Append a copy of s; returns 0, or -1 when out of memory. */
int strv_push(struct strv *sv, const char *s);
/* Append a formatted string; returns 0 or -1. */
int strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append every string of other; returns 0 or -1. */
int strv_extend(struct strv *sv, const struct strv *other);
/* 1 when s is in sv. */
int strv_contains(const struct strv *sv, const char *s);
/* Free every string and the vector; leaves sv empty and reusable. */
void strv_free(struct strv *sv);

#endif
