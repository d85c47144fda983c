/* name: validation and default generation of checkpoint names. */
#include "name.h"

#include <stdio.h>
#include <string.h>

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_name_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

int name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX_LEN || !is_alnum(name[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(name[i]))
			return 0;
	return 1;
}

void name_default(char *dst, const char *comm, int pid, time_t when)
{
	char suffix[48];
	char stem[NAME_MAX_LEN + 1];
	struct tm tm;
	size_t room, i;

	gmtime_r(&when, &tm);
	snprintf(suffix, sizeof(suffix), "-%d-%04d%02d%02dT%02d%02d%02d", pid, tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	room = NAME_MAX_LEN - strlen(suffix);
	for (i = 0; i < room && comm[i]; i++)
		stem[i] = is_name_char(comm[i]) ? comm[i] : '_';
	if (i == 0)
		stem[i++] = 'p';
	stem[i] = '\0';
	if (!is_alnum(stem[0]))
		stem[0] = 'p';
	memcpy(dst, stem, i);
	memcpy(dst + i, suffix, strlen(suffix) + 1);
}
