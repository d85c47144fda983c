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

/* "1.2 MiB" style sizes (binary units, "123 B" below 1 KiB) into dst. */
void text_human_size(char *dst, size_t size, unsigned long long bytes);

#endif
