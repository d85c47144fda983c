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
 * from min (at least U+0080) on, or 0: overlong forms, surrogates and cut
 * sequences are not UTF-8; below U+00A0 are the C1 controls. */
static size_t utf8_len(const unsigned char *p, size_t n, unsigned long min)
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
	if (cp < min || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* The escape of the byte at p, which is not text, into esc; its length. */
static size_t escape_byte(unsigned char b, char esc[8])
{
	if (b == '\\' || b == '\n' || b == '\t' || b == '\r')
		return (size_t)snprintf(esc, 8, "\\%c",
					b == '\n'   ? 'n'
					: b == '\t' ? 't'
					: b == '\r' ? 'r'
						    : '\\');
	if (b < 0x20 || b >= 0x7f)
		return (size_t)snprintf(esc, 8, "\\x%02x", b);
	esc[0] = (char)b;
	return 1;
}

/* text_escape() (bytes_only 0) or text_escape_bytes() (1) of [s, s+left). */
static char *escape(const char *s, size_t left, char *dst, size_t size, int bytes_only)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (left) {
		char esc[8];
		size_t k = utf8_len(p, left, bytes_only ? 0x80 : 0xa0), w = k;

		/* A loop, not memcpy(): k <= 4, which _FORTIFY_SOURCE cannot see. */
		for (size_t j = 0; j < k; j++)
			esc[j] = (char)p[j];
		if (!k && bytes_only && *p < 0x80)
			esc[0] = (char)*p, w = 1;
		else if (!k && bytes_only)
			w = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else if (!k)
			w = escape_byte(*p, esc);
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

char *text_escape(const char *s, char *dst, size_t size)
{
	return escape(s, strlen(s), dst, size, 0);
}

char *text_escape_bytes(const char *s, size_t len, char *dst, size_t size)
{
	return escape(s, len, dst, size, 1);
}

int text_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (len) {
		size_t k = *p && *p < 0x80 ? 1 : utf8_len(p, len, 0x80);

		if (!k)
			return 0;
		p += k;
		len -= k;
	}
	return 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t text_base64(const void *src, size_t len, char *dst, size_t size)
{
	const unsigned char *p = src;
	size_t n = 0;

	if (size < (len + 2) / 3 * 4 + 1)
		return 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16;

		v |= i + 1 < len ? (unsigned long)p[i + 1] << 8 : 0;
		v |= i + 2 < len ? p[i + 2] : 0;
		dst[n++] = b64[v >> 18 & 63];
		dst[n++] = b64[v >> 12 & 63];
		dst[n++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
		dst[n++] = i + 2 < len ? b64[v & 63] : '=';
	}
	dst[n] = '\0';
	return n;
}

long text_unbase64(const char *s, void *dst, size_t size)
{
	unsigned char *out = dst;
	size_t len = strlen(s), n = 0;
	int pad = len >= 2 && s[len - 1] == '=' ? 1 + (s[len - 2] == '=') : 0;

	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		unsigned long v = 0;
		size_t keep = i + 4 < len ? 3 : 3 - (size_t)pad;

		for (size_t j = 0; j < 4; j++) {
			const char *c = s[i + j] != '=' ? strchr(b64, s[i + j]) : NULL;

			if (!c && !(s[i + j] == '=' && i + j >= len - (size_t)pad))
				return -1; /* not base64, or '=' before the padding */
			v = v << 6 | (unsigned long)(c ? c - b64 : 0);
		}
		if (n + keep > size)
			return -1;
		for (size_t j = 0; j < keep; j++)
			out[n++] = (unsigned char)(v >> (16 - 8 * j));
	}
	return (long)n;
}

/* Characters that no POSIX shell reads as anything but themselves. */
static int shell_plain(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./"
			    ":=@%+,-",
			    *s))
			return 0;
	return 1;
}

char *text_shell_quote(const char *s, char *dst, size_t size)
{
	size_t n = 0;

	if (!size)
		return dst;
	if (shell_plain(s)) {
		snprintf(dst, size, "%s", s);
		return dst;
	}
	/* 'it'\''s': a quote ends the quoted text, is escaped, and reopens it. */
	for (const char *p = s;; p++) {
		const char *piece = !*p ? "'" : *p == '\'' ? "'\\''" : NULL;
		size_t w = piece ? strlen(piece) : 1;

		if (p == s && n + 1 < size)
			dst[n++] = '\'';
		if (n + w >= size)
			break;
		memcpy(dst + n, piece ? piece : p, w);
		n += w;
		if (!*p)
			break;
	}
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
