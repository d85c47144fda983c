/* text: line walking (see text.h). */
#include "text.h"

#include <stdio.h>
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

/* The length of the UTF-8 sequence at p (at most n bytes) of a code point
 * from U+00A0 on, or 0: overlong forms, surrogates, C1 controls and cut
 * sequences are not text. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
	unsigned long cp;

	if (!len || len > n || p[0] > 0xf4)
		return 0;
	cp = p[0] & (0x3f >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < 0xa0 || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *text_escape(const char *s, char *dst, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n = 0;

	while (left) {
		char esc[8];
		size_t k = utf8_len(p, left), w = k;

		if (k)
			memcpy(esc, p, k);
		else if (*p == '\\' || *p == '\n' || *p == '\t' || *p == '\r')
			w = (size_t)snprintf(esc, sizeof(esc), "\\%c",
					     *p == '\n'	  ? 'n'
					     : *p == '\t' ? 't'
					     : *p == '\r' ? 'r'
							  : '\\');
		else if (*p < 0x20 || *p >= 0x7f)
			w = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			esc[0] = (char)*p, w = 1;
		if (n + w >= size)
			break;
		memcpy(dst + n, esc, w);
		n += w;
		k = k ? k : 1;
		p += k;
		left -= k;
	}
	if (size)
		dst[n] = '\0';
	return dst;
}

void text_human_size(char *dst, size_t size, unsigned long long bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]))
		v /= 1024, u++;
	if (u == 0)
		snprintf(dst, size, "%llu B", bytes);
	else
		snprintf(dst, size, "%.1f %s", v, units[u]);
}
