/*
 * text: walking text buffers line by line, as /proc files, kernel configs
 * and CRIU logs come, and making any bytes safe to print on a terminal.
 * Pure.
 */
#ifndef CRIUCTL_TEXT_H
#define CRIUCTL_TEXT_H

#include <stddef.h>

/*
 * The next line of [*p, end): its start in *line and its length (without
 * the '\n') in *len; *p moves past it.  Returns 1, or 0 at the end.
 */
int text_next_line(const char **p, const char *end, const char **line, size_t *len);

/*
 * The rest of the first line that starts with key followed by sep ("KEY=" of
 * a kernel config, "Key:" of /proc/PID/status), NUL-terminated into dst
 * (cut to size).  Returns dst, or NULL when no line has it.
 */
char *text_value(const char *buf, size_t len, const char *key, char sep, char *dst, size_t size);

/*
 * s made safe for a terminal, into dst (always NUL-terminated, cut to size
 * but never inside an escape): control characters become \n, \t, \r or
 * \xHH, a backslash \\, and every byte that is not part of UTF-8 text (or
 * is a C1 control, U+0080 to U+009F) \xHH; other UTF-8 stays as it is.
 * Returns dst.
 */
char *text_escape(const char *s, char *dst, size_t size);

/*
 * [s, s+len) with only the bytes that are not UTF-8 (cut or overlong
 * sequences, surrogates, bytes no sequence starts with) as the four
 * characters \xHH; everything else, control characters and backslashes
 * included, stays as it is.  For JSON, which escapes controls itself but
 * takes only UTF-8.  Into dst as text_escape() (4 * len + 1 is room for
 * all).  Returns dst.
 */
char *text_escape_bytes(const char *s, size_t len, char *dst, size_t size);

/* 1 when [s, s+len) is UTF-8 without a NUL (what a JSON string can hold
 * as it is), else 0. */
int text_is_utf8(const char *s, size_t len);

/*
 * Base64 (RFC 4648, with padding) of len bytes at src into dst, which
 * needs (len + 2) / 3 * 4 + 1 bytes.  Returns the length written, or 0
 * (dst untouched) when dst is too small.
 */
size_t text_base64(const void *src, size_t len, char *dst, size_t size);

/* The bytes of the base64 text s into dst (at most size): their number,
 * or -1 when s is not padded base64 or dst too small. */
long text_unbase64(const char *s, void *dst, size_t size);

/*
 * s as one word for a POSIX shell, into dst (cut to size): as it is when it
 * has only characters no shell treats specially, else in single quotes
 * (a quote inside as '\'').  Returns dst.
 */
char *text_shell_quote(const char *s, char *dst, size_t size);

/* "1.2 MiB" style sizes (binary units, "123 B" below 1 KiB) into dst. */
void text_human_size(char *dst, size_t size, unsigned long long bytes);

#endif
