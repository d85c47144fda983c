/* text: line walking (see text.h). */
#include "text.h"

#include <string.h>

int text_next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end; /* never end + 1: C allows no pointer past end */
	return 1;
}

char *text_value(const char *buf, size_t len, const char *key, char sep, char *dst, size_t size)
{
	size_t n = strlen(key);
	const char *p = buf, *line;
	size_t k;

	while (text_next_line(&p, buf + len, &line, &k)) {
		if (k <= n || memcmp(line, key, n) != 0 || line[n] != sep)
			continue;
		k -= n + 1;
		if (k >= size)
			k = size - 1;
		memcpy(dst, line + n + 1, k);
		dst[k] = '\0';
		return dst;
	}
	return NULL;
}
