/*
 * config_value: how one configuration value is read.  Booleans
 * (true/false, yes/no, on/off, 1/0), durations and ages (plain decimal
 * seconds, or with s/m/h/d), comma lists, and config_key_set(), which puts
 * a key's value into its field of struct config as the key table
 * (config_keys.h) says.  Shared by the file's keys, profiles and the
 * command line.
 */
#include "config.h"

#include "config_keys.h"
#include "flags.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1", NULL};
	static const char *const no[] = {"false", "no", "off", "0", NULL};

	for (size_t i = 0; yes[i]; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int parse_seconds(const char *s, double max, double *out)
{
	const char *p = s;
	char *end;
	double v;

	/* Plain decimal only: strtod would also take "inf", "nan", hex, exponents. */
	if (!*p)
		return -1;
	for (; *p && ((*p >= '0' && *p <= '9') || *p == '.'); p++)
		;
	if (p == s || (*p && strcmp(p, "s") && strcmp(p, "m") && strcmp(p, "h") && strcmp(p, "d")))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end != p || errno)
		return -1;
	v *= *p == 'm' ? 60 : *p == 'h' ? 3600 : *p == 'd' ? 86400 : 1;
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int config_parse_duration(const char *s, double *out)
{
	return parse_seconds(s, DURATION_MAX, out);
}

int config_parse_age(const char *s, double *out)
{
	return parse_seconds(s, AGE_MAX, out);
}

/* Comma lists: "a, b,c" -> three entries; empty items ("a,,b", "a,") are errors. */
static int push_list(struct strv *sv, const char *value, char *msg, size_t msgsize)
{
	const char *p = value;

	if (!*value) /* no items */
		return 0;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		while (n && isspace((unsigned char)*p))
			p++, n--;
		while (n && isspace((unsigned char)p[n - 1]))
			n--;
		if (n == 0)
			return snprintf(msg, msgsize, "empty item in list '%s'", value), -1;
		if (strv_pushf(sv, "%.*s", (int)n, p) < 0)
			return snprintf(msg, msgsize, "out of memory"), -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

int config_key_set(struct config *target, const struct key *k, const char *value, char *msg,
		   size_t msgsize)
{
	void *field = (char *)target + k->offset;
	char *end;
	long n;

	switch (k->type) {
	case K_PATH:
		if (!*value || strlen(value) >= PATH_MAX)
			return snprintf(msg, msgsize, "%s: bad path '%s'", k->name, value), -1;
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case K_BOOL:
		if (config_parse_bool(value, (int *)field) < 0)
			return snprintf(msg, msgsize,
					"%s: '%s' is not a boolean (true/false, yes/no, on/off, "
					"1/0)",
					k->name, value),
			       -1;
		return 0;
	case K_COUNT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (end == value || *end || errno || n < 0 || n > 1000000)
			return snprintf(msg, msgsize, "%s: '%s' is not a count (0 or more)",
					k->name, value),
			       -1;
		*(int *)field = (int)n;
		return 0;
	case K_DURATION:
		if (config_parse_duration(value, (double *)field) < 0)
			return snprintf(msg, msgsize,
					"%s: '%s' is not a duration (seconds, or with s/m/h/d)",
					k->name, value),
			       -1;
		return 0;
	case K_LIST: return push_list((struct strv *)field, value, msg, msgsize);
	case K_ENV:
		if (!strchr(value, '=') || value[0] == '=')
			return snprintf(msg, msgsize, "env: '%s' is not NAME=VALUE", value), -1;
		return strv_push((struct strv *)field, value) < 0 ? -1 : 0;
	case K_CHOICE:
		if (!flag_choice_valid(k->flag, value))
			return snprintf(msg, msgsize, "%s: '%s' is not a valid mode", k->name,
					value),
			       -1;
		snprintf(field, CRIU_CHOICE_MAX, "%s", value);
		return 0;
	}
	return -1;
}
