/*
 * config_util: what the two config test files share: parsing a text on top
 * of the built-in defaults, and comparing a string list with a table.
 */
#ifndef CRIUCTL_TEST_CONFIG_UTIL_H
#define CRIUCTL_TEST_CONFIG_UTIL_H

#include "unit.h"

#include "config.h"

/* Defaults, then text as a file named "criuctl.conf"; config_parse()'s result. */
static inline int parse(struct config *c, const char *text, struct cc_err *e)
{
	config_defaults(c);
	memset(e, 0, sizeof(*e));
	return config_parse(c, text, strlen(text), "criuctl.conf", e);
}

/* sv holds exactly the strings of want (NULL-terminated), in order. */
static inline void check_list(const char *what, const struct strv *sv, const char *const *want)
{
	size_t n = 0;

	for (; want[n]; n++)
		check_str(what, n < sv->n ? sv->v[n] : NULL, want[n]);
	check_int(what, sv->n, n);
}

#endif
